"""Who is on the other end of a visitor's WebSocket: the store and, when signed, the customer.

The storefront widget (`shopfloor.storefront.widget`) hands the browser a signed widget token
from `/widget/session`; `identity_from_token` gives (store, identity) back. A visitor is linked to
a customer only when the shop signed the identity; anything else is anonymous, so an unverified
visitor never merges into a known customer.
"""

from dataclasses import dataclass

from shopfloor.accounts.models import Store
from shopfloor.customers.models import Customer
from shopfloor.storefront import widget
from shopfloor.storefront.models import WidgetSettings


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
    store = _store_for_key(store_key) if isinstance(store_key, str) else None
    return VisitorIdentity(store=store) if store else None


def _store_for_key(key: str) -> Store | None:
    """The store of a public widget key, loaded with its widget and live settings: a visitor's hello reads the
    widget settings three times and the live settings once, so one query instead of five."""
    if not key or len(key) > 40 or "\x00" in key:  # as widget.store_for_key refuses them
        return None
    return Store.objects.select_related("widget_settings", "live_settings").filter(widget_key=key).first()


def widget_settings_of(store: Store) -> WidgetSettings:
    """The store's widget settings: those loaded with the store (_store_for_key), else read now."""
    if Store.widget_settings.is_cached(store):
        try:
            return store.widget_settings
        except WidgetSettings.DoesNotExist:  # the store has none: the defaults, as widget.widget_settings says
            return WidgetSettings(store=store)
    return widget.widget_settings(store)


def origin_is_allowed(store: Store, origin: str, own_origin: str) -> bool:
    """A page of one of the store's storefronts (WidgetSettings.allowed_origins) or Shopfloor's own (the demo shop),
    as widget.origin_is_allowed decides, with the settings loaded with the store when they were."""
    origin = (origin or "").rstrip("/").lower()
    if not origin:
        return False
    if origin == own_origin.rstrip("/").lower():
        return True
    return origin in widget_settings_of(store).origins


def requires_verified_identity(store: Store) -> bool:
    return widget_settings_of(store).require_verified_identity
