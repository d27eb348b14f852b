"""The live WebSockets: one per visitor tab (/ws/live/visitor/) and one per workspace tab (/ws/live/associate/).

Consumers are thin: they check the frame (size, JSON, rate), call services and selectors in
a database thread, and pass live events on to the person at the other end after asking
access.py whether that person may see them. Bad frames get an `error` frame; the connection
(and the server) carry on, except for a connection that keeps flooding, which is closed.

Protocol, visitor → server (JSON objects with a "type"):
  hello {token?, store?, visitor?, url?, title?, referrer?, chat_seq?}   first frame, within 10 s
  page {url, title?, referrer?, at?}  a page view (load or History-API navigation); `at` the widget's clock in ms
  activity {state: active|idle|hidden}; ping {}
  say {body}; typing {}; resume {since}; close {}
  ask {associate_id?, call?}          ask to talk (online connector), `call` for a video call
  signal {data}; hangup {}            WebRTC signalling with the associate
  leave_message {body, name?, email?, associate_id?}
server → visitor: welcome, chat, message, typing, navigate, call, signal, availability, error, pong.

Associate → server: availability {value}; ping; start {visitor_id}; take {chat_id}; say {chat_id, body};
typing {chat_id}; read {chat_id, seq}; resume {chat_id, since}; close {chat_id}; navigate {chat_id, url};
call {chat_id}; signal {chat_id, data}; hangup {chat_id}.
server → associate: snapshot, visitor, visitor_page, visitor_gone, chat, message, typing, signal, call, availability,
error, pong. `visitor_page` changes only the current page of a visitor already on the associate's list.

Page views and pings are the hot path (every visitor, every few seconds): they touch no database on the
way. The page change goes to the workspaces straight from the frame, with the other page changes of the same
tick (events.PageAnnouncements), and the write waits in writes.py for the next batch.
"""

import asyncio
import contextlib
import json
import logging
import time
from urllib.parse import urlsplit

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from shopfloor.access import Actor, NotAllowed, NotVisible, can_see_customer, can_see_live_visitor
from shopfloor.errors import Conflict, InvalidInput
from shopfloor.live import chats, conf, events, presence, selectors, services, visitors
from shopfloor.live.identity import identify, origin_is_allowed, requires_verified_identity
from shopfloor.live.models import Chat, ChatStatus, Visitor
from shopfloor.live.writes import pending_writes

logger = logging.getLogger(__name__)

HELLO_TIMEOUT_SECONDS = 10
# A heartbeat older than this is written at the next ping (well inside conf.PRESENCE_WINDOW_SECONDS).
HEARTBEAT_WRITE_SECONDS = conf.PRESENCE_WINDOW_SECONDS // 2


