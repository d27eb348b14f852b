"""ASGI entry point: HTTP through Django, WebSockets through Channels (each route checks its origins, routing.py).

The API's requests take a shorter road through Django than pages do (`ApiHandler`).
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopfloor.settings")

from concurrent.futures import ThreadPoolExecutor  # noqa: E402

import django  # noqa: E402
from asgiref.sync import sync_to_async  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.core import signals  # noqa: E402
from django.core.exceptions import RequestAborted  # noqa: E402
from django.core.handlers.asgi import ASGIHandler, get_script_prefix  # noqa: E402
from django.core.handlers.base import BaseHandler  # noqa: E402
from django.db import connections  # noqa: E402
from django.urls import set_script_prefix  # noqa: E402

# Paths answered by `ApiHandler`; every other HTTP request goes through Django's own handler.
API_PREFIX = "/api/"
# Threads answering API requests. Their work is mostly Python (the GIL lets one run at a time), so a
# few are enough to overlap one request's database waits with another's computing.
API_THREADS = 8
# Methods that only read: on SQLite, every other API request is answered by the one writer thread.
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


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

    As with Django's sync view under ASGI, a client that goes away does not stop the request.
    """

    def __init__(self):
        super().__init__()
        self.sync_handler = BaseHandler()
        self.sync_handler.load_middleware(is_async=False)
        self.threads = ThreadPoolExecutor(max_workers=API_THREADS, thread_name_prefix="api")
        self.writer = self.threads
        if connections["default"].vendor == "sqlite":
            self.writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="api-writer")
        # asgiref runs the call on our threads and still lets the code there call async_to_sync (the
        # live events reach the channel layer through the server's event loop, as they do for pages).
        self.answer_read = sync_to_async(self.answer, thread_sensitive=False, executor=self.threads)
        self.answer_write = sync_to_async(self.answer, thread_sensitive=False, executor=self.writer)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not scope["path"].startswith(API_PREFIX):
            return await super().__call__(scope, receive, send)
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return
        set_script_prefix(get_script_prefix(scope))
        reads = scope["method"] in SAFE_METHODS
        response = await (self.answer_read if reads else self.answer_write)(scope, body_file)
        try:
            await self.send_response(response, send)
        finally:
            if response.streaming:
                # Only a streaming response is still open here (the body was read while it was sent).
                executor = self.threads if reads else self.writer
                await sync_to_async(response.close, thread_sensitive=False, executor=executor)()

    def answer(self, scope, body_file):
        """The response to one request, closed unless it streams (in this thread, which used the connection)."""
        try:
            signals.request_started.send(sender=self.__class__, scope=scope)
            request, response = self.create_request(scope, body_file)
            if request is not None:
                response = self.sync_handler.get_response(request)
                response._handler_class = self.__class__
        finally:
            body_file.close()
        if not response.streaming:
            # Closing sends request_finished: the database connection goes back before the next request.
            response.close()
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
