"""The live WebSockets through Channels' testing tools: visitors, the workspace, chat, Navigate, calls, abuse."""

import asyncio
import json

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from shopfloor.asgi import application
from shopfloor.live.models import Chat, ChatMessage, ChatStatus, PageView, Visitor
from shopfloor.live.writes import flush
from tests.live.conftest import (
    associate_socket,
    customer_token,
    drain,
    make_available,
    receive_until,
    runs_in_own_loop,
    visitor_key,
    visitor_socket,
)

pytestmark = pytest.mark.django_db(transaction=True)


def is_visitor_frame(frame, url=None):
    return frame["type"] == "visitor" and (url is None or frame["visitor"]["current_url"] == url)


def is_page_frame(frame, url):
    return frame["type"] == "visitor_page" and frame["visitor"]["current_url"] == url


@runs_in_own_loop
async def test_a_visitor_page_view_reaches_the_stores_associate_live(world):
    associate, _ = await associate_socket(world.ana.user)
    visitor, welcome = await visitor_socket(world.north, url="http://testserver/shop/products/CH-1/")
    assert welcome["type"] == "welcome"
    row = (await receive_until(associate, is_visitor_frame))["visitor"]
    assert (row["status"], row["visit_count"]) == ("active", 1)
    frame = await receive_until(associate, lambda f: is_page_frame(f, "http://testserver/shop/products/CH-1/"))
    assert frame["visitor"]["id"] == row["id"]
    await visitor.send_json_to({"type": "page", "url": "http://testserver/shop/bag/", "title": "Bag", "at": 2000})
    frame = await receive_until(associate, lambda f: is_page_frame(f, "http://testserver/shop/bag/"))
    assert (frame["visitor"]["current_title"], frame["visitor"]["page_at"]) == ("Bag", 2000)
    await flush()
    saved = await Visitor.objects.aget(pk=row["id"])
    assert (saved.page_view_count, saved.current_url, saved.page_reported_at) == (
        2, "http://testserver/shop/bag/", 2000)
    await visitor.disconnect()
    frame = await receive_until(associate, lambda f: f["type"] == "visitor" and f["visitor"]["status"] == "offline")
    assert frame["visitor"]["offline_since"]
    await associate.disconnect()


@runs_in_own_loop
async def test_another_stores_associate_hears_nothing_of_the_visitor(world):
    tom, snapshot = await associate_socket(world.tom.user)
    assert snapshot["visitors"] == []
    visitor, _ = await visitor_socket(world.north)
    assert await drain(tom) == []
    await visitor.disconnect()
    await tom.disconnect()


@runs_in_own_loop
async def test_a_known_customer_is_hidden_from_the_associate_who_may_not_see_them(world):
    bruno, _ = await associate_socket(world.bruno.user)
    ana, _ = await associate_socket(world.ana.user)
    token = await sync_to_async(customer_token)(world.north, world.anas_customer)
    visitor, welcome = await visitor_socket(token=token)
    assert welcome["known"] is True
    frame = await receive_until(ana, lambda f: f["type"] == "visitor")
    assert frame["visitor"]["customer_name"] == "Alice Almeida"
    frames = await drain(bruno)
    assert frames and all(f["type"] == "visitor_gone" for f in frames)
    await visitor.disconnect()
    await ana.disconnect()
    await bruno.disconnect()


@runs_in_own_loop
async def test_the_snapshot_lists_visitors_longest_on_site_first(world):
    first, _ = await visitor_socket(world.north, url="http://testserver/shop/a/")
    second, _ = await visitor_socket(world.north, url="http://testserver/shop/b/")
    associate, snapshot = await associate_socket(world.nora.user)
    assert [v["current_url"] for v in snapshot["visitors"]] == ["http://testserver/shop/a/", "http://testserver/shop/b/"]
    for communicator in (first, second, associate):
        await communicator.disconnect()


@runs_in_own_loop
async def test_a_forged_identity_stays_anonymous(world):
    visitor, welcome = await visitor_socket(world.north, token="forged.token:value")
    assert welcome["type"] == "welcome"
    assert welcome["known"] is False
    assert await Visitor.objects.filter(customer__isnull=False).acount() == 0
    await visitor.disconnect()


