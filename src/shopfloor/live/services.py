"""Writes of live shopping: visitors and page views, availability and presence, chats, calls, Navigate, routing.

Consumers (WebSocket) and views call these; each is a plain function in one transaction,
and sends its live events on commit (events.py). Nothing lives only in a process's memory:
presence is heartbeats in the database, so a second process sees the same visitors.

Routing (issue 5): a reactive request is offered to the least busy available, present
associate who may take it (fewest chats in session, under the store's chat limit; the
associate the customer asked for first); every associate who may see the visitor sees the
request and the first to "Start Session" owns it (a conditional UPDATE). When nobody can
take it the chat waits in the store's queue and the visitor sees their position.
"""

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.db import IntegrityError, connections, router, transaction
from django.db.models import BooleanField, ExpressionWrapper, F, Func, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from shopfloor.access import (
    Actor,
    NotAllowed,
    NotVisible,
    can_see_customer,
    get_live_chat_for,
    get_live_visitor_for,
    visible_live_visitors,
)
from shopfloor.accounts.models import Associate, Store
from shopfloor.errors import Conflict, InvalidInput
from shopfloor.live import conf, events, geo
from shopfloor.live.identity import VisitorIdentity, origin_is_allowed, requires_verified_identity
from shopfloor.live.models import (
    AssociateLive,
    Availability,
    Chat,
    ChatMessage,
    ChatOrigin,
    ChatStatus,
    LeftMessage,
    LiveSettings,
    PageView,
    Sender,
    Visit,
    Visitor,
    VisitorState,
)

logger = logging.getLogger(__name__)

VISITOR_KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
OPEN = (ChatStatus.WAITING, ChatStatus.ACTIVE)


def settings_for(store: Store) -> LiveSettings:
    try:
        return store.live_settings
    except LiveSettings.DoesNotExist:
        live_settings, _ = LiveSettings.objects.get_or_create(store=store)
        return live_settings


# Visitors ----------------------------------------------------------------------------------------------------


def _clean_url(value, field: str, required: bool = True) -> str:
    value = str(value or "").strip()
    if not value and not required:
        return ""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(value) > 1000:
        raise InvalidInput.field(field, "An http(s) URL of at most 1000 characters.")
    return value


