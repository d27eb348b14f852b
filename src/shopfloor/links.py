"""Full links for what leaves Shopfloor: emails, text messages, links a customer is given.

A page can answer with a path; a message read in a mail client cannot. The request's own origin
is the best base when there is a request; messages sent without one (jobs, the demo command,
notifications on an order that arrived by API) use PUBLIC_URL, where the retailer serves Shopfloor.
"""

from django.conf import settings


def absolute_url(path: str, base_url: str = "") -> str:
    """`path` on `base_url` (a request's origin), else on PUBLIC_URL; a full URL comes back unchanged."""
    if not path.startswith("/"):
        return path
    base = (base_url or settings.SHOPFLOOR["PUBLIC_URL"]).rstrip("/")
    return f"{base}{path}"
