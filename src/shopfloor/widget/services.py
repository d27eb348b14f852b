"""The storefront widget's server side: signed shopper identities, widget tokens, the feature registry.

A storefront embeds `/widget.js` with its store key and, for a logged-in shopper, a signed identity:

    identity  = "email:ana@example.com|1732870000"   or   "customer_id:42|1732870000"
    signature = hex(HMAC-SHA256(key=store.widget_secret, msg=identity))

(the number after "|" is when the storefront signed it, in Unix seconds). `verify_identity` checks the
signature in constant time and the age; anything wrong makes the visitor anonymous, never an error,
so a forged identity learns nothing. `/widget/session` then hands the browser a short-lived widget
token (a `TimestampSigner` value) that every widget call sends in the `X-Shopfloor-Widget` header;
`identity_from_token` turns it back into (store, identity) for any app (LIVE's WebSocket too).

Features (the associate panel, live chat) are decided here: `register_feature(name, enabled)` from an
AppConfig.ready(); the loader imports `/widget/<name>.js` for each enabled name.
"""

import hashlib
import hmac
import logging
import re
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import cached_property

from django.core import signing
from django.db import transaction
from django.db.models import Q

from shopfloor.access import Actor
from shopfloor.accounts.models import Associate, Store
from shopfloor.accounts.services import record_event
from shopfloor.customers.models import Customer
from shopfloor.errors import InvalidInput
from shopfloor.widget.models import WidgetSettings

logger = logging.getLogger(__name__)

# How long a signed identity stays good after the storefront signed it: a page rendered today
# works all day; a copied identity stops working tomorrow.
IDENTITY_MAX_AGE = 24 * 3600
# A storefront's clock may run a little ahead of ours.
IDENTITY_CLOCK_SKEW = 300
# The widget token lives as long as a browsing session; the loader asks for a new one on every
# page and the widget's `api()` renews it when a call answers 401.
TOKEN_MAX_AGE = 2 * 3600
# Named after the module's old place (storefront/widget.py): a new salt would void every token in use.
TOKEN_SALT = "shopfloor.storefront.widget.token"
TOKEN_HEADER = "X-Shopfloor-Widget"

ORIGIN_PATTERN = re.compile(r"^https?://[a-z0-9.-]+(:\d{1,5})?$|^https?://\[[0-9a-f:]+\](:\d{1,5})?$")
IDENTITY_PATTERN = re.compile(r"^(email|customer_id):([^|\s]{1,254})\|(\d{1,12})$")


class Kind:
    # Nobody the widget can vouch for: no identity, or a bad, expired or foreign signature.
    ANONYMOUS = "anonymous"
    # A shopper the storefront vouches for; `customer_id` is set when Shopfloor knows them.
    CUSTOMER = "customer"
    # An active associate with a login, of this store or of its configured associates group.
    ASSOCIATE = "associate"


@dataclass(frozen=True)
class Identity:
    """Who is behind a widget: what /widget/session answers and every widget call acts as."""

    kind: str = Kind.ANONYMOUS
    email: str = ""
    customer_id: int | None = None
    associate_id: int | None = None
    name: str = ""

    @property
    def is_anonymous(self) -> bool:
        return self.kind == Kind.ANONYMOUS

    @property
    def is_associate(self) -> bool:
        return self.kind == Kind.ASSOCIATE

    @property
    def is_verified(self) -> bool:
        return not self.is_anonymous

    @cached_property
    def associate(self) -> Associate | None:
        if self.associate_id is None:
            return None
        return Associate.objects.select_related("user", "store").filter(pk=self.associate_id).first()

    @cached_property
    def customer(self) -> Customer | None:
        if self.customer_id is None:
            return None
        return Customer.objects.filter(pk=self.customer_id).first()

    def actor(self) -> Actor:
        """The access-policy actor: the associate's login (or the customer's), else nobody."""
        if self.associate is not None:
            return Actor(self.associate.user)
        customer = self.customer
        return Actor(customer.user if customer is not None and customer.user_id else None)

    def as_json(self) -> dict:
        return asdict(self)


ANONYMOUS = Identity()


# Settings -------------------------------------------------------------------------------


def widget_settings(store: Store) -> WidgetSettings:
    """The store's widget settings; the defaults (unsaved) when the retailer has set none.
    Those loaded with the store (store_for_key) are used as they are."""
    if Store.widget_settings.is_cached(store):
        try:
            return store.widget_settings
        except WidgetSettings.DoesNotExist:
            return WidgetSettings(store=store)
    return WidgetSettings.objects.select_related("associates_group").filter(store=store).first() or WidgetSettings(
        store=store
    )


