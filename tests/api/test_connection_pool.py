"""Under ASGI every request runs on a thread of its own: on PostgreSQL the pool lends each a connection."""

import asyncio

import pytest
from django.core.asgi import get_asgi_application
from django.db import connection

from tests.live.conftest import runs_in_own_loop

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the pool is PostgreSQL's")


def sessions_opened() -> int:
    """How many connections the server has ever accepted to this database (its statistics)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_force_next_flush()")
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT sessions FROM pg_stat_database WHERE datname = current_database()")
        return cursor.fetchone()[0]


async def get(application, path: str) -> int:
    """One request through Django's ASGI handler, as a server makes it; its status."""
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
             "path": path, "raw_path": path.encode(), "root_path": "", "query_string": b"",
             "headers": [(b"host", b"testserver")], "client": ("127.0.0.1", 50000), "server": ("testserver", 80)}
    sent = []
    requested = False

    async def receive():
        nonlocal requested
        if not requested:
            requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.Event().wait()  # the client never disconnects

    async def send(message):
        sent.append(message)

    await application(scope, receive, send)
    return sent[0]["status"]


@runs_in_own_loop
async def answer_requests(count: int, statuses: list) -> None:
    application = get_asgi_application()
    for _ in range(count):
        statuses.append(await get(application, "/healthz"))


def test_asgi_requests_borrow_connections_from_the_pool_instead_of_opening_one_each(transactional_db):
    before = sessions_opened()
    statuses = []
    answer_requests(40, statuses)
    assert statuses == [200] * 40
    # Each request's thread borrowed a connection from the pool and gave it back: a few were opened at
    # most, never one per request.
    assert sessions_opened() - before <= 3
