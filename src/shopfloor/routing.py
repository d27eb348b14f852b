"""WebSocket routes. Each route brings its own origin check, because they differ:

- the live workspace (associates, session cookie) accepts only Shopfloor's own hosts;
- a visitor's socket comes from the retailer's storefronts, so it checks the Origin header against
  the store's allowed origins itself, once the widget's hello names the store (live.consumers).
"""

from channels.auth import AuthMiddlewareStack
from channels.security.websocket import AllowedHostsOriginValidator
from django.urls import path

from shopfloor.live.consumers import AssociateConsumer, VisitorConsumer


def own_hosts_only(application):
    """For sockets of the console: session cookies, and only from Shopfloor's own pages."""
    return AllowedHostsOriginValidator(AuthMiddlewareStack(application))


websocket_urlpatterns: list = [
    path("ws/live/visitor/", VisitorConsumer.as_asgi()),
    path("ws/live/associate/", own_hosts_only(AssociateConsumer.as_asgi())),
]
