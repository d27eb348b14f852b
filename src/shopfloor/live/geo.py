"""Where a visitor is: country (and city when a city database is configured) with geoip2fast, offline.

The client address is the socket's peer, or the right-most address in X-Forwarded-For
that is not one of the trusted proxies (LIVE_TRUSTED_PROXIES, see conf), and
only when the peer itself is a trusted proxy: anybody can write that header.
"""

import ipaddress
import threading
from dataclasses import dataclass

from shopfloor.live import conf

_lock = threading.Lock()
_reader = None


@dataclass(frozen=True)
class Location:
    country: str = ""
    country_name: str = ""
    city: str = ""


def _trusted_networks():
    networks = []
    for entry in conf.trusted_proxies():
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            continue
    return networks


def _is_trusted(address: str, networks) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(peer: str | None, forwarded_for: str | None) -> str:
    """The visitor's address: X-Forwarded-For is believed only when the peer is a trusted proxy."""
    peer = peer or ""
    networks = _trusted_networks()
    if not forwarded_for or not _is_trusted(peer, networks):
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    # Walk from the nearest hop: every trusted proxy may append; the first untrusted one is the client.
    for hop in reversed(hops):
        if not _is_trusted(hop, networks):
            return hop
    return hops[0] if hops else peer


def _geoip():
    global _reader
    with _lock:
        if _reader is None:
            from geoip2fast import GeoIP2Fast

            data_file = conf.geoip_data_file()
            _reader = GeoIP2Fast(geoip2fast_data_file=data_file) if data_file else GeoIP2Fast()
        return _reader


def locate(address: str, country_only: bool = False) -> Location:
    """Country and city of an address; private and unknown addresses have no location."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return Location()
    if ip.is_private or ip.is_loopback or ip.is_link_local:
        return Location()  # the shop's own network: nowhere to show, and no need to load the data
    result = _geoip().lookup(address)
    if getattr(result, "is_private", False) or len(result.country_code or "") != 2:
        return Location()
    city = ""
    if not country_only:
        detail = getattr(result, "city", None)
        city = (getattr(detail, "name", "") or "") if detail is not None else ""
    return Location(country=result.country_code, country_name=result.country_name[:80], city=city[:80])
