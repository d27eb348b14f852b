"""ASGI entry point: HTTP through Django, WebSockets through Channels (each route checks its origins, routing.py).

The API's requests take a shorter road through Django than pages do (`ApiHandler`).
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopfloor.settings")

import asyncio  # noqa: E402
import logging  # noqa: E402
from concurrent.futures import ThreadPoolExecutor  # noqa: E402

import django  # noqa: E402
from asgiref.sync import sync_to_async  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.core import signals  # noqa: E402
from django.core.exceptions import RequestAborted  # noqa: E402
from django.core.handlers.asgi import ASGIHandler, get_script_prefix  # noqa: E402
from django.core.handlers.base import BaseHandler  # noqa: E402
from django.db import DatabaseError, connections, transaction  # noqa: E402
from django.http import JsonResponse  # noqa: E402
from django.urls import set_script_prefix  # noqa: E402

# Paths answered by `ApiHandler`; every other HTTP request goes through Django's own handler.
API_PREFIX = "/api/"
# Threads answering API requests. Their work is mostly Python (the GIL lets one run at a time), so a
# few are enough to overlap one request's database waits with another's computing.
API_THREADS = 8
# Methods that only read: on SQLite, every other API request is answered by the one writer thread.
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
# On SQLite, at most this many waiting writing requests share one transaction.
MAX_WRITES_PER_COMMIT = 8

logger = logging.getLogger(__name__)


class ApiHandler(ASGIHandler):
    """Django's ASGI handler, answering each API request with one trip to a long-lived thread.

    Django's handler runs the sync middleware and the sync view of each request on a thread it
    starts for that request (asgiref's ThreadSensitiveContext), and hops between that thread and
    the event loop at each change between sync and async code in the chain: three hops, a new
    thread and a fresh database connection per request, which measured as about a third of the
    server's CPU on POST /api/v1/orders (bench/settlement.py --http). Every middleware and view
    of Shopfloor's API is sync, so here the request is parsed, answered and closed by the sync
    middleware chain (the same middleware, in the same order, as pages get) in one call on a
    fixed pool of threads, and only the reading of the body and the sending of the response stay
    on the event loop. The connection the request used is given back when the response is
    closed (request_finished), before the thread takes the next request, as Django does.

    On SQLite, which takes one writer at a time, the requests that write (every method but GET,
    HEAD and OPTIONS) are answered one after the other by a thread of their own, in the order they
    arrived; reads still run side by side on the pool. Writers on several threads ran their reads
    beside each other, contended for the GIL and then waited in SQLite's busy handler, which sleeps
    for growing intervals: one writer thread measured about a fifth less server CPU per order, more
    orders per second and half the p95 (bench/settlement.py --http 4).

    Writing requests that arrive while the writer is busy wait together, and the writer then
    answers them in one transaction (up to MAX_WRITES_PER_COMMIT): each request in a savepoint of
    its own, rolled back if it fails with a 5xx (alone too: a writing request that fails leaves
    nothing half-written), and every response of the group held until the COMMIT, which is paid
    once instead of once per request (with 8 clients, about a quarter more orders per second;
    bench/settlement.py --http 8). If that COMMIT fails, nothing of the group was written and each
    of its requests is answered 503 (safe to retry). The signals a request sends around its work
    (request_started, request_finished: Django closes an old database connection there, which would
    end the group's transaction) are sent before the group begins and after it commits; on_commit
    callbacks run after the group's COMMIT, when what they announce is there for others to read.

    As with Django's sync view under ASGI, a client that goes away does not stop the request.
    """

    def __init__(self):
        super().__init__()
        self.sync_handler = BaseHandler()
        self.sync_handler.load_middleware(is_async=False)
        self.threads = ThreadPoolExecutor(max_workers=API_THREADS, thread_name_prefix="api")
        self.writer = self.threads
        self.grouped = connections["default"].vendor == "sqlite"
        if self.grouped:
            self.writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="api-writer")
        # Writing requests waiting for the writer thread (SQLite): (scope, body file, future of the response).
        self.waiting_writes = []
        self.writing = None
        # asgiref runs the call on our threads and still lets the code there call async_to_sync (the
        # live events reach the channel layer through the server's event loop, as they do for pages).
        self.answer_read = sync_to_async(self.answer, thread_sensitive=False, executor=self.threads)
        self.answer_write = sync_to_async(self.answer, thread_sensitive=False, executor=self.writer)
        self.answer_writes = sync_to_async(self.answer_together, thread_sensitive=False, executor=self.writer)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not scope["path"].startswith(API_PREFIX):
            return await super().__call__(scope, receive, send)
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return
        set_script_prefix(get_script_prefix(scope))
        reads = scope["method"] in SAFE_METHODS
        if reads:
            response = await self.answer_read(scope, body_file)
        elif self.grouped:
            response = await self.wait_to_write(scope, body_file)
        else:
            response = await self.answer_write(scope, body_file)
        try:
            await self.send_response(response, send)
        finally:
            if response.streaming:
                # Only a streaming response is still open here (the body was read while it was sent).
                executor = self.threads if reads else self.writer
                await sync_to_async(response.close, thread_sensitive=False, executor=executor)()

    async def wait_to_write(self, scope, body_file):
        """The response to a writing request, answered with the others waiting when the writer is free."""
        loop = asyncio.get_running_loop()
        if self.writing is None or self.writing.done() or self.writing.get_loop() is not loop:
            # (A task of another loop, which ended, will never finish: a server that runs its loop again.)
            self.waiting_writes = [waiting for waiting in self.waiting_writes if waiting[2].get_loop() is loop]
            self.writing = loop.create_task(self.write_waiting())
        future = loop.create_future()
        self.waiting_writes.append((scope, body_file, future))
        return await future

    async def write_waiting(self):
        """Answer the waiting writing requests, those that waited together in one transaction."""
        while self.waiting_writes:
            group = self.waiting_writes[:MAX_WRITES_PER_COMMIT]
            del self.waiting_writes[:MAX_WRITES_PER_COMMIT]
            try:
                responses = await self.answer_writes([(scope, body_file) for scope, body_file, _ in group])
            except Exception as exc:
                responses = [exc] * len(group)
            for (*_, future), response in zip(group, responses, strict=True):
                if future.done():
                    continue  # the request went away (the server is stopping)
                if isinstance(response, Exception):
                    future.set_exception(response)
                else:
                    future.set_result(response)

    def answer(self, scope, body_file):
        """The response to one request, closed unless it streams (in this thread, which used the connection)."""
        signals.request_started.send(sender=self.__class__, scope=scope)
        response = self.respond(scope, body_file)
        if not response.streaming:
            # Closing sends request_finished: the database connection goes back before the next request.
            response.close()
        return response

    def answer_together(self, requests):
        """The responses to writing requests, in one transaction (see the class)."""
        signals.request_started.send(sender=self.__class__, scope=requests[0][0])
        responses = []
        try:
            with transaction.atomic():
                for scope, body_file in requests:
                    with transaction.atomic():
                        responses.append(self.respond(scope, body_file))
                        if responses[-1].status_code >= 500:
                            transaction.set_rollback(True)
        except DatabaseError:
            logger.exception("A group of %d API writes could not be committed; each is answered 503.", len(requests))
            for response in responses:
                response.close()
            responses = [self.not_written() for _ in requests]
        for response in responses:
            if not response.streaming:
                response.close()
        return responses

    def respond(self, scope, body_file):
        try:
            request, response = self.create_request(scope, body_file)
            if request is not None:
                response = self.sync_handler.get_response(request)
                response._handler_class = self.__class__
        finally:
            body_file.close()
        return response

    def not_written(self):
        response = JsonResponse({"detail": "Nothing was written: the database did not take it. Please retry."},
                                status=503, headers={"Retry-After": "1", "X-Content-Type-Options": "nosniff"})
        response._handler_class = self.__class__
        return response


django.setup(set_prefix=False)
application_for_http = ApiHandler()

from shopfloor.routing import websocket_urlpatterns  # noqa: E402
from shopfloor.runtime import tune_garbage_collector  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": application_for_http,
        "websocket": URLRouter(websocket_urlpatterns),
    }
)

tune_garbage_collector()
