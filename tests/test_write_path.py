"""The write path through the ASGI application (Django's own handler), as uvicorn drives it.

One request that may write is one transaction (shopfloor.transactions): committed whole when the request
succeeds, rolled back when it fails or is answered with an error, and never tied to another request.
"""

import asyncio
import json
import threading
import time

import pytest
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from shopfloor.accounts.models import Store
from shopfloor.accounts.services import create_api_token
from shopfloor.asgi import application
from shopfloor.orders.models import Order, OrderLine
from shopfloor.urls import urlpatterns as shopfloor_urls
from tests.api.test_connection_pool import sessions_opened
from tests.live.conftest import runs_in_own_loop


async def call(path: str, method: str = "GET", body: bytes = b"", headers: dict | None = None,
               chunks: int = 1) -> tuple[int, dict, bytes]:
    """One request through the ASGI application, as a server makes it: (status, headers, body)."""
    path, _, query = path.partition("?")
    raw_headers = [(b"host", b"testserver")] + [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
             "path": path, "raw_path": path.encode(), "root_path": "", "query_string": query.encode(),
             "headers": raw_headers,
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


def _written_then_refused(request):
    """Writes, then answers with an error: nothing of it may be kept either."""
    Store.objects.create(code="REFUSED", name="Written, then refused")
    return JsonResponse({"detail": [{"loc": ["body", "code"], "msg": "No."}]}, status=422)


def _writes_slowly(request):
    """Writes a store, then takes its time inside the request's transaction."""
    Store.objects.create(code=f"SLOW-{request.GET['n']}", name="Slow")
    return _slow(request)


# With the application's own routes, for requests beside these.
urlpatterns = [path("api/streamed", _streamed), path("api/slow", csrf_exempt(_slow)),
               path("api/half", csrf_exempt(_half_written)), path("api/refused", csrf_exempt(_written_then_refused)),
               path("api/slow-write", csrf_exempt(_writes_slowly)), *shopfloor_urls]


def test_a_streaming_response_is_sent_in_full(world, transactional_db, settings):
    settings.ROOT_URLCONF = __name__
    answers = []

    @runs_in_own_loop
    async def request():
        answers.append(await call("/api/streamed"))

    request()
    status, headers, body = answers[0]
    assert (status, body) == (200, b"first,second")
    assert headers["x-frame-options"] == "DENY"


def _at_once(requests: list[tuple[str, str, bytes, dict | None]]) -> list:
    """(method, path, body, headers) requests sent at the same time; their (status, headers, body)."""
    answers = []

    @runs_in_own_loop
    async def send():
        answers.extend(await asyncio.gather(*(call(path, method, body, headers)
                                              for method, path, body, headers in requests)))

    send()
    return answers


def test_writing_requests_wait_for_each_other_and_none_fails(world, transactional_db, settings):
    """SQLite takes one writer at a time: a writing request's transaction begins IMMEDIATE, so the others wait
    in SQLite's busy handler (the `timeout` option) instead of failing halfway with "database is locked".
    PostgreSQL runs them side by side. Reads never wait for writers."""
    settings.ROOT_URLCONF = __name__
    _running.update(now=0, most=0)
    answers = _at_once([("POST", f"/api/slow-write?n={n}", b"", None) for n in range(4)])
    assert [status for status, _, _ in answers] == [200] * 4
    assert Store.objects.filter(code__startswith="SLOW-").count() == 4
    assert _running["most"] == 1 if connection.vendor == "sqlite" else _running["most"] >= 2
    _running.update(now=0, most=0)
    answers = _at_once([("GET", "/api/slow", b"", None) for _ in range(4)])
    assert [status for status, _, _ in answers] == [200] * 4
    assert _running["most"] >= 2


def test_a_request_that_fails_after_writing_leaves_nothing_and_the_others_beside_it_are_kept(
        world, bearer, settings):
    settings.ROOT_URLCONF = __name__
    answers = _at_once([("POST", "/api/v1/orders", order_body(world, "KEPT-1"), bearer),
                        ("POST", "/api/half", b"", None),
                        ("POST", "/api/refused", b"", None),
                        ("POST", "/api/v1/orders", order_body(world, "KEPT-2"), bearer)])
    assert [status for status, _, _ in answers] == [201, 500, 422, 201]
    assert not Store.objects.filter(code__in=["HALF", "REFUSED"]).exists()
    assert sorted(Order.objects.values_list("external_id", flat=True)) == ["KEPT-1", "KEPT-2"]
    assert OrderLine.objects.count() == 2


class _MailServerDown:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("the mail server is down")


def test_a_side_effect_that_fails_after_commit_leaves_the_request_answered_as_written_and_is_retried(
        world, transactional_db, settings, monkeypatch):
    """The list's email is a task written with the request: the request answers what it wrote whatever
    happens to the email afterwards, and the email goes once the mail server is back."""
    from django.core import mail
    from django.utils import timezone
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from shopfloor import jobs
    from shopfloor.access import actor_for
    from shopfloor.lists import services as lists

    def failing_wake_up():
        raise RuntimeError("a callback that fails after COMMIT")

    monkeypatch.setattr(jobs, "wake_server_workers", failing_wake_up)
    settings.EMAIL_BACKEND = f"{__name__}._MailServerDown"
    customer_list = lists.create_list(actor_for(world.ana.user), world.anas_customer, "Terrace")
    _, token = create_api_token(world.ana.user)
    answers = []

    @runs_in_own_loop
    async def notify():
        answers.append(await call(f"/api/v1/lists/{customer_list.pk}/notify", "POST", b"",
                                  {"Authorization": f"Bearer {token}"}))

    notify()
    status, _, body = answers[0]
    assert status == 200, body
    customer_list.refresh_from_db()
    assert customer_list.notified_at is not None  # written, and answered so
    assert jobs.run_queued_tasks() == 1  # the worker's attempt meets the mail server down
    failed, retry = DBTaskResult.objects.filter(task_path__endswith="send_email_task").order_by("enqueued_at")
    assert (failed.status, retry.status) == (TaskResultStatus.FAILED, TaskResultStatus.READY)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
    jobs.run_queued_tasks()
    [email] = mail.outbox
    assert email.to == [world.anas_customer.email]
