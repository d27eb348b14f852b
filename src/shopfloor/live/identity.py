"""Who is on the other end of a visitor's WebSocket: the store and, when signed, the customer.

The storefront widget (`shopfloor.widget.services`) hands the browser a signed widget token
from `/widget/session`; `identity_from_token` gives (store, identity) back. A visitor is linked to
a customer only when the shop signed the identity; anything else is anonymous, so an unverified
visitor never merges into a known customer.
"""

from dataclasses import dataclass

from shopfloor.accounts.models import Store
from shopfloor.customers.models import Customer
from shopfloor.widget import services as widget


@dataclass(frozen=True)
class VisitorIdentity:
    store: Store
    customer: Customer | None = None
    # A token was presented and failed verification (forged, tampered, expired).
    was_refused: bool = False


def identify(token: str | None, store_key: str | None) -> VisitorIdentity | None:
    """The visitor's identity from a widget token, or anonymous from the store's public key; None: no store."""
    if token:
        try:
            store, identity = widget.identity_from_token(token)
        except widget.InvalidWidgetToken:
            store = widget.store_for_key(store_key) if isinstance(store_key, str) else None
            return VisitorIdentity(store=store, was_refused=True) if store else None
        customer = identity.customer if identity.kind == widget.Kind.CUSTOMER else None
        return VisitorIdentity(store=store, customer=customer)
    # With its widget and live settings: a visitor's hello reads both, so one query instead of five.
    store = widget.store_for_key(store_key, related=("live_settings",)) if isinstance(store_key, str) else None
    return VisitorIdentity(store=store) if store else None


def origin_is_allowed(store: Store, origin: str, own_origin: str) -> bool:
    """A page of one of the store's storefronts (WidgetSettings.allowed_origins) or Shopfloor's own (the demo shop)."""
    origin = (origin or "").rstrip("/").lower()
    return bool(origin) and widget.origin_is_allowed(store, origin, own_origin)


def requires_verified_identity(store: Store) -> bool:
    return widget.widget_settings(store).require_verified_identity
