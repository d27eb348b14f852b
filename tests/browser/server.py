"""The browser tests' server: Shopfloor's ASGI application, and a way to ask when it has nothing left to do.

Closing a browser context ends its pages' sockets, but the server finishes with them a moment later: a
visitor socket's disconnect handler writes the last page views and marks the visitor gone, a workspace's
marks the associate absent, and the events they send make other sockets read. A test's teardown that
flushed the database in that moment lost on PostgreSQL: the flush is one TRUNCATE of every table, which
takes its locks table by table while a handler's transaction held some of those tables and waited for
another, and PostgreSQL ended the deadlock by failing the flush. On any database a write that came after
the flush would land in the next test's data.

So every HTTP request and WebSocket is counted from the moment the server starts handling it until its
handler returns (for a socket, after its disconnect handler; for a request, after its view, which Django
lets finish even when the client went away), and GET QUIET_PATH answers once none is left. That is a
state of the server itself, not a guess from outside: the teardown waits for it and nothing else.
"""

import asyncio
import functools
import itertools
import json

QUIET_PATH = "/__tests__/quiet"
# Long enough for any disconnect handler; a server still busy after this is a bug to report, not to wait out.
QUIET_TIMEOUT_SECONDS = 20

_numbers = itertools.count()
# What the server is handling now: a number per connection → "websocket /ws/live/visitor/".
in_flight: dict[int, str] = {}
_quiet: asyncio.Event | None = None


@functools.cache
def shopfloor_application():
    """Shopfloor's application, imported in the server only (the tests import this module for QUIET_PATH, and
    importing shopfloor.asgi sets up a server: thread pools, the garbage collector's tuning)."""
    from shopfloor.asgi import application

    return application


def _quiet_event() -> asyncio.Event:
    global _quiet
    if _quiet is None:  # made on the server's own loop, at its first connection
        _quiet = asyncio.Event()
        _quiet.set()
    return _quiet


async def application(scope, receive, send):
    shopfloor = shopfloor_application()
    if scope["type"] == "http" and scope["path"] == QUIET_PATH:
        await _answer_when_quiet(send)
        return
    if scope["type"] not in ("http", "websocket"):
        await shopfloor(scope, receive, send)
        return
    number = next(_numbers)
    in_flight[number] = f"{scope['type']} {scope['path']}"
    _quiet_event().clear()
    try:
        await shopfloor(scope, receive, send)
    finally:
        del in_flight[number]
        if not in_flight:
            _quiet_event().set()


async def _answer_when_quiet(send):
    try:
        await asyncio.wait_for(_quiet_event().wait(), QUIET_TIMEOUT_SECONDS)
        status, body = 200, {"quiet": True}
    except TimeoutError:
        status, body = 503, {"quiet": False, "busy": sorted(in_flight.values())}
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"cache-control", b"no-store")]})
    await send({"type": "http.response.body", "body": json.dumps(body).encode()})
