"""Live-shopping settings: each store's (`settings_for`, Django admin → Live settings) and these from the
environment (each may be overridden in Django settings by the same name):

LIVE_TRUSTED_PROXIES   comma-separated addresses/networks whose X-Forwarded-For is believed (default: none)
LIVE_GEOIP_DATA_FILE   a geoip2fast data file with cities (geoip2fast-city.dat.gz); default: countries only
LIVE_ICE_SERVERS       comma-separated STUN/TURN URLs for video calls (default: none, fine on one network)
LIVE_TURN_USERNAME, LIVE_TURN_CREDENTIAL   credentials for the TURN URLs
"""

import os

from django.conf import settings

from shopfloor.accounts.models import Store
from shopfloor.live.models import LiveSettings

# Heartbeats: the widget and the workspace ping every HEARTBEAT seconds; silence for
# PRESENCE_WINDOW means gone (a crashed process cannot say goodbye).
HEARTBEAT_SECONDS = 20
PRESENCE_WINDOW_SECONDS = 60
# No activity for this long (or a hidden tab) shows the visitor idle.
IDLE_SECONDS = 60
# Offline visitors stay on the workspace list this long, then drop off.
OFFLINE_SHOWN_SECONDS = 300
# A page view or heartbeat after this much silence starts a new visit.
VISIT_GAP_SECONDS = 30 * 60
# Per connection: a burst of RATE_BURST frames, refilled at RATE_PER_SECOND; beyond that frames
# are refused, and a connection that keeps flooding is closed.
RATE_PER_SECOND = 10
RATE_BURST = 30
FLOOD_CLOSE_AFTER = 200
MAX_FRAME_BYTES = 32 * 1024
MAX_MESSAGE_CHARS = 2000


def _setting(name: str, default: str = "") -> str:
    return getattr(settings, name, None) or os.environ.get(name, default)


def _list(value) -> list[str]:
    if isinstance(value, list | tuple):
        return [str(item).strip() for item in value if str(item).strip()]
    return [item.strip() for item in str(value or "").split(",") if item.strip()]


def trusted_proxies() -> list[str]:
    return _list(_setting("LIVE_TRUSTED_PROXIES"))


def geoip_data_file() -> str:
    return _setting("LIVE_GEOIP_DATA_FILE")


def ice_servers() -> list[dict]:
    urls = _list(_setting("LIVE_ICE_SERVERS"))
    if not urls:
        return []
    server = {"urls": urls}
    username, credential = _setting("LIVE_TURN_USERNAME"), _setting("LIVE_TURN_CREDENTIAL")
    if username:
        server.update(username=username, credential=credential)
    return [server]


def settings_for(store: Store) -> LiveSettings:
    """The store's live settings (Django admin → Live settings), made with the defaults the first time."""
    try:
        return store.live_settings
    except LiveSettings.DoesNotExist:
        live_settings, _ = LiveSettings.objects.get_or_create(store=store)
        return live_settings
