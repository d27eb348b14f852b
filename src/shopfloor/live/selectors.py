"""Reads of live shopping, with visibility from access.py: the live list, a visitor's history, chats."""

from datetime import timedelta

from django.db.models import Prefetch, Q
from django.utils import timezone

from shopfloor.access import (
    Actor,
    can_see_customer,
    get_live_visitor_for,
    visible_live_chats,
    visible_live_visitors,
)
from shopfloor.live import conf
from shopfloor.live.models import Chat, ChatStatus, PageView, Visitor, VisitorState

OPEN = (ChatStatus.WAITING, ChatStatus.ACTIVE)
HISTORY_PAGE_VIEWS = 100


def _iso(value):
    return value.isoformat() if value else None


def status_of(visitor: Visitor, now=None) -> tuple[str, object]:
    """(active|idle|offline, offline since): offline when no tab is connected or heartbeats stopped."""
    now = now or timezone.now()
    stale = visitor.heartbeat_at is None or visitor.heartbeat_at < now - timedelta(
        seconds=conf.PRESENCE_WINDOW_SECONDS)
    if visitor.connections == 0 and visitor.offline_since is None and not stale:
        return VisitorState.ACTIVE, None  # reporting by beacon (WebSockets blocked): on site, by page views
    if visitor.state == VisitorState.OFFLINE or visitor.connections == 0 or stale:
        since = visitor.offline_since or visitor.heartbeat_at or visitor.last_seen_at
        return VisitorState.OFFLINE, since
    return visitor.state, None


def _open_chat(visitor: Visitor) -> Chat | None:
    prefetched = getattr(visitor, "open_chats", None)
    if prefetched is not None:
        return prefetched[0] if prefetched else None
    return visitor.chats.filter(status__in=OPEN).select_related("associate").order_by("-created_at", "-id").first()


def chat_summary(chat: Chat | None) -> dict | None:
    if chat is None:
        return None
    return {
        "id": chat.pk, "status": chat.status,
        "associate_id": chat.associate_id, "associate_name": chat.associate.name if chat.associate_id else "",
        "routed_to_id": chat.routed_to_id, "wants_call": chat.wants_call, "in_call": chat.in_call,
        "unread": chat.visitor_last_seq > chat.associate_read_seq, "seq": chat.message_count,
    }


def visitor_row(visitor: Visitor, now=None) -> dict:
    """One visitor as the workspace lists them (and as GET /live/visitors answers)."""
    now = now or timezone.now()
    status, offline_since = status_of(visitor, now)
    chat = _open_chat(visitor)
    customer = visitor.customer if visitor.customer_id else None
    return {
        "id": visitor.pk,
        "store_id": visitor.store_id,
        "returning_id": visitor.key[:8],
        "visit_count": visitor.visit_count,
        "page_view_count": visitor.page_view_count,
        "customer_id": visitor.customer_id,
        "customer_name": f"{customer.first_name} {customer.last_name}".strip() if customer else "",
        "country": visitor.country, "country_name": visitor.country_name, "city": visitor.city,
        "current_url": visitor.current_url, "current_title": visitor.current_title,
        "page_started_at": _iso(visitor.page_started_at),
        # The widget's clock for the current page: the workspace never lets an older report replace it.
        "page_at": visitor.page_reported_at,
        "online_since": _iso(visitor.online_since),
        "status": status, "offline_since": _iso(offline_since),
        "wants_call": visitor.wants_call or bool(chat and chat.wants_call),
        "chat": chat_summary(chat),
    }


def chat_row(chat: Chat) -> dict:
    return {**chat_summary(chat), "visitor_id": chat.visitor_id, "store_id": chat.store_id,
            "customer_id": chat.customer_id, "origin": chat.origin}


