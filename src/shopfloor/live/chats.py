"""Chats with storefront visitors: requests and their routing, messages, Navigate, video calls, and the
messages visitors leave when nobody can answer.

Routing: a reactive request is offered to the least busy available, present associate who may take it (fewest
chats in session, under the store's chat limit; the associate the customer asked for first); every associate
who may see the visitor sees the request and the first to "Start Session" owns it (a conditional UPDATE).
When nobody can take it the chat waits in the store's queue and the visitor sees their position.

Each write is one transaction and sends its live events on commit (events.py).
"""

from urllib.parse import urlsplit

from django.db import transaction
from django.db.models import F, Func, OuterRef, Q, Subquery
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
from shopfloor.live import conf, events
from shopfloor.live.conf import settings_for
from shopfloor.live.identity import origin_is_allowed, requires_verified_identity
from shopfloor.live.models import Chat, ChatMessage, ChatOrigin, ChatStatus, LeftMessage, Sender, Visitor
from shopfloor.live.presence import may_take, present_available, require_associate
from shopfloor.live.visitors import OPEN, clean_text, clean_url, open_chats_of, publish_visitor


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
    return present_available(chat.store, now).annotate(
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
    associate = require_associate(actor)
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
    associate = require_associate(actor)
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
    from shopfloor.attribution.services import record_interaction

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
    associate = require_associate(actor)
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
    associate = require_associate(actor)
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
    associate = require_associate(actor)
    return close_chat(_owned_chat(actor, associate, chat_id), Sender.ASSOCIATE, now)


def navigate(actor: Actor, chat_id, url, own_origin: str = "") -> str:
    """Send the visitor's browser to `url`, a page of one of the store's own storefronts (no open redirect).

    Allowed: the store's widget origins (WidgetSettings.allowed_origins) and `own_origin`, Shopfloor's
    own origin where the demo shop is served (the caller passes it from the request).
    """
    associate = require_associate(actor)
    chat = _owned_chat(actor, associate, chat_id)
    url = clean_url(url, "url")
    parts = urlsplit(url)
    if not origin_is_allowed(chat.store, f"{parts.scheme}://{parts.netloc}", own_origin or "-"):
        raise InvalidInput.field("url", "Only pages of this store's own storefront.")
    with transaction.atomic():
        _system_message(chat, f"{associate.name} showed you a page: {url}", timezone.now())
        events.to_visitor(chat.visitor_id, {"type": "navigate", "url": url, "chat_id": chat.pk})
    return url


def start_call(actor: Actor, chat_id) -> Chat:
    """The associate starts (proactive) or answers (reactive) a video call in their chat."""
    associate = require_associate(actor)
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
    associate = require_associate(actor)
    return end_call(_owned_chat(actor, associate, chat_id))


def leave_message(store: Store, body, name="", email="", visitor: Visitor | None = None,
                  requested_associate_id=None, now=None) -> LeftMessage:
    """Nobody was available: keep the visitor's message and tell the store's associates (or the one asked for)."""
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    from shopfloor.comms.models import NotificationKind
    from shopfloor.comms.services import notify

    now = now or timezone.now()
    body = _clean_body(body)
    name = clean_text(name, "name", 150)
    email = clean_text(email, "email", 254)
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
