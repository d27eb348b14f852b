"""Live-shopping fixtures: WebSocket communicators for visitors and associates, widget tokens, availability."""

import asyncio
import functools
import json
import secrets
import threading

import pytest
from channels.db import database_sync_to_async
from channels.layers import channel_layers, get_channel_layer
from channels.testing import WebsocketCommunicator
from django.db import connections
from django.utils import timezone

from shopfloor.live.consumers import AssociateConsumer
from shopfloor.live.models import AssociateLive, Availability
from shopfloor.routing import websocket_urlpatterns
from shopfloor.widget import services as widget

ORIGIN = "http://testserver"


def runs_in_own_loop(test):
    """Run an async test in a thread with its own event loop.

    The browser tests' Playwright keeps an event loop running in the main thread for the whole session,
    so pytest-asyncio could not start one there; a thread of its own always can.
    """

    @functools.wraps(test)
    def wrapper(*args, **kwargs):
        outcome = {}

        async def main():
            try:
                await test(*args, **kwargs)
            finally:
                # The Redis layer's connections and locks belong to this loop: flush closes them (channels_redis:
                # "this also closes connections"); the in-memory layer is only emptied, and made anew next time.
                await get_channel_layer().flush()
                # The consumers' database work ran in asgiref's shared sync thread, whose connection would
                # outlive the test (PostgreSQL then refuses to drop the test database: "being accessed by
                # other users").
                await database_sync_to_async(connections.close_all)()

        def run():
            channel_layers.backends.clear()  # a fresh channel layer for this loop
            try:
                asyncio.run(main())
            except BaseException as error:  # handed to the test's thread below
                outcome["error"] = error
            finally:
                channel_layers.backends.clear()
                connections.close_all()

        thread = threading.Thread(target=run, name=f"test:{test.__name__}")
        thread.start()
        thread.join()
        if "error" in outcome:
            raise outcome["error"]

    return wrapper
HEADERS = [(b"origin", ORIGIN.encode()), (b"host", b"testserver")]


def visitor_key() -> str:
    return secrets.token_urlsafe(18)


def customer_token(store, customer) -> str:
    return widget.issue_token(store, widget.resolve_identity(store, customer_id=customer.pk))


def anonymous_token(store) -> str:
    return widget.issue_token(store, widget.ANONYMOUS)


def visitor_app():
    from channels.routing import URLRouter

    return URLRouter(websocket_urlpatterns)


async def visitor_socket(store=None, *, token=None, key=None, url="http://testserver/shop/", headers=None,
                         hello=True, title="Casa Lusa"):
    """A connected visitor tab that said hello (the welcome frame is returned with it)."""
    communicator = WebsocketCommunicator(visitor_app(), "/ws/live/visitor/", headers=headers or HEADERS)
    connected, _ = await communicator.connect()
    assert connected
    if not hello:
        return communicator, None
    message = {"type": "hello", "visitor": key or visitor_key(), "url": url, "title": title}
    if token:
        message["token"] = token
    if store is not None:
        message["store"] = store.widget_key
    await communicator.send_to(text_data=json.dumps(message))
    welcome = await communicator.receive_json_from(timeout=5)
    return communicator, welcome


async def associate_socket(user):
    """A workspace tab of a signed-in user; returns (communicator, snapshot)."""
    communicator = WebsocketCommunicator(AssociateConsumer.as_asgi(), "/ws/live/associate/", headers=HEADERS)
    communicator.scope["user"] = user
    connected, _ = await communicator.connect(timeout=10)
    assert connected
    # Generous: the workspace's first database calls may open the connection, slow on a busy machine.
    snapshot = await communicator.receive_json_from(timeout=15)
    assert snapshot["type"] == "snapshot"
    return communicator, snapshot


async def receive_until(communicator, predicate, timeout=5, limit=50):
    """The first frame matching `predicate`, skipping the others."""
    for _ in range(limit):
        frame = await communicator.receive_json_from(timeout=timeout)
        if predicate(frame):
            return frame
    raise AssertionError("no matching frame")


async def drain(communicator, wait=0.2) -> list[dict]:
    frames = []
    while not await communicator.receive_nothing(timeout=wait):
        frames.append(await communicator.receive_json_from())
    return frames


def make_available(*associates):
    now = timezone.now()
    for associate in associates:
        AssociateLive.objects.update_or_create(
            associate=associate, defaults={"availability": Availability.AVAILABLE, "heartbeat_at": now})


@pytest.fixture
def available():
    return make_available