def live_visitors(actor: Actor, now=None) -> list[Visitor]:
    """The actor's store's visitors on site now and those offline for under 5 minutes, longest on site first.

    A visitor in a call with another associate leaves the list (they are that associate's now).
    """
    now = now or timezone.now()
    recent = now - timedelta(seconds=conf.OFFLINE_SHOWN_SECONDS)
    open_chats = Chat.objects.filter(status__in=OPEN).select_related("associate").order_by("-created_at", "-id")
    queryset = visible_live_visitors(actor, Visitor.objects.select_related("customer")).filter(
        Q(connections__gt=0, heartbeat_at__gte=recent) | Q(offline_since__gte=recent)
        | Q(offline_since__isnull=True, heartbeat_at__gte=recent)
    ).prefetch_related(Prefetch("chats", queryset=open_chats, to_attr="open_chats")).order_by("online_since", "pk")
    visitors = []
    me = actor.associate.pk if actor.associate else None
    for visitor in queryset:
        status, offline_since = status_of(visitor, now)
        if status == VisitorState.OFFLINE and (offline_since is None or offline_since < recent):
            continue
        chat = _open_chat(visitor)
        if chat and chat.in_call and chat.associate_id not in (None, me) and not actor.is_admin:
            continue
        visitors.append(visitor)
    return visitors


def visitor_detail(actor: Actor, visitor_id) -> dict:
    """A visitor's history: visits, page views (newest first), chats the actor may see."""
    visitor = get_live_visitor_for(actor, visitor_id, Visitor.objects.select_related("customer"))
    views = PageView.objects.filter(visitor=visitor).order_by("-started_at", "-id")[:HISTORY_PAGE_VIEWS]
    chats = visible_live_chats(actor, visitor.chats.select_related("associate")).order_by("-created_at")[:20]
    visits = visitor.visits.order_by("-started_at", "-id")[:20]
    customer_url = ""
    if visitor.customer_id and can_see_customer(actor, visitor.customer):
        from django.urls import reverse

        customer_url = reverse("console:customer", args=[visitor.customer_id])
    return {
        **visitor_row(visitor),
        "first_seen_at": _iso(visitor.first_seen_at), "last_seen_at": _iso(visitor.last_seen_at),
        "customer_url": customer_url,
        "visits": [
            {"started_at": _iso(v.started_at), "last_seen_at": _iso(v.last_seen_at),
             "page_view_count": v.page_view_count, "referrer": v.referrer}
            for v in visits
        ],
        "page_views": [
            {"url": v.url, "title": v.title, "started_at": _iso(v.started_at), "seconds_on_page": v.seconds_on_page}
            for v in views
        ],
        "chats": [
            {"id": c.pk, "status": c.status, "origin": c.origin, "created_at": _iso(c.created_at),
             "associate_name": c.associate.name if c.associate_id else "", "message_count": c.message_count}
            for c in chats
        ],
    }


def visible_chats_for_workspace(actor: Actor) -> list[Chat]:
    """Open chats the actor sees: waiting requests of the store and their own sessions."""
    return list(visible_live_chats(actor, Chat.objects.filter(status__in=OPEN).select_related(
        "associate", "routed_to", "visitor")).order_by("created_at", "pk"))


def chat_timeline(customer, *, before=None, limit: int = 25, actor=None) -> list:
    """The customer timeline's live source: each chat (and call) with its transcript link, newest first."""
    from django.urls import reverse

    from shopfloor.clienteling.timeline import TimelineEntry

    chats = Chat.objects.filter(customer=customer, message_count__gt=0).select_related("associate")
    if actor is not None:
        chats = visible_live_chats(actor, chats)
    if before is not None:
        chats = chats.filter(created_at__lt=before)
    entries = []
    for chat in chats.order_by("-created_at", "-id")[:limit]:
        who = chat.associate.name if chat.associate_id else "nobody yet"
        first = chat.messages.exclude(sender="system").order_by("seq").first()
        entries.append(TimelineEntry(
            when=chat.created_at, kind="chat",
            title=f"Live chat with {who}" + (" (video call)" if chat.in_call else ""),
            url=reverse("live:transcript", args=[chat.pk]),
            detail=(first.body[:140] if first else ""),
        ))
    return entries