def clean_origins(text: str) -> str:
    """One origin a line (scheme://host[:port]), normalised; InvalidInput names a bad line."""
    lines = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip().rstrip("/").lower()
        if not line:
            continue
        if not ORIGIN_PATTERN.match(line):
            raise InvalidInput.field(
                "allowed_origins", f"Line {number} is not an origin like https://shop.example.com: {line[:80]}"
            )
        if line not in lines:
            lines.append(line)
    return "\n".join(lines)


def save_widget_settings(actor_user, store: Store, data: dict) -> WidgetSettings:
    """Change a store's widget settings (admins, through the Django admin)."""
    settings = WidgetSettings.objects.filter(store=store).first() or WidgetSettings(store=store)
    if "allowed_origins" in data:
        settings.allowed_origins = clean_origins(data["allowed_origins"])
    if "associates_group" in data:
        settings.associates_group = data["associates_group"]
    if "require_verified_identity" in data:
        settings.require_verified_identity = bool(data["require_verified_identity"])
    with transaction.atomic():
        settings.save()
        record_event(actor_user, "widget_settings.saved", settings, store_id=store.pk,
                     allowed_origins=settings.origins,
                     associates_group_id=settings.associates_group_id,
                     require_verified_identity=settings.require_verified_identity)
    return settings


def store_for_key(key: str, related: tuple[str, ...] = ()) -> Store | None:
    """The store of a public widget key, with its widget settings (and the `related` relations) in the same query."""
    if not key or len(key) > 40 or "\x00" in key:
        return None
    return Store.objects.select_related("widget_settings", *related).filter(widget_key=key).first()


def origin_is_allowed(store: Store, origin: str, own_origin: str) -> bool:
    """Whether a page at `origin` may talk to the widget of `store`: Shopfloor's own pages always may."""
    origin = (origin or "").rstrip("/").lower()
    if not origin or origin == own_origin.rstrip("/").lower():
        return True
    return origin in widget_settings(store).origins


def origin_is_listed_anywhere(origin: str) -> bool:
    """For a CORS preflight, which carries no token: is the origin some store's storefront?"""
    origin = (origin or "").rstrip("/").lower()
    if not origin:
        return False
    candidates = WidgetSettings.objects.filter(allowed_origins__icontains=origin)
    return any(origin in settings.origins for settings in candidates)


# Signed identities --------------------------------------------------------------------------


def _mac(store: Store, identity: str) -> str:
    return hmac.new(store.widget_secret.encode(), identity.encode(), hashlib.sha256).hexdigest()


def sign_identity(store: Store, *, email: str = "", customer_id: int | None = None,
                  issued_at: int | None = None) -> tuple[str, str]:
    """(identity, signature) for a logged-in shopper, as a storefront puts them on the script tag."""
    if bool(email) == (customer_id is not None):
        raise ValueError("Sign either an email address or a customer id.")
    issued_at = int(time.time()) if issued_at is None else int(issued_at)
    subject = f"email:{email.strip().lower()}" if email else f"customer_id:{int(customer_id)}"
    identity = f"{subject}|{issued_at}"
    return identity, _mac(store, identity)


def verify_identity(store: Store, identity: str, signature: str, *, now: float | None = None) -> Identity:
    """The identity a storefront vouched for, or ANONYMOUS when anything about it is wrong."""
    if not identity or not signature or not isinstance(identity, str) or not isinstance(signature, str):
        return ANONYMOUS
    if len(identity) > 300 or len(signature) > 128:
        return ANONYMOUS
    try:
        expected, given = _mac(store, identity).encode(), signature.strip().lower().encode()
    except UnicodeEncodeError:
        return ANONYMOUS
    # Compared before anything else is looked at, in constant time.
    if not hmac.compare_digest(expected, given):
        return ANONYMOUS
    match = IDENTITY_PATTERN.match(identity)
    if match is None:
        return ANONYMOUS
    key, value, issued_at = match.group(1), match.group(2), int(match.group(3))
    now = time.time() if now is None else now
    if issued_at > now + IDENTITY_CLOCK_SKEW or now - issued_at > IDENTITY_MAX_AGE:
        return ANONYMOUS
    if key == "customer_id":
        if not value.isdigit():
            return ANONYMOUS
        return resolve_identity(store, customer_id=int(value))
    return resolve_identity(store, email=value)


def _panel_associate(store: Store, login_emails: set[str]) -> Associate | None:
    """An active associate whose login is one of these addresses and who may use the panel here: an
    associate of this store, or a member of the store's associates group."""
    login_emails = {email.strip().lower() for email in login_emails if email}
    if not login_emails:
        return None
    by_email = Q()
    for email in login_emails:
        # The login address only: it is unique and verified by Shopfloor, where a contact address is not.
        by_email |= Q(user__email__iexact=email)
    candidates = Associate.objects.select_related("user", "store").filter(by_email, active=True,
                                                                          user__is_active=True)
    group_id = widget_settings(store).associates_group_id
    for associate in candidates.order_by("pk"):
        if not associate.can_login:
            continue
        if associate.store_id == store.pk:
            return associate
        if group_id and associate.customer_groups.filter(pk=group_id).exists():
            return associate
    return None