@runs_in_own_loop
async def test_a_forged_identity_is_refused_when_the_store_requires_verified_ones(world):
    from shopfloor.widget.models import WidgetSettings

    await WidgetSettings.objects.acreate(store=world.north, require_verified_identity=True)
    visitor, reply = await visitor_socket(world.north, token="forged.token:value")
    assert reply["type"] == "error"
    assert (await visitor.receive_output(timeout=2))["type"] == "websocket.close"
    assert await Visitor.objects.acount() == 0


@runs_in_own_loop
async def test_a_socket_from_a_page_outside_the_stores_origins_is_refused(world):
    headers = [(b"origin", b"https://evil.example"), (b"host", b"testserver")]
    visitor, reply = await visitor_socket(world.north, headers=headers)
    assert reply["type"] == "error"
    assert (await visitor.receive_output(timeout=2)) == {"type": "websocket.close", "code": 4003}
    assert await Visitor.objects.acount() == 0


@runs_in_own_loop
async def test_a_listed_storefront_origin_may_connect(world):
    from shopfloor.widget.models import WidgetSettings

    await WidgetSettings.objects.acreate(store=world.north, allowed_origins="https://shop.example.com")
    headers = [(b"origin", b"https://shop.example.com"), (b"host", b"testserver")]
    visitor, welcome = await visitor_socket(world.north, headers=headers, url="https://shop.example.com/")
    assert welcome["type"] == "welcome"
    await visitor.disconnect()


@runs_in_own_loop
async def test_the_workspace_socket_refuses_a_connection_without_an_origin(world):
    communicator = WebsocketCommunicator(application, "/ws/live/associate/")
    connected, _ = await communicator.connect()
    assert not connected


@runs_in_own_loop
async def test_the_workspace_socket_refuses_shoppers(world):
    communicator = WebsocketCommunicator(application, "/ws/live/associate/",
                                         headers=[(b"origin", b"http://127.0.0.1"), (b"host", b"127.0.0.1")])
    connected, _ = await communicator.connect()
    assert not connected


@runs_in_own_loop
async def test_malformed_and_oversized_frames_are_refused_and_the_socket_carries_on(world):
    visitor, _ = await visitor_socket(world.north)
    await visitor.send_to(text_data="{not json")
    assert (await receive_until(visitor, lambda f: f["type"] == "error"))["detail"][0]["loc"] == ["frame", "frame"]
    await visitor.send_to(text_data=json.dumps({"type": "say", "body": "x" * 40_000}))
    assert (await receive_until(visitor, lambda f: f["type"] == "error"))["detail"][0]["loc"] == ["frame", "frame"]
    await visitor.send_to(text_data=json.dumps(["a list"]))
    assert (await receive_until(visitor, lambda f: f["type"] == "error"))["detail"][0]["loc"] == ["frame", "type"]
    await visitor.send_json_to({"type": "page", "url": "javascript:alert(1)"})
    error = await receive_until(visitor, lambda f: f["type"] == "error")
    assert error["detail"][0]["loc"] == ["body", "url"]
    await visitor.send_json_to({"type": "say", "body": "x" * 2001})
    error = await receive_until(visitor, lambda f: f["type"] == "error")
    assert error["detail"][0]["loc"] == ["body", "body"]
    await visitor.send_json_to({"type": "ping"})
    assert (await receive_until(visitor, lambda f: f["type"] in ("pong", "error")))["type"] == "pong"
    await flush()
    assert await PageView.objects.acount() == 1
    assert await ChatMessage.objects.acount() == 0
    await visitor.disconnect()


@runs_in_own_loop
async def test_a_flood_is_refused_then_the_connection_is_closed_and_others_are_unharmed(world):
    flooder, _ = await visitor_socket(world.north)
    for _ in range(400):
        await flooder.send_json_to({"type": "activity", "state": "active"})
    frames = []
    while True:
        output = await flooder.receive_output(timeout=5)
        frames.append(output)
        if output["type"] == "websocket.close":
            break
    assert output["code"] == 4008
    await flooder.disconnect()
    assert any("Too many" in json.loads(f["text"])["detail"][0]["msg"] for f in frames if f.get("text") and
               json.loads(f["text"])["type"] == "error")
    other, welcome = await visitor_socket(world.north)
    assert welcome["type"] == "welcome"
    await other.disconnect()


