"""ASGI entry point: HTTP through Django, WebSockets through Channels (each route checks its origins, routing.py)."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopfloor.settings")

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.core.asgi import get_asgi_application  # noqa: E402

django_asgi_app = get_asgi_application()

from shopfloor.routing import websocket_urlpatterns  # noqa: E402
from shopfloor.runtime import tune_garbage_collector  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": URLRouter(websocket_urlpatterns),
    }
)

tune_garbage_collector()