class RateLimit:
    """A token bucket per connection: RATE_BURST frames at once, refilled at RATE_PER_SECOND."""

    def __init__(self, rate=conf.RATE_PER_SECOND, burst=conf.RATE_BURST):
        self.rate, self.burst = rate, burst
        self.tokens = float(burst)
        self.updated = time.monotonic()
        self.refused = 0

    def allow(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        self.refused += 1
        return False


def _header(scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return ""


def own_origin(scope) -> str:
    """Shopfloor's own origin as the browser saw it (the demo shop and the console are served there)."""
    host = _header(scope, b"host")
    origin = _header(scope, b"origin")
    scheme = urlsplit(origin).scheme if origin else "http"
    return f"{scheme}://{host}".lower() if host else ""


class LiveConsumer(AsyncJsonWebsocketConsumer):
    """What both ends share: frame checks, rate limit, error frames, group membership."""

    handlers: dict = {}

    async def __call__(self, scope, receive, send):
        async def send_unless_gone(message):
            # An OSError is how an ASGI server says "the client has gone" (the ASGI spec; uvicorn's ClientDisconnected):
            # a tab closed while an event was on its way to it. The frame is moot; the websocket.disconnect that
            # follows is not, and raised, the error would end the consumer before it: uvicorn swallows it, the
            # disconnect handler never runs, and the visitor stays "on site" (the associate "present"), groups joined.
            with contextlib.suppress(OSError):
                await send(message)

        await super().__call__(scope, receive, send_unless_gone)

    async def connect(self):
        self.limit = RateLimit()
        self.groups_joined: list[str] = []
        await self.accept()

    async def dispatch(self, message):
        # Channels (4.2+) hops to its single database thread before every message of every consumer to close
        # stale connections. Here that is one hop per page view and per workspace update, queued behind the
        # page-view batches: it was most of the latency at a thousand visitors. Every database call of these
        # consumers goes through database_sync_to_async, which closes stale connections itself.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def db(self, function, *args, **kwargs):
        """Run a service in the database thread; its live events go out from here, after it committed,
        so the database thread never waits on the channel layer."""
        result, pending = await database_sync_to_async(events.collecting)(function, *args, **kwargs)
        await events.deliver(self.channel_layer, pending)
        return result

    async def join(self, group: str):
        await self.channel_layer.group_add(group, self.channel_name)
        self.groups_joined.append(group)

    async def disconnect(self, code):
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        if not self.limit.allow():
            if self.limit.refused >= conf.FLOOD_CLOSE_AFTER:
                await self.close(code=4008)
            elif self.limit.refused % 50 == 1:
                await self.send_error("Too many messages; slow down.", "rate")
            return
        if text_data is None or len(text_data) > conf.MAX_FRAME_BYTES:
            await self.send_error(f"Send JSON text frames of at most {conf.MAX_FRAME_BYTES} bytes.", "frame")
            return
        try:
            content = json.loads(text_data)
        except ValueError:
            await self.send_error("Not JSON.", "frame")
            return
        if not isinstance(content, dict) or not isinstance(content.get("type"), str):
            await self.send_error("A JSON object with a \"type\".", "type")
            return
        handler = self.handlers.get(content["type"])
        if handler is None:
            await self.send_error(f"Unknown type {content['type'][:40]!r}.", "type")
            return
        try:
            await getattr(self, handler)(content)
        except InvalidInput as error:
            await self.send_json({"type": "error", "detail": error.as_detail(), "ref": content.get("ref")})
        except (Conflict, NotAllowed) as error:
            await self.send_error(str(error), "state", content.get("ref"))
        except (NotVisible, Chat.DoesNotExist, Visitor.DoesNotExist):
            await self.send_error("Not found.", "not_found", content.get("ref"))
        except Exception:  # one bad frame must not end the connection, nor the server
            logger.exception("Live frame %r failed", content.get("type"))
            await self.send_error("Something went wrong; try again.", "server", content.get("ref"))

    async def send_error(self, message: str, code: str, ref=None):
        await self.send_json({"type": "error", "detail": [{"loc": ["frame", code], "msg": message}], "ref": ref})

    async def live_event(self, event):
        await self.send_json(event["payload"])


def _int(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**63 else None


class VisitorConsumer(LiveConsumer):
    handlers = {
        "hello": "on_hello", "page": "on_page", "activity": "on_activity", "ping": "on_ping", "say": "on_say",
        "typing": "on_typing", "resume": "on_resume", "close": "on_close", "ask": "on_ask", "signal": "on_signal",
        "hangup": "on_hangup", "leave_message": "on_leave_message",
    }

    async def connect(self):
        self.visitor_id = None
        self.store = None
        self.customer = None
        self.page_reported_at = None
        await super().connect()
        self.hello_timer = asyncio.get_running_loop().call_later(HELLO_TIMEOUT_SECONDS, self._hello_overdue)

    def _hello_overdue(self):
        if self.visitor_id is None:
            asyncio.ensure_future(self.close(code=4001))

    async def disconnect(self, code):
        self.hello_timer.cancel()
        await super().disconnect(code)
        if self.visitor_id is not None:
            # This tab's page views land before it is marked gone (and none is lost when the server stops).
            await pending_writes().flush()
            await self.db(visitors.disconnect_visitor, self.visitor_id)

    async def dispatch_check(self, content) -> bool:
        if self.visitor_id is None:
            await self.send_error("Say hello first.", "hello", content.get("ref"))
            return False
        return True

    def _hello(self, content):
        token = content.get("token") if isinstance(content.get("token"), str) else None
        store_key = content.get("store") if isinstance(content.get("store"), str) else None
        identity = identify(token[:4000] if token else None, store_key)
        if identity is None:
            return None, "unknown store"
        if identity.was_refused and requires_verified_identity(identity.store):
            return None, "identity refused"
        if not origin_is_allowed(identity.store, _header(self.scope, b"origin"), own_origin(self.scope)):
            return None, "origin refused"
        forwarded = _header(self.scope, b"x-forwarded-for")
        peer = (self.scope.get("client") or [""])[0] or ""
        visitor = visitors.connect_visitor(identity, content.get("visitor"), peer, forwarded)
        chat = visitor.open_chats[0] if visitor.open_chats else None
        since = _int(content.get("chat_seq")) or 0
        talk_to_us, associates = presence.welcome_facts(identity.store, visitor.customer)
        welcome = {
            "type": "welcome", "visitor": visitor.key, "talk_to_us": talk_to_us,
            "known": visitor.customer_id is not None,
            "chat": chats.visitor_chat_state(chat) if chat else None,
            "messages": chats.messages_since(chat, since) if chat else [],
            "ice_servers": conf.ice_servers(),
            "associates": associates,
        }
        return (visitor, identity), welcome

    async def on_hello(self, content):
        if self.visitor_id is not None:
            await self.send_error("Hello again? This tab is known already.", "hello", content.get("ref"))
            return
        # The hello came in time; answering it may take longer while many sockets open at once (a restart):
        # that wait is ours, not a silent client's.
        self.hello_timer.cancel()
        result, welcome = await self.db(self._hello, content)
        if result is None:
            await self.send_error(f"Refused: {welcome}.", "hello")
            await self.close(code=4003)
            return
        visitor, identity = result
        self.visitor_id, self.store, self.customer = visitor.pk, identity.store, identity.customer
        self.store_id = visitor.store_id
        self.page_reported_at = visitor.page_reported_at
        self.last_beat = time.monotonic()
        await self.join(events.visitor_group(visitor.pk))
        await self.join(presence.launcher_group(visitor.store_id))
        await self.send_json(welcome)
        if content.get("url"):
            await self.on_page(content)

    async def on_page(self, content):
        if not await self.dispatch_check(content):
            return
        report = visitors.page_view_report(self.visitor_id, content.get("url"), content.get("title"),
                                           content.get("referrer"), content.get("at"))
        self.last_beat = time.monotonic()
        # Queued for writing before it is announced: whoever saw the change and then flushes finds it written.
        pending_writes().add_page_view(report)
        # An older page reported late (by this tab's clock) goes into the history, never onto the live list.
        if report.client_at is None or self.page_reported_at is None or report.client_at >= self.page_reported_at:
            self.page_reported_at = report.client_at
            payload = {"type": "visitor_page", "visitor": {
                "id": self.visitor_id, "store_id": self.store_id, "current_url": report.url,
                "current_title": report.title, "page_started_at": report.received_at.isoformat(),
                "page_at": report.client_at,
            }}
            # Encoded once here rather than by each workspace that passes it on; sent with this tick's others.
            events.page_announcements().add(self.channel_layer, self.store_id, self.visitor_id, json.dumps(payload))

    async def on_activity(self, content):
        if await self.dispatch_check(content):
            await self.db(visitors.report_activity, self.visitor_id, content.get("state"))

    async def on_ping(self, content):
        if await self.dispatch_check(content):
            # Page views and activity reports refresh the heartbeat too; a ping writes only when nothing
            # else did for a while, which spares the database most pings of busy visitors.
            if time.monotonic() - self.last_beat >= HEARTBEAT_WRITE_SECONDS:
                pending_writes().add_heartbeat(self.visitor_id)
                self.last_beat = time.monotonic()
            await self.send_json({"type": "pong"})

    @database_sync_to_async
    def _visitor(self) -> Visitor:
        return Visitor.objects.select_related("store", "customer").get(pk=self.visitor_id)

    @database_sync_to_async
    def _open_chat(self) -> Chat | None:
        return Chat.objects.filter(visitor_id=self.visitor_id, status__in=visitors.OPEN).select_related(
            "associate").order_by("-created_at", "-id").first()

    async def on_say(self, content):
        if await self.dispatch_check(content):
            visitor = await self._visitor()
            message = await self.db(chats.visitor_says, visitor, content.get("body"))
            await self.send_json({"type": "sent", "ref": content.get("ref"), "seq": message.seq})

    async def on_typing(self, content):
        if await self.dispatch_check(content):
            chat = await self._open_chat()
            if chat is None:
                return
            payload = {"type": "live.event", "payload": {"type": "typing", "chat_id": chat.pk, "from": "visitor",
                                                         "visitor_id": self.visitor_id}}
            group = events.associate_group(chat.associate_id) if chat.associate_id else \
                events.store_group(chat.store_id)
            await self.channel_layer.group_send(group, payload)

    async def on_resume(self, content):
        if await self.dispatch_check(content):
            chat = await self._open_chat()
            if chat is not None:
                messages = await self.db(chats.messages_since, chat, _int(content.get("since")))
                await self.send_json({"type": "messages", "chat_id": chat.pk, "messages": messages})

    async def on_close(self, content):
        if await self.dispatch_check(content):
            chat = await self._open_chat()
            if chat is not None:
                await self.db(chats.close_chat, chat, "visitor")

    async def on_ask(self, content):
        if await self.dispatch_check(content):
            visitor = await self._visitor()
            await self.db(chats.request_chat, visitor, _int(content.get("associate_id")),
                          wants_call=bool(content.get("call")))

    async def on_signal(self, content):
        if await self.dispatch_check(content):
            chat = await self._open_chat()
            if chat is None or not chat.associate_id or not isinstance(content.get("data"), dict):
                await self.send_error("No call to signal.", "state", content.get("ref"))
                return
            await self.channel_layer.group_send(events.associate_group(chat.associate_id), {
                "type": "live.event",
                "payload": {"type": "signal", "chat_id": chat.pk, "visitor_id": self.visitor_id,
                            "data": content["data"]},
            })

    async def on_hangup(self, content):
        if await self.dispatch_check(content):
            chat = await self._open_chat()
            if chat is not None:
                await self.db(chats.end_call, chat)

    async def on_leave_message(self, content):
        if await self.dispatch_check(content):
            visitor = await self._visitor()
            await self.db(chats.leave_message, visitor.store, content.get("body"), content.get("name"),
                          content.get("email"), visitor=visitor,
                          requested_associate_id=_int(content.get("associate_id")))
            await self.send_json({"type": "message_left", "ref": content.get("ref")})


class AssociateConsumer(LiveConsumer):
    handlers = {
        "availability": "on_availability", "ping": "on_ping", "start": "on_start", "take": "on_take",
        "say": "on_say", "typing": "on_typing", "read": "on_read", "resume": "on_resume", "close": "on_close",
        "navigate": "on_navigate", "call": "on_call", "signal": "on_signal", "hangup": "on_hangup",
        "refresh": "on_refresh",
    }

    async def connect(self):
        self.actor = Actor(self.scope.get("user"))
        self.associate_id = None
        self.customer_seen: dict[int, bool] = {}
        # The visitors this workspace lists (it was allowed to see them): their page changes pass straight on.
        self.listed: set[int] = set()
        allowed = await self.db(self._load_actor)
        if not allowed:
            await self.close(code=4003)
            return
        await super().connect()
        if self.actor.is_admin:
            await self.join(events.ADMIN_GROUP)
        else:
            await self.join(events.store_group(self.store_id))
        if self.associate_id:
            await self.join(events.associate_group(self.associate_id))
        await self.send_json(await self._fresh_snapshot())

    async def _fresh_snapshot(self) -> dict:
        # Page changes sent before this socket joined its groups are in the snapshot once written: write this
        # process's waiting ones first. (Another process's, at most writes.FLUSH_SECONDS old, may still be
        # missing: that visitor shows the page before until their next page view.)
        await pending_writes().flush()
        return await self.db(self._snapshot)

    def _load_actor(self) -> bool:
        if not self.actor.is_staff_member:
            return False
        associate = self.actor.associate
        self.associate_id = associate.pk if associate else None
        self.store_id = associate.store_id if associate else None
        self.sees_whole_store = self.actor.sees_whole_store
        if associate:
            services.associate_arrived(associate.pk)
        return True

    def _snapshot(self) -> dict:
        visitors = selectors.live_visitors(self.actor)
        chats = selectors.visible_chats_for_workspace(self.actor)
        availability = presence.live_of(self.actor.associate).availability if self.associate_id else None
        self.listed = {visitor.pk for visitor in visitors}
        return {
            "type": "snapshot", "visitors": [selectors.visitor_row(v) for v in visitors],
            "chats": [selectors.chat_row(c) for c in chats], "availability": availability,
            "associate_id": self.associate_id, "ice_servers": conf.ice_servers(),
        }

    async def disconnect(self, code):
        await super().disconnect(code)
        if getattr(self, "associate_id", None):
            await self.db(presence.associate_left, self.associate_id)

    async def _customer_visible(self, customer_id) -> bool:
        if customer_id is None or self.actor.is_admin:
            return True
        if customer_id not in self.customer_seen:
            from shopfloor.customers.models import Customer

            def check():
                customer = Customer.objects.filter(pk=customer_id).first()
                return bool(customer and can_see_customer(self.actor, customer))

            self.customer_seen[customer_id] = await database_sync_to_async(check)()
        return self.customer_seen[customer_id]

    async def _may_see(self, store_id, customer_id, chat: dict | None) -> bool:
        return can_see_live_visitor(
            self.actor, store_id=store_id, customer_visible=await self._customer_visible(customer_id),
            chat_waiting=bool(chat and chat["status"] == ChatStatus.WAITING),
            chat_associate_id=chat["associate_id"] if chat else None,
        )

    async def live_pages(self, event):
        """A tick's page changes (events.PageAnnouncements): one visitor_page frame each, for listed visitors only.
        Decided by the last full row of each visitor (live_event), so the hot path asks nothing of the database."""
        listed = self.listed
        for visitor_id, text in event["pages"]:
            if visitor_id in listed:
                await self.send(text_data=text)

    async def live_event(self, event):
        payload = event["payload"]
        kind = payload.get("type")
        if kind == "visitor":
            visitor = payload["visitor"]
            chat = visitor.get("chat")
            with_other = bool(chat and chat["in_call"] and chat["associate_id"] not in (None, self.associate_id))
            if with_other and not self.actor.is_admin or \
                    not await self._may_see(visitor["store_id"], visitor["customer_id"], chat):
                self.listed.discard(visitor["id"])
                await self.send_json({"type": "visitor_gone", "id": visitor["id"]})
                return
            self.listed.add(visitor["id"])
        elif kind == "chat":
            chat = payload["chat"]
            if not await self._may_see(chat["store_id"], chat["customer_id"], chat):
                if chat["associate_id"] is not None:  # the others see it taken
                    await self.send_json({"type": "chat_taken", "id": chat["id"], "visitor_id": chat["visitor_id"],
                                          "associate_name": chat["associate_name"]})
                return
        elif kind in ("message", "typing") and payload.get("visitor_id") and not self.actor.is_admin and \
                not await self._visible_visitor(payload["visitor_id"]):
            # A waiting request's messages go to the store: only to those who may answer it.
            return
        await self.send_json(payload)

    async def _visible_visitor(self, visitor_id) -> bool:
        def check():
            try:
                from shopfloor.access import get_live_visitor_for

                get_live_visitor_for(self.actor, visitor_id)
                return True
            except NotVisible:
                return False

        return await database_sync_to_async(check)()

    def _call(self, function, *args):
        return self.db(function, self.actor, *args)

    async def on_availability(self, content):
        row = await self._call(services.set_availability, content.get("value"))
        await self.send_json({"type": "availability", "availability": row.availability, "ref": content.get("ref")})

    async def on_ping(self, content):
        if self.associate_id:
            await self.db(presence.associate_heartbeat, self.associate_id)
        await self.send_json({"type": "pong"})

    async def on_refresh(self, content):
        await self.send_json(await self._fresh_snapshot())

    async def _chat_answer(self, chat: Chat, ref=None):
        def load():
            chat_row = selectors.chat_row(Chat.objects.select_related("associate").get(pk=chat.pk))
            return chat_row, chats.messages_since(chat, 0)

        row, messages = await database_sync_to_async(load)()
        await self.send_json({"type": "chat_opened", "chat": row, "messages": messages, "ref": ref})

    async def on_start(self, content):
        chat = await self._call(chats.start_chat, _int(content.get("visitor_id")))
        await self._chat_answer(chat, content.get("ref"))

    async def on_take(self, content):
        chat = await self._call(chats.take_chat, _int(content.get("chat_id")))
        await self._chat_answer(chat, content.get("ref"))

    async def on_say(self, content):
        message = await self._call(chats.associate_says, _int(content.get("chat_id")), content.get("body"))
        await self.send_json({"type": "sent", "ref": content.get("ref"), "seq": message.seq,
                              "chat_id": content.get("chat_id")})

    @database_sync_to_async
    def _owned(self, chat_id) -> Chat:
        from shopfloor.access import get_live_chat_for

        chat = get_live_chat_for(self.actor, chat_id)
        if chat.associate_id != self.associate_id or chat.status != ChatStatus.ACTIVE:
            raise Conflict("Start the session first: this chat is not yours.")
        return chat

    async def on_typing(self, content):
        chat = await self._owned(_int(content.get("chat_id")))
        await self.channel_layer.group_send(events.visitor_group(chat.visitor_id), {
            "type": "live.event", "payload": {"type": "typing", "from": "associate"}})

    async def on_read(self, content):
        await self._call(chats.mark_read, _int(content.get("chat_id")), _int(content.get("seq")))

    async def on_resume(self, content):
        def load(actor, chat_id, since):
            from shopfloor.access import get_live_chat_for

            return chats.messages_since(get_live_chat_for(actor, chat_id), since)

        chat_id = _int(content.get("chat_id"))
        messages = await self._call(load, chat_id, _int(content.get("since")))
        await self.send_json({"type": "messages", "chat_id": chat_id, "messages": messages})

    async def on_close(self, content):
        await self._call(chats.associate_closes, _int(content.get("chat_id")))

    async def on_navigate(self, content):
        url = await self._call(chats.navigate, _int(content.get("chat_id")), content.get("url"),
                               own_origin(self.scope))
        await self.send_json({"type": "navigated", "url": url, "ref": content.get("ref")})

    async def on_call(self, content):
        await self._call(chats.start_call, _int(content.get("chat_id")))

    async def on_signal(self, content):
        chat = await self._owned(_int(content.get("chat_id")))
        if not isinstance(content.get("data"), dict):
            raise InvalidInput.field("data", "A signalling object.")
        await self.channel_layer.group_send(events.visitor_group(chat.visitor_id), {
            "type": "live.event", "payload": {"type": "signal", "data": content["data"]}})

    async def on_hangup(self, content):
        await self._call(chats.associate_ends_call, _int(content.get("chat_id")))