@runs_in_own_loop
async def test_frames_before_hello_are_refused(world):
    visitor, _ = await visitor_socket(world.north, hello=False)
    await visitor.send_json_to({"type": "say", "body": "hi"})
    error = await visitor.receive_json_from(timeout=5)
    assert error["detail"][0]["loc"] == ["frame", "hello"]
    await visitor.disconnect()


@runs_in_own_loop
async def test_reactive_chat_first_to_take_owns_it_and_the_other_sees_it_taken(world):
    await sync_to_async(make_available)(world.ana, world.bruno)
    ana, _ = await associate_socket(world.ana.user)
    bruno, _ = await associate_socket(world.bruno.user)
    visitor, _ = await visitor_socket(world.north)
    await visitor.send_json_to({"type": "say", "body": "Do you have this in blue?"})
    request = await receive_until(bruno, lambda f: f["type"] == "message")
    assert request["message"]["body"] == "Do you have this in blue?"
    chat_id = request["chat_id"]
    await receive_until(ana, lambda f: f["type"] == "message")

    await bruno.send_json_to({"type": "take", "chat_id": chat_id})
    opened = await receive_until(bruno, lambda f: f["type"] == "chat_opened")
    assert [m["body"] for m in opened["messages"]] == ["Do you have this in blue?", "Bruno Dias joined the chat."]
    taken = await receive_until(ana, lambda f: f["type"] == "chat" and f["chat"]["status"] == "active")
    assert taken["chat"]["associate_name"] == "Bruno Dias"
    await ana.send_json_to({"type": "take", "chat_id": chat_id, "ref": 7})
    refused = await receive_until(ana, lambda f: f["type"] == "error")
    assert refused["ref"] == 7
    assert "Bruno Dias took this chat already" in refused["detail"][0]["msg"]

    await bruno.send_json_to({"type": "say", "chat_id": chat_id, "body": "Yes, in navy blue."})
    reply = await receive_until(visitor, lambda f: f["type"] == "message" and f["message"]["sender"] == "associate")
    assert reply["message"]["body"] == "Yes, in navy blue."
    assert reply["message"]["author"] == "Bruno Dias"
    chat = await Chat.objects.aget(pk=chat_id)
    assert (chat.status, chat.associate_id, chat.message_count) == (ChatStatus.ACTIVE, world.bruno.pk, 3)
    for communicator in (ana, bruno, visitor):
        await communicator.disconnect()


@runs_in_own_loop
async def test_a_reconnecting_visitor_resumes_without_lost_or_doubled_messages(world):
    await sync_to_async(make_available)(world.ana)
    ana, _ = await associate_socket(world.ana.user)
    key = visitor_key()
    visitor, _ = await visitor_socket(world.north, key=key)
    await ana.send_json_to({"type": "start", "visitor_id": (await Visitor.objects.aget(key=key)).pk})
    opened = await receive_until(ana, lambda f: f["type"] == "chat_opened")
    chat_id = opened["chat"]["id"]
    await ana.send_json_to({"type": "say", "chat_id": chat_id, "body": "Hello! Can I help?"})
    first = await receive_until(visitor, lambda f: f["type"] == "message")
    assert first["message"]["seq"] == 1
    await visitor.disconnect()
    # While the visitor is away two more messages are written.
    await ana.send_json_to({"type": "say", "chat_id": chat_id, "body": "We have it in stock."})
    await ana.send_json_to({"type": "say", "chat_id": chat_id, "body": "Shall I reserve one?"})
    await receive_until(ana, lambda f: f["type"] == "sent" and f["seq"] == 3)
    again, welcome = await visitor_socket(world.north, key=key)
    # A hello without a seq (a fresh tab) gets the whole conversation, in order.
    assert [m["seq"] for m in welcome["messages"]] == [1, 2, 3]
    await again.send_json_to({"type": "resume", "since": 1})
    resumed = await receive_until(again, lambda f: f["type"] == "messages")
    assert [m["seq"] for m in resumed["messages"]] == [2, 3]
    assert [m["body"] for m in resumed["messages"]] == ["We have it in stock.", "Shall I reserve one?"]
    await again.disconnect()
    await ana.disconnect()