def _clean_text(value, field: str, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidInput.field(field, "Must be text.")
    return value.replace("\x00", "").strip()[:limit]


def new_visit_due(visitor: Visitor, now) -> bool:
    return visitor.visit_count == 0 or visitor.last_seen_at < now - timedelta(seconds=conf.VISIT_GAP_SECONDS)


def _is_present(visitor: Visitor, now) -> bool:
    return (
        visitor.connections > 0 and visitor.heartbeat_at is not None
        and visitor.heartbeat_at >= now - timedelta(seconds=conf.PRESENCE_WINDOW_SECONDS)
    )


def connect_visitor(identity: VisitorIdentity, key: str, peer: str = "", forwarded_for: str = "",
                    now=None) -> Visitor:
    """A tab of a visitor opened its WebSocket: find or make the visitor, locate them, mark them on site.

    `key` is the widget's visitor id; an unusable one is replaced (the widget stores the new one).
    Only a verified identity links the customer; an anonymous one never unlinks or merges.
    """
    now = now or timezone.now()
    store = identity.store
    key = key if isinstance(key, str) and VISITOR_KEY.match(key) else _new_key()
    live_settings = settings_for(store)
    location = geo.locate(geo.client_address(peer, forwarded_for), country_only=live_settings.country_only)
    with transaction.atomic():
        try:
            with transaction.atomic():
                visitor, created = Visitor.objects.get_or_create(
                    store=store, key=key, defaults={"first_seen_at": now, "last_seen_at": now},
                )
        except IntegrityError:  # two tabs of a new visitor at once
            visitor, created = Visitor.objects.get(store=store, key=key), False
        if created:
            # Made in this transaction: nobody else sees the row yet, and it has no chats.
            visitor.open_chats = []
        else:
            visitor = Visitor.objects.select_for_update().get(pk=visitor.pk)
            # Looked up once here for the workspace row and the welcome (selectors._open_chat reads it).
            visitor.open_chats = list(open_chats_of(visitor)[:1])
        was_present = _is_present(visitor, now)
        if identity.customer is not None:
            visitor.customer = identity.customer
        if location.country:
            visitor.country, visitor.country_name, visitor.city = location.country, location.country_name, location.city
        visitor.connections = visitor.connections + 1 if was_present else 1
        # A tab that just opened is in front of the shopper; the previous page may have said "hidden" as it went.
        visitor.state = VisitorState.ACTIVE
        visitor.offline_since = None
        visitor.heartbeat_at = now
        if new_visit_due(visitor, now):
            Visit.objects.create(visitor=visitor, started_at=now, last_seen_at=now)
            visitor.visit_count += 1
            # Time on site counts from the start of the visit: a page load (a new socket) does not reset it.
            visitor.online_since = now
        elif visitor.online_since is None:
            visitor.online_since = now
        visitor.last_seen_at = now
        visitor.save()
        publish_visitor(visitor)
    return visitor


def beacon_page_view(identity: VisitorIdentity, key, url, title="", referrer="", peer: str = "",
                     forwarded_for: str = "", now=None, client_at=None) -> PageView:
    """A page view sent over HTTP (WebSockets blocked): the visitor is seen, but not connected."""
    now = now or timezone.now()
    url = _clean_url(url, "url")
    if not (isinstance(key, str) and VISITOR_KEY.match(key)):
        raise InvalidInput.field("visitor", "The widget's visitor id.")
    location = geo.locate(geo.client_address(peer, forwarded_for),
                          country_only=settings_for(identity.store).country_only)
    with transaction.atomic():
        try:
            with transaction.atomic():
                visitor, _ = Visitor.objects.get_or_create(
                    store=identity.store, key=key, defaults={"first_seen_at": now, "last_seen_at": now},
                )
        except IntegrityError:
            visitor = Visitor.objects.get(store=identity.store, key=key)
        changes = {}
        if identity.customer is not None and visitor.customer_id != identity.customer.pk:
            changes["customer"] = identity.customer
        if location.country:
            changes.update(country=location.country, country_name=location.country_name, city=location.city)
        if changes:
            Visitor.objects.filter(pk=visitor.pk).update(**changes)
        return record_page_view(visitor.pk, url, title, referrer, now, client_at)


def _new_key() -> str:
    import secrets

    return secrets.token_urlsafe(18)


@dataclass(frozen=True)
class PageViewReport:
    """A checked page view as the widget reported it, waiting to be written (see record_page_views)."""

    visitor_id: int
    url: str
    title: str
    referrer: str
    # When the server received it: the page's start, and the time the previous page ends.
    received_at: datetime
    # The widget's clock (ms since the epoch), or None from an older widget: orders one browser's reports.
    client_at: int | None = None


def page_view_report(visitor_id: int, url, title="", referrer="", client_at=None, now=None) -> PageViewReport:
    """Check a reported page view (an InvalidInput names the field) without touching the database."""
    url = _clean_url(url, "url")
    title = _clean_text(title, "title", 300)
    try:
        referrer = _clean_url(referrer, "referrer", required=False)
    except InvalidInput:
        referrer = ""  # a referrer is a hint: an odd one is dropped, never a reason to lose the page view
    if not (isinstance(client_at, int) and not isinstance(client_at, bool) and 0 < client_at < 2**53):
        client_at = None  # a clock is a hint too: without it the report counts in the order it arrived
    return PageViewReport(visitor_id, url, title, referrer, now or timezone.now(), client_at)


def record_page_view(visitor_id: int, url, title="", referrer="", now=None, client_at=None) -> PageView:
    """A page was shown (a load or a History-API navigation): closes the previous page's time on page."""
    report = page_view_report(visitor_id, url, title, referrer, client_at, now)
    return record_page_views([report])[0]


# What a page-view batch reads and writes of a visitor (the rest of the row is left alone).
_BATCH_VISITOR_FIELDS = ["visit_count", "page_view_count", "current_url", "current_title", "page_started_at",
                         "page_reported_at", "last_seen_at", "heartbeat_at"]


def _is_late(visitor: Visitor, report: PageViewReport) -> bool:
    """An older page of the same browser arriving after a newer one (by the widget's own clock)."""
    return report.client_at is not None and visitor.page_reported_at is not None and \
        report.client_at < visitor.page_reported_at


def record_page_views(reports: list[PageViewReport], already_live: bool = False) -> list[PageView | None]:
    """Write page views in one transaction, in the order given (per visitor, as record_page_view would one by
    one): each closes the previous page's time on page and becomes the visitor's current page, unless the
    widget's clock says a newer page was reported already; then it goes into the history, before the current
    page, and changes nothing else. The same load reported twice within 2 s (beacon and socket) is one view.

    `already_live`: the consumer sent the page change to the workspaces itself (consumers.VisitorConsumer); only
    what it could not know (a new visit) is published here. Returns the view per report (None: visitor gone).
    """
    if not reports:
        return []
    latest_view = PageView.objects.filter(visitor=OuterRef("pk")).order_by("-started_at", "-id").values("pk")[:1]
    latest_visit = Visit.objects.filter(visitor=OuterRef("pk")).order_by("-started_at", "-id").values("pk")[:1]
    with transaction.atomic():
        # Locked in pk order (rule 7), so a batch never deadlocks with another process's batch.
        visitors = {
            visitor.pk: visitor for visitor in Visitor.objects.select_for_update().filter(
                pk__in={report.visitor_id for report in reports}).order_by("pk").only(*_BATCH_VISITOR_FIELDS).annotate(
                latest_view_id=Subquery(latest_view), latest_visit_id=Subquery(latest_visit))
        }
        previous = PageView.objects.only("url", "started_at", "seconds_on_page").in_bulk(
            [v.latest_view_id for v in visitors.values() if v.latest_view_id])
        previous = {visitor_id: previous.get(v.latest_view_id) for visitor_id, v in visitors.items()}
        visits = Visit.objects.only("page_view_count", "last_seen_at", "referrer").in_bulk(
            [v.latest_visit_id for v in visitors.values() if v.latest_visit_id])
        visits = {visitor_id: visits.get(v.latest_visit_id) for visitor_id, v in visitors.items()}
        new_views, closed, touched_visits, touched, new_visit_of, results = [], {}, {}, {}, set(), []
        for report in reports:
            visitor = visitors.get(report.visitor_id)
            if visitor is None:  # purged or deleted meanwhile: nothing to attach the view to
                results.append(None)
                continue
            now = report.received_at
            last = previous[visitor.pk]
            if last is not None and last.url == report.url and last.seconds_on_page is None and \
                    last.started_at >= now - timedelta(seconds=2):
                results.append(last)  # the beacon and the socket both reported the same load
                continue
            visit = visits[visitor.pk]
            if visit is None or new_visit_due(visitor, now):
                visit = Visit.objects.create(visitor_id=visitor.pk, started_at=now, last_seen_at=now)
                visits[visitor.pk] = visit
                visitor.visit_count += 1
                new_visit_of.add(visitor.pk)
            if _is_late(visitor, report):
                # Shown before the current page, for as long as the widget's clock says.
                gap = timedelta(milliseconds=visitor.page_reported_at - report.client_at)
                view = PageView(visitor_id=visitor.pk, visit_id=visit.pk, url=report.url, title=report.title,
                                referrer=report.referrer, started_at=(visitor.page_started_at or now) - gap,
                                seconds_on_page=int(gap.total_seconds()))
            else:
                if last is not None and last.seconds_on_page is None:
                    last.seconds_on_page = max(0, int((now - last.started_at).total_seconds()))
                    if last.pk is not None:
                        closed[last.pk] = last
                view = PageView(visitor_id=visitor.pk, visit_id=visit.pk, url=report.url, title=report.title,
                                referrer=report.referrer, started_at=now)
                previous[visitor.pk] = view
                visitor.current_url, visitor.current_title, visitor.page_started_at = report.url, report.title, now
                visitor.page_reported_at = report.client_at
            new_views.append(view)
            results.append(view)
            if visit.page_view_count == 0:
                visit.referrer = report.referrer
            visit.page_view_count += 1
            visit.last_seen_at = max(visit.last_seen_at, now)
            touched_visits[visit.pk] = visit
            visitor.page_view_count += 1
            visitor.last_seen_at = visitor.heartbeat_at = now
            touched[visitor.pk] = visitor
        PageView.objects.bulk_create(new_views)
        _update_rows(PageView, closed.values(), ["seconds_on_page"])
        _update_rows(Visit, touched_visits.values(), ["page_view_count", "last_seen_at", "referrer"])
        _update_rows(Visitor, touched.values(), _BATCH_VISITOR_FIELDS)
        for visitor in touched.values():
            if not already_live or visitor.pk in new_visit_of:
                publish_visitor(Visitor.objects.select_related("customer").get(pk=visitor.pk))
    return results


def _update_rows(model, objects, fields: list[str]) -> None:
    """Save `fields` of many rows: one UPDATE statement run for each row (executemany).

    QuerySet.bulk_update builds a CASE expression per field over every row, and resolving those
    expressions cost more CPU than the rest of a page-view batch together (profiled at 300 visitors).
    """
    objects = list(objects)
    if not objects:
        return
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    columns = [model._meta.get_field(name) for name in fields]
    # Only table and column names from the model's own metadata go into the text; every value is a parameter.
    sql = "UPDATE {} SET {} WHERE {} = %s".format(  # noqa: S608
        quote(model._meta.db_table), ", ".join(f"{quote(field.column)} = %s" for field in columns),
        quote(model._meta.pk.column))
    rows = [[field.get_db_prep_save(getattr(obj, field.attname), connection) for field in columns] + [obj.pk]
            for obj in objects]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def record_heartbeats(visitor_ids, now=None) -> int:
    """Many tabs said they are still there (pings, written together): one UPDATE."""
    if not visitor_ids:
        return 0
    now = now or timezone.now()
    return Visitor.objects.filter(pk__in=list(visitor_ids)).update(heartbeat_at=now, last_seen_at=now)


def report_activity(visitor_id: int, state: str, now=None) -> Visitor:
    """The widget says the visitor is active, idle (no input for a minute) or the tab is hidden."""
    if state not in ("active", "idle", "hidden"):
        raise InvalidInput.field("state", "One of active, idle, hidden.")
    now = now or timezone.now()
    new_state = VisitorState.ACTIVE if state == "active" else VisitorState.IDLE
    with transaction.atomic():
        changed = Visitor.objects.filter(pk=visitor_id).exclude(state=new_state).exclude(
            state=VisitorState.OFFLINE).update(state=new_state, heartbeat_at=now, last_seen_at=now)
        visitor = Visitor.objects.get(pk=visitor_id)
        if changed:
            publish_visitor(visitor)
    return visitor


def visitor_heartbeat(visitor_id: int, now=None) -> None:
    now = now or timezone.now()
    Visitor.objects.filter(pk=visitor_id).update(heartbeat_at=now, last_seen_at=now)


def disconnect_visitor(visitor_id: int, now=None) -> Visitor | None:
    now = now or timezone.now()
    with transaction.atomic():
        visitor = Visitor.objects.select_for_update().filter(pk=visitor_id).first()
        if visitor is None:
            return None
        visitor.connections = max(0, visitor.connections - 1)
        if visitor.connections == 0:
            visitor.state = VisitorState.OFFLINE
            visitor.offline_since = now
            visitor.wants_call = False
        visitor.last_seen_at = now
        visitor.save(update_fields=["connections", "state", "offline_since", "last_seen_at", "wants_call"])
        if visitor.connections == 0:
            publish_visitor(visitor)
    return visitor


def purge_old_visitors(now=None) -> int:
    """Delete visitors (with their visits, page views and chats) unseen for longer than their store's retention."""
    now = now or timezone.now()
    deleted = 0
    for store in Store.objects.all():
        days = settings_for(store).retention_days or 90
        count, _ = Visitor.objects.filter(store=store, last_seen_at__lt=now - timedelta(days=days)).delete()
        deleted += count
    return deleted


def publish_visitor(visitor: Visitor) -> None:
    from shopfloor.live.selectors import visitor_row

    events.to_store(visitor.store_id, {"type": "visitor", "visitor": visitor_row(visitor)})


# Associates: availability (their choice) and presence (heartbeats) ---------------------------------------------


def live_of(associate: Associate) -> AssociateLive:
    row, _ = AssociateLive.objects.get_or_create(associate=associate)
    return row


def _require_associate(actor: Actor) -> Associate:
    if actor.associate is None:
        raise NotAllowed("Only associates take live chats.")
    return actor.associate


def set_availability(actor: Actor, availability: str, now=None) -> AssociateLive:
    associate = _require_associate(actor)
    if availability not in Availability.values:
        raise InvalidInput.field("availability", f"One of {', '.join(Availability.values)}.")
    now = now or timezone.now()
    with transaction.atomic():
        row = live_of(associate)
        AssociateLive.objects.filter(pk=row.pk).update(availability=availability, availability_changed_at=now,
                                                       heartbeat_at=now)
        row.refresh_from_db()
        events.to_associate(associate.pk, {"type": "availability", "availability": availability})
        _publish_launcher(associate.store)
        if availability == Availability.AVAILABLE:
            route_queue(associate.store)
    return row


def associate_heartbeat(associate_id: int, now=None) -> None:
    now = now or timezone.now()
    if not AssociateLive.objects.filter(associate_id=associate_id).update(heartbeat_at=now):
        AssociateLive.objects.get_or_create(associate_id=associate_id, defaults={"heartbeat_at": now})


def associate_arrived(associate_id: int) -> None:
    """A workspace tab opened: present now, so an available associate shows the launcher and takes the queue."""
    associate_heartbeat(associate_id)
    associate = Associate.objects.select_related("store", "live").filter(pk=associate_id).first()
    if associate is not None and associate.live.availability == Availability.AVAILABLE:
        with transaction.atomic():
            _publish_launcher(associate.store)
            route_queue(associate.store)


def associate_left(associate_id: int) -> None:
    """The last workspace tab closed: not present any more (availability, their choice, stays)."""
    with transaction.atomic():
        AssociateLive.objects.filter(associate_id=associate_id).update(heartbeat_at=None)
        associate = Associate.objects.select_related("store").filter(pk=associate_id).first()
        if associate is not None:
            _publish_launcher(associate.store)


def _is_present_and_available(now=None) -> Q:
    """An associate who chose to be available and whose heartbeat is within the presence window."""
    now = now or timezone.now()
    return Q(live__availability=Availability.AVAILABLE,
             live__heartbeat_at__gte=now - timedelta(seconds=conf.PRESENCE_WINDOW_SECONDS))


def _present_available(store: Store, now=None):
    return Associate.objects.filter(_is_present_and_available(now), store=store, active=True, user__isnull=False)


def may_take(associate: Associate, visitor: Visitor) -> bool:
    """An associate may take a request from this visitor (the online connector lets any associate of the
    store answer, DESIGN.md §3); an associate of another store may not."""
    return associate.store_id == visitor.store_id and associate.active


def talk_to_us(store: Store, customer=None) -> bool:
    """Whether the widget shows its "talk to us" launcher: an eligible associate is available and present."""
    if customer is None and requires_verified_identity(store):
        return False
    return _present_available(store).exists()


def requestable_associates(store: Store) -> list[dict]:
    """Whom a visitor may ask for by name (the online connector): any active associate with a login in an
    associate-mode store; nobody in particular in a team-mode store, where the store answers."""
    if store.is_team_mode:
        return []
    return [{"id": a.pk, "name": a.name} for a in store.associates.filter(active=True, user__isnull=False)]


def welcome_facts(store: Store, customer=None) -> tuple[bool, list[dict]]:
    """(talk_to_us, requestable_associates) for a visitor's welcome, read together: in an associate-mode store
    both come from the same associates, so one query answers both."""
    if store.is_team_mode:
        return talk_to_us(store, customer), []
    rows = list(store.associates.filter(active=True, user__isnull=False).annotate(
        is_present_and_available=ExpressionWrapper(_is_present_and_available(), output_field=BooleanField()),
    ).values_list("pk", "name", "is_present_and_available"))
    anyone = any(row[2] for row in rows) and not (customer is None and requires_verified_identity(store))
    return anyone, [{"id": pk, "name": name} for pk, name, _ in rows]


def _publish_launcher(store: Store) -> None:
    """Tell the store's visitors whether somebody is there to talk to (they show the launcher or the form)."""
    events.publish([f"live-launcher-{store.pk}"], {"type": "availability", "talk_to_us": talk_to_us(store)})


def launcher_group(store_id: int) -> str:
    return f"live-launcher-{store_id}"


# Chats -------------------------------------------------------------------------------------------------------


def open_chats_of(visitor: Visitor):
    return Chat.objects.filter(visitor_id=visitor.pk, status__in=OPEN).select_related("associate").order_by(
        "-created_at", "-id")


def open_chat_of(visitor: Visitor) -> Chat | None:
    return open_chats_of(visitor).first()


def active_chat_count(associate: Associate) -> int:
    return Chat.objects.filter(associate=associate, status=ChatStatus.ACTIVE).count()


def request_chat(visitor: Visitor, requested_associate_id=None, wants_call: bool = False, now=None) -> Chat:
    """The visitor asks to talk (the chat box, "call us", or the online connector): a waiting chat, routed."""
    now = now or timezone.now()
    if visitor.customer_id is None and requires_verified_identity(visitor.store):
        raise NotAllowed("This store talks to signed-in customers only.")
    requested = None
    if requested_associate_id:
        requested = Associate.objects.filter(pk=requested_associate_id, store_id=visitor.store_id,
                                             active=True).first()
        if requested is None:
            raise InvalidInput.field("associate_id", "No such associate in this store.")
    with transaction.atomic():
        Visitor.objects.select_for_update().get(pk=visitor.pk)
        chat = open_chat_of(visitor)
        if chat is None:
            chat = Chat.objects.create(
                store_id=visitor.store_id, visitor=visitor, customer_id=visitor.customer_id,
                origin=ChatOrigin.REACTIVE, status=ChatStatus.WAITING, requested_associate=requested,
                wants_call=wants_call, created_at=now,
            )
            _notify_request(chat)
        elif wants_call and not chat.wants_call:
            Chat.objects.filter(pk=chat.pk).update(wants_call=True)
            chat.wants_call = True
        if wants_call:
            Visitor.objects.filter(pk=visitor.pk).update(wants_call=True)
        if chat.status == ChatStatus.WAITING:
            _route(chat, now)
        publish_chat(chat)
        publish_visitor(Visitor.objects.get(pk=visitor.pk))
    return chat


def _notify_request(chat: Chat) -> None:
    from shopfloor.comms.models import NotificationKind
    from shopfloor.comms.services import notify

    target = chat.requested_associate
    if target is None or not target.user_id:
        return
    notify(target.user, NotificationKind.LIVE, "A customer asked to talk to you",
           "They are waiting in the live workspace.", reverse("live:workspace"))


def _count(queryset):
    return Coalesce(Subquery(queryset.order_by().values("pk").annotate(n=Func(F("pk"), function="COUNT"))
                             .values("n")[:1]), 0)


def _candidates(chat: Chat, now):
    """Present, available associates under the chat limit, least busy first; a request offered to someone
    and not yet taken counts as their load too, so two requests are not offered to the same free seat."""
    in_session = Chat.objects.filter(associate=OuterRef("pk"), status=ChatStatus.ACTIVE)
    offered = Chat.objects.filter(routed_to=OuterRef("pk"), status=ChatStatus.WAITING).exclude(pk=chat.pk)
    limit = settings_for(chat.store).chat_limit
    return _present_available(chat.store, now).annotate(
        busy=_count(in_session) + _count(offered)).filter(busy__lt=limit).order_by("busy", "pk")


def _route(chat: Chat, now) -> Associate | None:
    """Offer the waiting chat to the associate asked for when they can, else the least busy one; or queue it."""
    candidates = list(_candidates(chat, now))
    chosen = None
    if chat.requested_associate_id:
        chosen = next((a for a in candidates if a.pk == chat.requested_associate_id), None)
    if chosen is None and candidates:
        chosen = candidates[0]
    if chosen is not None and chosen.pk != chat.routed_to_id:
        Chat.objects.filter(pk=chat.pk).update(routed_to=chosen)
        chat.routed_to = chosen
    return chosen


def route_queue(store: Store, now=None) -> None:
    """Offer queued chats (oldest first) to associates who have room, and tell each visitor their place."""
    now = now or timezone.now()
    waiting = list(Chat.objects.filter(store=store, status=ChatStatus.WAITING).order_by("created_at", "pk"))
    position = 0
    for chat in waiting:
        offer_lapsed = chat.routed_to_id is None or not _candidates(chat, now).filter(pk=chat.routed_to_id).exists()
        if offer_lapsed and _route(chat, now) is None and chat.routed_to_id is not None:
            Chat.objects.filter(pk=chat.pk).update(routed_to=None)
            chat.routed_to = None
        if chat.routed_to_id is None:
            position += 1
        events.to_visitor(chat.visitor_id, {"type": "chat", "chat": visitor_chat_state(chat, position or None)})


def queue_position(chat: Chat) -> int | None:
    if chat.status != ChatStatus.WAITING or chat.routed_to_id is not None:
        return None
    return Chat.objects.filter(store_id=chat.store_id, status=ChatStatus.WAITING, routed_to__isnull=True).filter(
        Q(created_at__lt=chat.created_at) | Q(created_at=chat.created_at, pk__lte=chat.pk)
    ).count()


def visitor_chat_state(chat: Chat, position: int | None = None) -> dict:
    """What the visitor's widget knows of its chat (never the queue's other visitors)."""
    associate = chat.associate if chat.associate_id else None
    note = ""
    if chat.status == ChatStatus.WAITING and chat.requested_associate_id and \
            chat.routed_to_id != chat.requested_associate_id:
        # The online connector: the associate asked for is away or busy, so the store answers.
        note = f"{chat.requested_associate.name} is not available right now; another associate of the store " \
               "will answer."
    return {
        "id": chat.pk, "status": chat.status, "seq": chat.message_count,
        "associate_name": associate.name if associate else "",
        "queue_position": position if position is not None else queue_position(chat),
        "in_call": chat.in_call, "note": note,
    }


def publish_chat(chat: Chat) -> None:
    from shopfloor.live.selectors import chat_row

    chat = Chat.objects.select_related("associate", "routed_to", "visitor").get(pk=chat.pk)
    events.to_store(chat.store_id, {"type": "chat", "chat": chat_row(chat)})
    events.to_visitor(chat.visitor_id, {"type": "chat", "chat": visitor_chat_state(chat)})


def start_chat(actor: Actor, visitor_id, now=None) -> Chat:
    """The associate opens a chat with a visitor (proactive), or takes the visitor's waiting request."""
    associate = _require_associate(actor)
    now = now or timezone.now()
    visitor = get_live_visitor_for(actor, visitor_id)
    with transaction.atomic():
        Visitor.objects.select_for_update().get(pk=visitor.pk)
        chat = open_chat_of(visitor)
        if chat is not None and chat.status == ChatStatus.WAITING:
            return take_chat(actor, chat.pk, now=now)
        if chat is not None:
            if chat.associate_id != associate.pk:
                raise Conflict(f"{chat.associate.name if chat.associate else 'Someone'} is talking to this visitor.")
            return chat
        _check_limit(associate, visitor.store)
        chat = Chat.objects.create(
            store_id=visitor.store_id, visitor=visitor, customer_id=visitor.customer_id, associate=associate,
            origin=ChatOrigin.PROACTIVE, status=ChatStatus.ACTIVE, created_at=now, taken_at=now,
        )
        _record_interaction(chat, "chat")
        publish_chat(chat)
        publish_visitor(visitor)
    return chat


def _check_limit(associate: Associate, store: Store) -> None:
    limit = settings_for(store).chat_limit
    if active_chat_count(associate) >= limit:
        raise Conflict(f"You have {limit} chats in session already; close one first.")


def take_chat(actor: Actor, chat_id, now=None) -> Chat:
    """"Start Session" on a waiting request: the first associate to take it owns it, the others see it taken."""
    associate = _require_associate(actor)
    now = now or timezone.now()
    try:
        chat = get_live_chat_for(actor, chat_id)
    except NotVisible:
        # Taken a moment ago by a colleague: say so to whoever could see the request.
        chat = Chat.objects.filter(pk=chat_id if isinstance(chat_id, int) else None, store_id=associate.store_id,
                                   associate__isnull=False).select_related("associate").first()
        if chat is None or not visible_live_visitors(actor).filter(pk=chat.visitor_id).exists():
            raise
        raise Conflict(f"{chat.associate.name} took this chat already.")
    if not may_take(associate, chat.visitor):
        raise NotVisible
    with transaction.atomic():
        _check_limit(associate, chat.store)
        claimed = Chat.objects.filter(pk=chat.pk, status=ChatStatus.WAITING, associate__isnull=True).update(
            status=ChatStatus.ACTIVE, associate=associate, taken_at=now,
        )
        chat = Chat.objects.select_related("associate", "visitor").get(pk=chat.pk)
        if not claimed:
            if chat.associate_id == associate.pk:
                return chat
            raise Conflict(f"{chat.associate.name if chat.associate else 'Someone'} took this chat already.")
        _system_message(chat, f"{associate.name} joined the chat.", now)
        _record_interaction(chat, "chat")
        publish_chat(chat)
        publish_visitor(chat.visitor)
        route_queue(chat.store, now)
    return chat


def _record_interaction(chat: Chat, kind: str) -> None:
    """Chats and calls with a known customer are attribution evidence (rule 4), once per chat and kind."""
    if chat.customer_id is None or chat.associate_id is None:
        return
    from shopfloor.orders.services import record_interaction

    record_interaction(chat.associate, kind, customer=chat.customer, visitor_id=chat.visitor.key[:64],
                       source_ref=f"live-{kind}:{chat.pk}")


def _next_seq(chat: Chat) -> int:
    Chat.objects.filter(pk=chat.pk).update(message_count=F("message_count") + 1)
    return Chat.objects.values_list("message_count", flat=True).get(pk=chat.pk)


def _add_message(chat: Chat, sender: str, body: str, associate: Associate | None, now) -> ChatMessage:
    seq = _next_seq(chat)
    message = ChatMessage.objects.create(chat=chat, seq=seq, sender=sender, associate=associate, body=body,
                                         created_at=now)
    chat.message_count = seq
    payload = {"type": "message", "chat_id": chat.pk, "message": message_row(message)}
    events.to_visitor(chat.visitor_id, payload)
    if chat.associate_id:
        events.to_associate(chat.associate_id, payload)
    else:
        events.to_store(chat.store_id, {**payload, "visitor_id": chat.visitor_id})
    return message


def _system_message(chat: Chat, body: str, now) -> ChatMessage:
    return _add_message(chat, Sender.SYSTEM, body, None, now)


def message_row(message: ChatMessage) -> dict:
    return {
        "seq": message.seq, "sender": message.sender, "body": message.body,
        "author": message.associate.name if message.associate_id and message.sender == Sender.ASSOCIATE else "",
        "created_at": message.created_at.isoformat(),
    }


def _clean_body(body) -> str:
    if not isinstance(body, str) or not body.strip():
        raise InvalidInput.field("body", "Write a message.")
    body = body.replace("\x00", "").strip()
    if len(body) > conf.MAX_MESSAGE_CHARS:
        raise InvalidInput.field("body", f"At most {conf.MAX_MESSAGE_CHARS} characters.")
    return body


def visitor_says(visitor: Visitor, body, now=None) -> ChatMessage:
    """A visitor's message: into their open chat, or a new reactive request when there is none."""
    now = now or timezone.now()
    body = _clean_body(body)
    chat = open_chat_of(visitor) or request_chat(visitor, now=now)
    with transaction.atomic():
        message = _add_message(chat, Sender.VISITOR, body, None, now)
        Chat.objects.filter(pk=chat.pk).update(visitor_last_seq=message.seq)
        publish_visitor(Visitor.objects.get(pk=visitor.pk))
    return message


def associate_says(actor: Actor, chat_id, body, now=None) -> ChatMessage:
    associate = _require_associate(actor)
    now = now or timezone.now()
    body = _clean_body(body)
    chat = _owned_chat(actor, associate, chat_id)
    with transaction.atomic():
        message = _add_message(chat, Sender.ASSOCIATE, body, associate, now)
        Chat.objects.filter(pk=chat.pk).update(associate_read_seq=message.seq)
    return message


def _owned_chat(actor: Actor, associate: Associate, chat_id) -> Chat:
    chat = get_live_chat_for(actor, chat_id, Chat.objects.select_related("visitor", "associate"))
    if chat.status != ChatStatus.ACTIVE or chat.associate_id != associate.pk:
        raise Conflict("Start the session first: this chat is not yours.")
    return chat


def mark_read(actor: Actor, chat_id, seq) -> None:
    associate = _require_associate(actor)
    chat = _owned_chat(actor, associate, chat_id)
    if not isinstance(seq, int) or seq < 0:
        raise InvalidInput.field("seq", "A message number.")
    with transaction.atomic():
        Chat.objects.filter(pk=chat.pk, associate_read_seq__lt=seq).update(
            associate_read_seq=min(seq, chat.message_count))
        publish_visitor(chat.visitor)


def messages_since(chat: Chat, seq, limit: int = 500) -> list[dict]:
    seq = seq if isinstance(seq, int) and seq >= 0 else 0
    messages = chat.messages.filter(seq__gt=seq).select_related("associate").order_by("seq")[:limit]
    return [message_row(message) for message in messages]


def close_chat(chat: Chat, by: str, now=None) -> Chat:
    now = now or timezone.now()
    with transaction.atomic():
        closed = Chat.objects.filter(pk=chat.pk, status__in=OPEN).update(
            status=ChatStatus.CLOSED, closed_at=now, in_call=False)
        if closed:
            chat.refresh_from_db()
            _system_message(chat, "The visitor ended the chat." if by == Sender.VISITOR else "The chat ended.", now)
            Visitor.objects.filter(pk=chat.visitor_id).update(wants_call=False)
            publish_chat(chat)
            publish_visitor(Visitor.objects.get(pk=chat.visitor_id))
            route_queue(chat.store, now)
    return chat


def associate_closes(actor: Actor, chat_id, now=None) -> Chat:
    associate = _require_associate(actor)
    return close_chat(_owned_chat(actor, associate, chat_id), Sender.ASSOCIATE, now)


# Navigate and calls --------------------------------------------------------------------------------------------


def navigate(actor: Actor, chat_id, url, own_origin: str = "") -> str:
    """Send the visitor's browser to `url`, a page of one of the store's own storefronts (no open redirect).

    Allowed: the store's widget origins (WidgetSettings.allowed_origins) and `own_origin`, Shopfloor's
    own origin where the demo shop is served (the caller passes it from the request).
    """
    associate = _require_associate(actor)
    chat = _owned_chat(actor, associate, chat_id)
    url = _clean_url(url, "url")
    parts = urlsplit(url)
    if not origin_is_allowed(chat.store, f"{parts.scheme}://{parts.netloc}", own_origin or "-"):
        raise InvalidInput.field("url", "Only pages of this store's own storefront.")
    with transaction.atomic():
        _system_message(chat, f"{associate.name} showed you a page: {url}", timezone.now())
        events.to_visitor(chat.visitor_id, {"type": "navigate", "url": url, "chat_id": chat.pk})
    return url


def start_call(actor: Actor, chat_id) -> Chat:
    """The associate starts (proactive) or answers (reactive) a video call in their chat."""
    associate = _require_associate(actor)
    chat = _owned_chat(actor, associate, chat_id)
    with transaction.atomic():
        Chat.objects.filter(pk=chat.pk).update(in_call=True, wants_call=False)
        Visitor.objects.filter(pk=chat.visitor_id).update(wants_call=False)
        chat.refresh_from_db()
        _record_interaction(chat, "call")
        events.to_visitor(chat.visitor_id, {
            "type": "call", "state": "offer", "chat_id": chat.pk, "associate_name": associate.name,
            "ice_servers": conf.ice_servers(),
        })
        publish_chat(chat)
        publish_visitor(Visitor.objects.get(pk=chat.visitor_id))
    return chat


def end_call(chat: Chat) -> Chat:
    with transaction.atomic():
        if Chat.objects.filter(pk=chat.pk, in_call=True).update(in_call=False):
            chat.refresh_from_db()
            events.to_visitor(chat.visitor_id, {"type": "call", "state": "ended", "chat_id": chat.pk})
            if chat.associate_id:
                events.to_associate(chat.associate_id, {"type": "call", "state": "ended", "chat_id": chat.pk})
            publish_chat(chat)
            publish_visitor(Visitor.objects.get(pk=chat.visitor_id))
    return chat


def associate_ends_call(actor: Actor, chat_id) -> Chat:
    associate = _require_associate(actor)
    return end_call(_owned_chat(actor, associate, chat_id))


# Leave a message ------------------------------------------------------------------------------------------------


def leave_message(store: Store, body, name="", email="", visitor: Visitor | None = None,
                  requested_associate_id=None, now=None) -> LeftMessage:
    """Nobody was available: keep the visitor's message and tell the store's associates (or the one asked for)."""
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    from shopfloor.comms.models import NotificationKind
    from shopfloor.comms.services import notify

    now = now or timezone.now()
    body = _clean_body(body)
    name = _clean_text(name, "name", 150)
    email = _clean_text(email, "email", 254)
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise InvalidInput.field("email", "Enter a valid email address.")
    requested = None
    if requested_associate_id:
        requested = Associate.objects.filter(pk=requested_associate_id, store=store, active=True).first()
    customer = visitor.customer if visitor is not None else None
    with transaction.atomic():
        left = LeftMessage.objects.create(
            store=store, visitor=visitor, customer=customer, requested_associate=requested, name=name,
            email=email, body=body, created_at=now,
        )
        recipients = [requested] if requested and requested.user_id else list(
            Associate.objects.filter(store=store, active=True, user__isnull=False).select_related("user"))
        who = name or email or (str(customer) if customer else "A visitor")
        _task_for_left_message(left, who)
        for associate in recipients:
            if customer is not None and not can_see_customer(Actor(associate.user), customer) \
                    and requested is None and not store.is_team_mode:
                continue
            notify(associate.user, NotificationKind.LIVE, f"{who} left a message", body[:500],
                   reverse("live:workspace"))
    return left


def _task_for_left_message(left: LeftMessage, who: str) -> None:
    """A left message becomes a task (clienteling's): for the associate asked for, else the customer's
    primary associate, else the store's (unassigned) task list."""
    try:
        from shopfloor.clienteling.models import Task
    except ImportError:
        return
    assignee = left.requested_associate
    if assignee is None and left.customer is not None:
        primary = left.customer.assignments.filter(is_primary=True).select_related("associate").first()
        assignee = primary.associate if primary and primary.associate.store_id == left.store_id else None
    contact = " · ".join(part for part in (left.name, left.email) if part)
    Task.objects.create(
        title=f"Reply to {who}'s message"[:200], store=left.store, customer=left.customer, assignee=assignee,
        due_on=timezone.localdate(), source="live_message",
        description=f"{left.body}\n\n{contact}".strip(),
    )


def save_live_settings(actor_user, store: Store, data: dict) -> LiveSettings:
    """Change a store's live-shopping settings (admins, through the Django admin); audited."""
    from shopfloor.accounts.services import record_event

    errors = []
    chat_limit = data.get("chat_limit")
    if chat_limit is not None and not (isinstance(chat_limit, int) and 1 <= chat_limit <= 50):
        errors.append((("body", "chat_limit"), "Between 1 and 50 chats."))
    retention = data.get("retention_days")
    if retention is not None and not (isinstance(retention, int) and 1 <= retention <= 3650):
        errors.append((("body", "retention_days"), "Between 1 and 3650 days."))
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        live_settings = settings_for(store)
        for name in ("country_only", "chat_limit", "retention_days"):
            if data.get(name) is not None:
                setattr(live_settings, name, data[name])
        live_settings.save()
        record_event(actor_user, "live_settings.saved", live_settings, store_id=store.pk,
                     country_only=live_settings.country_only, chat_limit=live_settings.chat_limit,
                     retention_days=live_settings.retention_days)
        route_queue(store)
    return live_settings