def resolve_identity(store: Store, *, email: str = "", customer_id: int | None = None) -> Identity:
    """Who a verified email address or customer id is on this store's storefront."""
    customer = None
    if customer_id is not None:
        customer = Customer.objects.select_related("user").filter(pk=customer_id).first()
        if customer is None:
            return ANONYMOUS
        emails = {customer.user.email if customer.user_id else ""}
        group_id = widget_settings(store).associates_group_id
        if group_id and customer.group_id == group_id:
            # The retailer put this customer record in its associates group: its address is an associate's.
            emails.add(customer.email)
    else:
        emails = {email}
    associate = _panel_associate(store, emails)
    if associate is not None:
        return Identity(kind=Kind.ASSOCIATE, email=associate.user.email, associate_id=associate.pk,
                        name=associate.name)
    if customer is None:
        email = email.strip().lower()
        known = Customer.objects.filter(Q(search_email=email) | Q(user__email__iexact=email)).order_by("pk")
        # The same person may be a customer of several stores: this store's record first.
        customer = known.filter(store=store).first() or known.first()
    if customer is None:
        # Vouched for by the storefront but not (yet) a customer here.
        return Identity(kind=Kind.CUSTOMER, email=email)
    return Identity(kind=Kind.CUSTOMER, email=customer.email, customer_id=customer.pk, name=customer.full_name)


# Widget tokens --------------------------------------------------------------------------------


class InvalidWidgetToken(Exception):
    """The widget token is missing, forged, tampered with, expired, or its store is gone (answered 401)."""


def issue_token(store: Store, identity: Identity) -> str:
    payload = {"s": store.pk, "e": identity.email, "c": identity.customer_id, "k": identity.kind}
    return signing.TimestampSigner(salt=TOKEN_SALT).sign_object(payload, compress=True)


def identity_from_token(token: str) -> tuple[Store, Identity]:
    """(store, identity) behind a widget token, looked up afresh: a deactivated associate loses the panel
    at once. Raises InvalidWidgetToken for a bad or expired token."""
    if not token or not isinstance(token, str) or len(token) > 1000:
        raise InvalidWidgetToken("No widget token.")
    try:
        payload = signing.TimestampSigner(salt=TOKEN_SALT).unsign_object(token, max_age=TOKEN_MAX_AGE)
    except signing.SignatureExpired:
        raise InvalidWidgetToken("The widget token has expired.")
    except (signing.BadSignature, ValueError, TypeError):
        raise InvalidWidgetToken("The widget token is not valid.")
    if not isinstance(payload, dict):
        raise InvalidWidgetToken("The widget token is not valid.")
    store = Store.objects.filter(pk=payload.get("s")).first()
    if store is None:
        raise InvalidWidgetToken("The widget token's store no longer exists.")
    kind = payload.get("k")
    if kind == Kind.ANONYMOUS:
        return store, ANONYMOUS
    customer_id = payload.get("c")
    if customer_id is not None:
        identity = resolve_identity(store, customer_id=customer_id)
    else:
        identity = resolve_identity(store, email=payload.get("e") or "")
    return store, identity


# Features ---------------------------------------------------------------------------------------

FEATURE_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
_features: dict[str, Callable[[Store, Identity], bool]] = {}


def register_feature(name: str, enabled: Callable[[Store, Identity], bool]) -> None:
    """Offer `/widget/<name>.js` (static `widget/<name>.js` of any app) to the widgets where
    `enabled(store, identity)` is true. Registering a name again replaces it."""
    if not FEATURE_NAME.match(name):
        raise ValueError(f"Feature names are lower-case words: {name!r}")
    _features[name] = enabled


def features_for(store: Store, identity: Identity) -> list[str]:
    names = []
    for name, enabled in _features.items():
        try:
            if enabled(store, identity):
                names.append(name)
        except Exception:
            # One broken feature must not take the widget (and the associate panel) down with it.
            logger.exception("Widget feature %s failed to decide", name)
    return names


def session_for(store: Store, identity: Identity) -> dict:
    """What /widget/session answers: the store, who the widget is for, its token and its features."""
    return {
        "store": {"key": store.widget_key, "name": store.name, "currency": store.currency,
                  "selling_mode": store.selling_mode},
        "identity": identity.as_json(),
        "token": issue_token(store, identity),
        "features": features_for(store, identity),
    }