@runs_in_own_loop
async def test_the_hello_resumes_from_the_last_message_seen(world):
    key = visitor_key()
    visitor, _ = await visitor_socket(world.north, key=key)
    await visitor.send_json_to({"type": "say", "body": "one"})
    await visitor.send_json_to({"type": "say", "body": "two"})
    await receive_until(visitor, lambda f: f["type"] == "sent" and f["seq"] == 2)
    await visitor.disconnect()
    from tests.live.conftest import HEADERS, visitor_app

    again = WebsocketCommunicator(visitor_app(), "/ws/live/visitor/", headers=HEADERS)
    await again.connect()
    await again.send_json_to({"type": "hello", "store": world.north.widget_key, "visitor": key, "chat_seq": 1})
    welcome = await again.receive_json_from(timeout=5)
    assert [m["body"] for m in welcome["messages"]] == ["two"]
    assert welcome["chat"]["seq"] == 2
    await again.disconnect()


@runs_in_own_loop
async def test_typing_reaches_the_other_side(world):
    await sync_to_async(make_available)(world.ana)
    ana, _ = await associate_socket(world.ana.user)
    key = visitor_key()
    visitor, _ = await visitor_socket(world.north, key=key)
    await ana.send_json_to({"type": "start", "visitor_id": (await Visitor.objects.aget(key=key)).pk})
    chat_id = (await receive_until(ana, lambda f: f["type"] == "chat_opened"))["chat"]["id"]
    await ana.send_json_to({"type": "typing", "chat_id": chat_id})
    assert (await receive_until(visitor, lambda f: f["type"] == "typing"))["from"] == "associate"
    await visitor.send_json_to({"type": "typing"})
    assert (await receive_until(ana, lambda f: f["type"] == "typing"))["chat_id"] == chat_id
    await visitor.disconnect()
    await ana.disconnect()


@runs_in_own_loop
async def test_navigate_sends_the_visitor_to_a_page_of_the_store_only(world):
    await sync_to_async(make_available)(world.ana)
    ana, _ = await associate_socket(world.ana.user)
    key = visitor_key()
    visitor, _ = await visitor_socket(world.north, key=key)
    await ana.send_json_to({"type": "start", "visitor_id": (await Visitor.objects.aget(key=key)).pk})
    chat_id = (await receive_until(ana, lambda f: f["type"] == "chat_opened"))["chat"]["id"]

    await ana.send_json_to({"type": "navigate", "chat_id": chat_id, "url": "https://evil.example/phish"})
    refused = await receive_until(ana, lambda f: f["type"] in ("error", "navigated"))
    assert refused["detail"][0]["loc"] == ["body", "url"]
    await ana.send_json_to({"type": "navigate", "chat_id": chat_id, "url": "javascript:alert(1)"})
    assert (await receive_until(ana, lambda f: f["type"] in ("error", "navigated")))["type"] == "error"

    await ana.send_json_to({"type": "navigate", "chat_id": chat_id, "url": "http://testserver/shop/products/CH-1/"})
    assert (await receive_until(ana, lambda f: f["type"] in ("error", "navigated")))["type"] == "navigated"
    moved = await receive_until(visitor, lambda f: f["type"] == "navigate")
    assert moved["url"] == "http://testserver/shop/products/CH-1/"
    await visitor.disconnect()
    await ana.disconnect()


