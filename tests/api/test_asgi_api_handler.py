"""The API's road through the ASGI application (shopfloor/asgi.py ApiHandler), as uvicorn drives it.

API requests are answered on a fixed pool of threads in one call each; pages keep Django's handler.
What must not change on that road: the answers, idempotency, the security headers, the live events'
way to the server's event loop, and the database connection going back after each request.
"""

import asyncio
import json
import threading
import time

import pytest
from asgiref.sync import async_to_sync
from django.core import signals
from django.db import connection
from django.db.utils import OperationalError
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from shopfloor.accounts.models import Store
from shopfloor.accounts.services import create_api_token
from shopfloor.asgi import API_THREADS, application
from shopfloor.orders.models import Order, OrderLine
from shopfloor.sqlite.base import DatabaseWrapper
from shopfloor.urls import urlpatterns as shopfloor_urls
from tests.api.test_connection_pool import sessions_opened
from tests.live.conftest import runs_in_own_loop


async def call(path: str, method: str = "GET", body: bytes = b"", headers: dict | None = None,
               chunks: int = 1) -> tuple[int, dict, bytes]:
    """One request through the ASGI application, as a server makes it: (status, headers, body)."""
    raw_headers = [(b"host", b"testserver")] + [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
             "path": path, "raw_path": path.encode(), "root_path": "", "query_string": b"", "headers": raw_headers,
             "client": ("127.0.0.1", 50000), "server": ("testserver", 80)}
    size = max(1, -(-len(body) // chunks))
    messages = [{"type": "http.request", "body": body[i:i + size], "more_body": i + size < len(body)}
                for i in range(0, len(body), size)] or [{"type": "http.request", "body": b"", "more_body": False}]
    sent = []

    async def receive():
        if messages:
            return messages.pop(0)
        await asyncio.Event().wait()  # the client never disconnects

    async def send(message):
        sent.append(message)

    await application(scope, receive, send)
    start = sent[0]
    return (start["status"], {k.decode().lower(): v.decode() for k, v in start["headers"]},
            b"".join(m.get("body", b"") for m in sent[1:]))


def order_body(world, external_id: str) -> bytes:
    return json.dumps({"external_id": external_id, "customer_id": world.anas_customer.pk,
                       "lines": [{"sku": "SOFA-1", "quantity": 2, "unit_price": "12.50"}]}).encode()


@pytest.fixture
def bearer(world, transactional_db):
    _, token = create_api_token(world.admin)
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}


@pytest.fixture
def threads_seen():
    """The names of the threads each request started on."""
    names = []

    def note(**kwargs):
        names.append(threading.current_thread().name)

    signals.request_started.connect(note, weak=False)
    yield names
    signals.request_started.disconnect(note)


def test_an_order_through_the_server_is_recorded_once_with_the_security_headers(world, bearer):
    answers = []

    @runs_in_own_loop
    async def post_twice():
        for _ in range(2):
            # The body arrives in several messages, as a server hands over a large one.
            answers.append(await call("/api/v1/orders", "POST", order_body(world, "ASGI-1"), bearer, chunks=3))

    post_twice()
    (first_status, headers, first), (second_status, _, second) = answers
    assert (first_status, second_status) == (201, 200)
    assert json.loads(first) == json.loads(second)
    assert json.loads(first)["attribution"]["associate_id"] == world.ana.pk
    assert Order.objects.filter(external_id="ASGI-1").count() == 1
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["x-frame-options"] == "DENY"
    assert headers["cross-origin-opener-policy"] == "same-origin"
    assert headers["content-type"] == "application/json; charset=utf-8"


def test_a_refused_order_through_the_server_names_the_field_and_writes_nothing(world, bearer):
    answers = []

    @runs_in_own_loop
    async def post_refused():
        body = json.loads(order_body(world, "ASGI-2"))
        body["lines"][0]["quantity"] = 0
        answers.append(await call("/api/v1/orders", "POST", json.dumps(body).encode(), bearer))
        answers.append(await call("/api/v1/orders", "POST", b"{not json", bearer))
        answers.append(await call("/api/v1/orders", "POST", order_body(world, "ASGI-3")))  # no token

    post_refused()
    (status, _, body), (not_json, _, _), (anonymous, headers, _) = answers
    assert status == 422
    assert json.loads(body)["detail"][0]["loc"] == ["body", "lines", 0, "quantity"]
    # Without a token the session (cookie) auth refuses a write that lacks the CSRF token.
    assert (not_json, anonymous) == (422, 403)
    assert headers["x-frame-options"] == "DENY"
    assert not Order.objects.exists() and not OrderLine.objects.exists()


def test_api_requests_run_on_a_few_long_lived_threads_and_pages_on_djangos_own(world, bearer, threads_seen):
    statuses = []

    @runs_in_own_loop
    async def requests():
        for index in range(12):
            statuses.append((await call("/api/v1/me", headers=bearer))[0])
        # Concurrent requests too: each still answered on one of the pool's threads.
        answers = await asyncio.gather(*(call("/api/v1/me", headers=bearer) for _ in range(12)))
        statuses.extend(status for status, _, _ in answers)
        statuses.append((await call("/healthz"))[0])

    requests()
    assert statuses == [200] * 25
    api_threads, page_thread = threads_seen[:-1], threads_seen[-1]
    assert all(name.startswith("api") for name in api_threads)
    assert len(set(api_threads)) <= API_THREADS
    assert not page_thread.startswith("api")


def test_code_in_an_api_request_reaches_the_servers_event_loop(world, bearer):
    """The live events (live/events.py) are sent with async_to_sync: on the server's loop, not a new one each."""
    loops = {}

    async def which_loop():
        return asyncio.get_running_loop()

    def note(**kwargs):
        loops["request"] = async_to_sync(which_loop)()

    @runs_in_own_loop
    async def request():
        loops["server"] = asyncio.get_running_loop()
        signals.request_started.connect(note, weak=False)
        try:
            assert (await call("/api/v1/me", headers=bearer))[0] == 200
        finally:
            signals.request_started.disconnect(note)

    request()
    assert loops["request"] is loops["server"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the pool is PostgreSQL's")
def test_api_requests_borrow_connections_from_the_pool_and_give_them_back(world, bearer):
    before = sessions_opened()
    statuses = []

    @runs_in_own_loop
    async def requests():
        for index in range(30):
            statuses.append((await call("/api/v1/orders", "POST", order_body(world, f"POOL-{index}"), bearer))[0])

    requests()
    assert statuses == [201] * 30
    assert sessions_opened() - before <= 3


def _streamed(request):
    from django.http import StreamingHttpResponse

    return StreamingHttpResponse(iter([b"first,", b"second"]), content_type="text/csv")


# How many requests to api/slow were running at once: now, and at most.
_running = {"now": 0, "most": 0}
_counting = threading.Lock()


def _slow(request):
    with _counting:
        _running["now"] += 1
        _running["most"] = max(_running["most"], _running["now"])
    time.sleep(0.2)
    with _counting:
        _running["now"] -= 1
    return HttpResponse("done")


def _half_written(request):
    """Writes, then fails: a request whose work must not be kept."""
    Store.objects.create(code="HALF", name="Half written")
    raise RuntimeError("the request fails after writing")


# With the application's own routes, for requests beside these.
urlpatterns = [path("api/streamed", _streamed), path("api/slow", csrf_exempt(_slow)),
               path("api/half", csrf_exempt(_half_written)), *shopfloor_urls]


def test_a_streaming_api_response_is_sent_in_full_and_then_closed(world, transactional_db, settings):
    settings.ROOT_URLCONF = __name__
    finished = []

    def note(**kwargs):
        finished.append(threading.current_thread().name)

    answers = []

    @runs_in_own_loop
    async def request():
        signals.request_finished.connect(note, weak=False)
        try:
            answers.append(await call("/api/streamed"))
        finally:
            signals.request_finished.disconnect(note)

    request()
    status, headers, body = answers[0]
    assert (status, body) == (200, b"first,second")
    assert headers["x-frame-options"] == "DENY"
    # Closed once the body was sent, on one of the API's threads (which give the connection back).
    assert len(finished) == 1 and finished[0].startswith("api")


@pytest.mark.parametrize("method", ["POST", "GET"])
def test_on_sqlite_writing_requests_take_turns_and_reads_run_side_by_side(world, transactional_db, settings,
                                                                         method):
    """SQLite takes one writer at a time: the API's writers queue on a lock in the process instead of
    contending for it inside SQLite. PostgreSQL's run side by side."""
    settings.ROOT_URLCONF = __name__
    _running.update(now=0, most=0)
    answers = []

    @runs_in_own_loop
    async def requests():
        answers.extend(await asyncio.gather(*(call("/api/slow", method) for _ in range(4))))

    requests()
    assert [status for status, _, _ in answers] == [200] * 4
    if connection.vendor == "sqlite" and method == "POST":
        assert _running["most"] == 1
    else:
        assert _running["most"] >= 2


def _behind_a_slow_write(world, bearer, requests: list[tuple[str, bytes]]) -> list:
    """`requests` (path, body) posted at once while the writer is busy with api/slow: they wait together."""
    answers = []

    @runs_in_own_loop
    async def post():
        slow = asyncio.ensure_future(call("/api/slow", "POST"))
        await asyncio.sleep(0.05)
        answers.extend(await asyncio.gather(*(call(path, "POST", body, bearer) for path, body in requests)))
        assert (await slow)[0] == 200

    post()
    return answers


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's writes are answered by one thread")
def test_on_sqlite_writes_that_waited_together_are_committed_together(world, bearer, settings, monkeypatch):
    settings.ROOT_URLCONF = __name__
    commit = DatabaseWrapper._commit
    commits = []

    def second_fails(wrapper):
        commits.append(threading.current_thread().name)
        if len(commits) == 2:
            raise OperationalError("disk I/O error")
        return commit(wrapper)

    monkeypatch.setattr(DatabaseWrapper, "_commit", second_fails)
    orders = [("/api/v1/orders", order_body(world, f"GROUP-{index}")) for index in range(4)]
    answers = _behind_a_slow_write(world, bearer, orders)
    # The slow request's COMMIT, then one for the four, which failed: none of them was written, and each
    # is told so.
    assert commits == ["api-writer_0"] * 2
    assert [status for status, _, _ in answers] == [503] * 4
    assert all("Nothing was written" in json.loads(body)["detail"] for _, _, body in answers)
    assert answers[0][1]["retry-after"] == "1"
    assert not Order.objects.exists() and not OrderLine.objects.exists()

    # Sent again, they are written, together.
    answers = _behind_a_slow_write(world, bearer, orders)
    assert [status for status, _, _ in answers] == [201] * 4
    assert sorted(Order.objects.values_list("external_id", flat=True)) == [f"GROUP-{index}" for index in range(4)]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's writes are answered by one thread")
def test_on_sqlite_a_write_that_fails_leaves_nothing_and_the_others_beside_it_are_kept(world, bearer, settings):
    settings.ROOT_URLCONF = __name__
    answers = _behind_a_slow_write(world, bearer, [("/api/v1/orders", order_body(world, "KEPT-1")),
                                                   ("/api/half", b""),
                                                   ("/api/v1/orders", order_body(world, "KEPT-2"))])
    assert [status for status, _, _ in answers] == [201, 500, 201]
    assert not Store.objects.filter(code="HALF").exists()
    assert sorted(Order.objects.values_list("external_id", flat=True)) == ["KEPT-1", "KEPT-2"]
    # Alone too.
    answers = []

    @runs_in_own_loop
    async def alone():
        answers.append(await call("/api/half", "POST"))

    alone()
    assert answers[0][0] == 500
    assert not Store.objects.filter(code="HALF").exists()
