"""ASGI entry point: HTTP through Django's own handler, WebSockets through Channels (each route checks
its origins, routing.py), and the lifespan of a serving process, which runs its task worker."""

import asyncio
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopfloor.settings")

from django.core.asgi import get_asgi_application  # noqa: E402

# Django is set up before anything imports models.
application_for_http = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from shopfloor import jobs  # noqa: E402
from shopfloor.live import events  # noqa: E402
from shopfloor.routing import websocket_urlpatterns  # noqa: E402
from shopfloor.runtime import tune_garbage_collector  # noqa: E402


async def lifespan(scope, receive, send):
    """Start this process's task worker when the server starts, stop it when the server stops.

    The worker runs in a thread of this process so that live broadcasts reach the sockets of this
    process's event loop (the in-memory channel layer lives there); see shopfloor.jobs.
    """
    worker = None
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            events.serve_from_this_loop()
            queues = jobs.server_queues()
            worker = jobs.ServerWorker(queues, schedule=jobs.DEFAULT_QUEUE in queues).start()
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            if worker is not None:
                await asyncio.to_thread(worker.stop)
            events.serve_from_this_loop(False)
            await send({"type": "lifespan.shutdown.complete"})
            return


application = ProtocolTypeRouter(
    {
        "http": application_for_http,
        "websocket": URLRouter(websocket_urlpatterns),
        "lifespan": lifespan,
    }
)

tune_garbage_collector()