@runs_in_own_loop
async def test_navigate_needs_the_chat_to_be_yours(world):
    await sync_to_async(make_available)(world.ana, world.bruno)
    ana, _ = await associate_socket(world.ana.user)
    bruno, _ = await associate_socket(world.bruno.user)
    key = visitor_key()
    visitor, _ = await visitor_socket(world.north, key=key)
    await ana.send_json_to({"type": "start", "visitor_id": (await Visitor.objects.aget(key=key)).pk})
    chat_id = (await receive_until(ana, lambda f: f["type"] == "chat_opened"))["chat"]["id"]
    await bruno.send_json_to({"type": "navigate", "chat_id": chat_id, "url": "http://testserver/shop/"})
    assert (await receive_until(bruno, lambda f: f["type"] in ("error", "navigated")))["type"] == "error"
    assert await drain(visitor) == [] or all(f["type"] != "navigate" for f in await drain(visitor))
    for communicator in (ana, bruno, visitor):
        await communicator.disconnect()


@runs_in_own_loop
async def test_call_signalling_passes_between_visitor_and_the_chats_associate(world):
    await sync_to_async(make_available)(world.ana)
    ana, _ = await associate_socket(world.ana.user)
    key = visitor_key()
    visitor, _ = await visitor_socket(world.north, key=key)
    await visitor.send_json_to({"type": "ask", "call": True})
    call_asked = await receive_until(ana, lambda f: f["type"] == "visitor" and f["visitor"]["wants_call"])
    chat_id = call_asked["visitor"]["chat"]["id"]
    await ana.send_json_to({"type": "take", "chat_id": chat_id})
    await receive_until(ana, lambda f: f["type"] == "chat_opened")
    await ana.send_json_to({"type": "call", "chat_id": chat_id})
    ring = await receive_until(visitor, lambda f: f["type"] == "call")
    assert (ring["state"], ring["associate_name"]) == ("offer", "Ana Pop")
    await visitor.send_json_to({"type": "signal", "data": {"ready": True}})
    assert (await receive_until(ana, lambda f: f["type"] == "signal"))["data"] == {"ready": True}
    await ana.send_json_to({"type": "signal", "chat_id": chat_id, "data": {"sdp": {"type": "offer", "sdp": "v=0"}}})
    assert (await receive_until(visitor, lambda f: f["type"] == "signal"))["data"]["sdp"]["type"] == "offer"
    await visitor.send_json_to({"type": "hangup"})
    assert (await receive_until(ana, lambda f: f["type"] == "call"))["state"] == "ended"
    chat = await Chat.objects.aget(pk=chat_id)
    assert chat.in_call is False
    await visitor.disconnect()
    await ana.disconnect()


@runs_in_own_loop
async def test_a_visitor_in_a_call_leaves_the_other_associates_list(world):
    await sync_to_async(make_available)(world.ana, world.bruno)
    ana, _ = await associate_socket(world.ana.user)
    key = visitor_key()
    visitor, _ = await visitor_socket(world.north, key=key)
    visitor_id = (await Visitor.objects.aget(key=key)).pk
    await ana.send_json_to({"type": "start", "visitor_id": visitor_id})
    chat_id = (await receive_until(ana, lambda f: f["type"] == "chat_opened"))["chat"]["id"]
    await ana.send_json_to({"type": "call", "chat_id": chat_id})
    await receive_until(visitor, lambda f: f["type"] == "call")
    bruno, snapshot = await associate_socket(world.bruno.user)
    assert snapshot["visitors"] == []
    _, ana_snapshot = await associate_socket(world.ana.user)
    assert [v["id"] for v in ana_snapshot["visitors"]] == [visitor_id]
    for communicator in (ana, bruno, visitor):
        await communicator.disconnect()


@runs_in_own_loop
async def test_availability_is_kept_and_the_launcher_follows_it(world):
    ana, snapshot = await associate_socket(world.ana.user)
    assert snapshot["availability"] == "away"
    visitor, welcome = await visitor_socket(world.north)
    assert welcome["talk_to_us"] is False
    await ana.send_json_to({"type": "availability", "value": "available"})
    assert (await receive_until(visitor, lambda f: f["type"] == "availability"))["talk_to_us"] is True
    await ana.send_json_to({"type": "availability", "value": "sleeping"})
    assert (await receive_until(ana, lambda f: f["type"] == "error"))["detail"][0]["loc"] == ["body", "availability"]
    await ana.disconnect()
    _, again = await associate_socket(world.ana.user)
    assert again["availability"] == "available"
    await visitor.disconnect()


