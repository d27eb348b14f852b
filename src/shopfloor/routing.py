"""WebSocket routes; the live-shopping and list capabilities add their consumers here."""

websocket_urlpatterns: list = []