@runs_in_own_loop
async def test_a_visitor_leaves_a_message_for_the_stores_associates(world):
    from shopfloor.comms.models import Notification

    visitor, _ = await visitor_socket(world.south)
    await visitor.send_json_to({"type": "leave_message", "name": "Rita", "email": "rita@example.com",
                                "body": "Please call me about the sofa."})
    assert (await receive_until(visitor, lambda f: f["type"] in ("message_left", "error")))["type"] == "message_left"
    titles = [n async for n in Notification.objects.filter(kind="live").values_list("user__email", "title")]
    assert sorted(titles) == [("sam@example.com", "Rita left a message"), ("tina@example.com", "Rita left a message"),
                              ("tom@example.com", "Rita left a message")]
    await visitor.send_json_to({"type": "leave_message", "email": "not-an-email", "body": "hi"})
    assert (await receive_until(visitor, lambda f: f["type"] == "error"))["detail"][0]["loc"] == ["body", "email"]
    await visitor.disconnect()


@runs_in_own_loop
async def test_the_workspace_opens_for_the_user_as_channels_auth_middleware_hands_it(world):
    from channels.auth import UserLazyObject

    from shopfloor.live.consumers import AssociateConsumer
    from tests.live.conftest import HEADERS

    user = UserLazyObject()
    user._wrapped = world.ana.user  # as AuthMiddleware fills it from the session
    communicator = WebsocketCommunicator(AssociateConsumer.as_asgi(), "/ws/live/associate/", headers=HEADERS)
    communicator.scope["user"] = user
    connected, _ = await communicator.connect(timeout=10)
    assert connected
    snapshot = await communicator.receive_json_from(timeout=15)
    assert (snapshot["type"], snapshot["associate_id"]) == ("snapshot", world.ana.pk)
    await communicator.disconnect()


class ClientGone(OSError):
    """What an ASGI server raises when the application sends to a WebSocket whose client has gone (uvicorn's
    ClientDisconnected); Channels' testing tools never raise it."""


@runs_in_own_loop
async def test_a_tab_that_closed_as_an_event_was_on_its_way_to_it_is_still_marked_gone(world):
    from channels.layers import get_channel_layer

    from shopfloor.live import events
    from tests.live.conftest import HEADERS, visitor_app

    inbox, outbox = asyncio.Queue(), asyncio.Queue()
    client = {"gone": False, "refused": asyncio.Event()}

    async def send(message):
        if client["gone"]:
            client["refused"].set()
            raise ClientGone
        await outbox.put(message)

    scope = {"type": "websocket", "path": "/ws/live/visitor/", "raw_path": b"/ws/live/visitor/",
             "query_string": b"", "headers": HEADERS, "subprotocols": []}
    socket = asyncio.ensure_future(visitor_app()(scope, inbox.get, send))
    await inbox.put({"type": "websocket.connect"})
    assert (await asyncio.wait_for(outbox.get(), 5))["type"] == "websocket.accept"
    await inbox.put({"type": "websocket.receive", "text": json.dumps(
        {"type": "hello", "store": world.north.widget_key, "visitor": visitor_key()})})
    welcome = json.loads((await asyncio.wait_for(outbox.get(), 15))["text"])
    visitor = await Visitor.objects.aget(key=welcome["visitor"])
    assert visitor.connections == 1

    # The tab closes just as an event for it arrives: the server refuses the frame, then reports the close.
    client["gone"] = True
    await get_channel_layer().group_send(events.visitor_group(visitor.pk), {
        "type": "live.event", "payload": {"type": "availability", "talk_to_us": False}})
    await asyncio.wait_for(client["refused"].wait(), 5)
    await inbox.put({"type": "websocket.disconnect", "code": 1001})
    await asyncio.wait_for(socket, 15)

    await visitor.arefresh_from_db()
    assert (visitor.connections, visitor.state) == (0, "offline")
