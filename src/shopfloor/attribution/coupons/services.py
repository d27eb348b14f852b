"""Coupons: associates' discount codes, the admin's bounds on them, validation and counting uses.

The path of a coupon, top to bottom:

    create_coupon (API, console)         → a code owned by an associate, within the bounds
    check_coupon (storefronts, demo shop) → valid or not, and the discount on a subtotal
    record_order → record_coupon_use     → the order's use, counted once per order
    record_order → attribute → by_coupon → the sale is credited to the coupon's owner (rule 2)

Where the design is silent:
- Codes are 3–40 characters of A–Z, 0–9, - and _, stored upper-case; any case finds them.
- Associates and managers create coupons within `CouponBounds`; a coupon without
  `max_uses` or `expires_at` gets the bounds' maximum. Admins set the bounds and are not
  bound by them (their coupons may be unlimited). Managers create coupons for the
  associates of their store; associates for themselves.
- Validation refuses a coupon that is inactive, whose owner is inactive, expired, or
  used `max_uses` times. When an order arrives with a code, its use is recorded even
  beyond those limits (the storefront already granted the discount) and flagged
  `beyond_limits`; the sale is still credited to the coupon's owner.
- A cancelled or refunded order keeps its use: the coupon was spent.
- A fixed coupon's value is in its owner's store currency and never takes more than the subtotal.
"""

import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.text import slugify

from shopfloor.access import Actor, NotAllowed, require_admin, require_staff, visible_associates
from shopfloor.accounts.models import Associate
from shopfloor.accounts.services import record_event
from shopfloor.attribution.models import Coupon, CouponBounds, CouponKind, CouponUse
from shopfloor.errors import Conflict, InvalidInput
from shopfloor.money import MAX_AMOUNT, ZERO, to_cents

CODE_PATTERN = re.compile(r"^[A-Z0-9_-]{3,40}$")
MAX_PERCENT = Decimal("100")
# The bounds an admin may set, so that no coupon outlives a sensible horizon or overflows a column.
MAX_BOUND_USES = 1_000_000
MAX_BOUND_DAYS = 3650


def normalize_code(code) -> str:
    return str(code or "").strip().upper()


def coupon_by_code(code) -> Coupon | None:
    """The coupon with this code, whatever its case, or None."""
    code = normalize_code(code)
    if not CODE_PATTERN.match(code):
        return None
    # Upper(code) is what the unique index holds, so this finds a code saved in any case.
    return (
        Coupon.objects.select_related("associate__store").annotate(code_upper=Upper("code"))
        .filter(code_upper=code).first()
    )


# Bounds ---------------------------------------------------------------------------------


def coupon_bounds() -> CouponBounds:
    """The bounds row, or the defaults when no admin has saved any (reading writes nothing)."""
    return CouponBounds.objects.filter(pk=1).first() or CouponBounds(pk=1)


def update_coupon_bounds(actor: Actor, data: dict) -> CouponBounds:
    """Change the limits associates create coupons within (admins); fields left out keep their value."""
    require_admin(actor)
    limits = {
        "max_percent": (Decimal("0.01"), MAX_PERCENT),
        "max_amount": (Decimal("0.01"), MAX_AMOUNT),
        "max_uses": (1, MAX_BOUND_USES),
        "max_days_to_expiry": (1, MAX_BOUND_DAYS),
    }
    errors = []
    for name, (low, high) in limits.items():
        value = data.get(name)
        if value is not None and not low <= value <= high:
            errors.append((("body", name), f"Must be between {low} and {high}."))
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        bounds, _ = CouponBounds.objects.select_for_update().get_or_create(pk=1)
        for name in limits:
            if data.get(name) is not None:
                setattr(bounds, name, data[name])
        bounds.save()
        bounds.refresh_from_db()
        record_event(actor.user, "coupon_bounds.updated", bounds, **{
            name: str(getattr(bounds, name)) for name in limits
        })
    return bounds


# Creating and deactivating ---------------------------------------------------------------


def _owner(actor: Actor, associate_id) -> Associate:
    if associate_id is None:
        if actor.associate is None:
            raise InvalidInput.field("associate_id", "Field required: whose coupon is it?")
        return actor.associate
    associate = visible_associates(actor).select_related("store").filter(pk=associate_id).first()
    if associate is None:
        raise InvalidInput.field("associate_id", "Unknown associate.")
    if not actor.is_admin and not actor.is_manager and associate.pk != actor.associate.pk:
        raise NotAllowed("Associates create coupons for themselves.")
    if not associate.active:
        raise InvalidInput.field("associate_id", "This associate is not active.")
    return associate


def _new_code(associate: Associate) -> str:
    prefix = slugify(associate.name.split(" ")[0])[:12].upper().replace("-", "") or "SHOP"
    while True:
        code = f"{prefix}-{secrets.token_hex(3).upper()}"
        if coupon_by_code(code) is None:
            return code


def create_coupon(actor: Actor, data: dict) -> Coupon:
    """A coupon for an associate; associates and managers stay within the admin's bounds (422 beyond)."""
    require_staff(actor)
    associate = _owner(actor, data.get("associate_id"))
    now = timezone.now()
    errors = []

    def fail(name, message):
        errors.append((("body", name), message))

    code = normalize_code(data.get("code"))
    if code and not CODE_PATTERN.match(code):
        fail("code", "3 to 40 characters: letters, digits, - or _.")
    kind = data.get("kind")
    if kind not in CouponKind.values:
        fail("kind", f"Must be one of {', '.join(CouponKind.values)}.")
    value = data.get("value")
    if value is None or value <= 0:
        fail("value", "Must be more than zero.")
    elif kind == CouponKind.PERCENT and value > MAX_PERCENT:
        fail("value", "A percentage may not exceed 100.")
    elif value > MAX_AMOUNT or to_cents(value) != value:
        fail("value", f"An amount in cents, at most {MAX_AMOUNT}.")
    max_uses = data.get("max_uses")
    if max_uses is not None and not 1 <= max_uses <= MAX_BOUND_USES:
        fail("max_uses", f"Must be between 1 and {MAX_BOUND_USES}.")
    expires_at = data.get("expires_at")
    if expires_at is not None and expires_at <= now:
        fail("expires_at", "Must be in the future.")
    if not actor.is_admin and not errors:
        bounds = coupon_bounds()
        if kind == CouponKind.PERCENT and value > bounds.max_percent:
            fail("value", f"At most {bounds.max_percent}% off: the retailer's limit for coupons.")
        if kind == CouponKind.FIXED and value > bounds.max_amount:
            fail("value", f"At most {bounds.max_amount} off: the retailer's limit for coupons.")
        if max_uses is None:
            max_uses = bounds.max_uses
        elif max_uses > bounds.max_uses:
            fail("max_uses", f"At most {bounds.max_uses} uses: the retailer's limit for coupons.")
        latest = now + timedelta(days=bounds.max_days_to_expiry)
        if expires_at is None:
            expires_at = latest
        elif expires_at > latest:
            fail("expires_at", f"At most {bounds.max_days_to_expiry} days from now: "
                               "the retailer's limit for coupons.")
    if errors:
        raise InvalidInput(errors)
    code = code or _new_code(associate)
    value = to_cents(value)
    if Coupon.objects.annotate(code_upper=Upper("code")).filter(code_upper=code).exists():
        raise Conflict(f"The code {code} is taken.")
    try:
        with transaction.atomic():
            coupon = Coupon.objects.create(
                code=code, associate=associate, kind=kind, value=value, max_uses=max_uses,
                expires_at=expires_at, created_by=actor.user if getattr(actor.user, "pk", None) else None,
            )
            record_event(actor.user, "coupon.created", coupon, code=code, associate_id=associate.pk,
                         kind=kind, value=str(value))
    except IntegrityError:
        raise Conflict(f"The code {code} is taken.")
    coupon.associate = associate
    return coupon


def deactivate_coupon(actor: Actor, coupon: Coupon) -> Coupon:
    """Stop a coupon; deactivating an inactive coupon changes nothing (idempotent)."""
    require_staff(actor)
    with transaction.atomic():
        changed = Coupon.objects.filter(pk=coupon.pk, active=True).update(active=False)
        if changed:
            record_event(actor.user, "coupon.deactivated", coupon, code=coupon.code)
    coupon.refresh_from_db(fields=["active", "uses"])
    return coupon


# Validation and uses ---------------------------------------------------------------------


class CouponReason:
    """Why a code cannot be used now (None when it can)."""

    UNKNOWN = "unknown"
    INACTIVE = "inactive"
    EXPIRED = "expired"
    USED_UP = "used_up"
    CURRENCY = "currency"


@dataclass
class CouponCheck:
    code: str
    coupon: Coupon | None
    reason: str | None
    message: str
    discount: Decimal | None

    @property
    def is_valid(self) -> bool:
        return self.reason is None


def discount_for(coupon: Coupon, subtotal: Decimal) -> Decimal:
    """What the coupon takes off a subtotal: rounded half-up to cents, never more than the subtotal."""
    subtotal = to_cents(max(subtotal, ZERO))
    if coupon.kind == CouponKind.PERCENT:
        return min(subtotal, to_cents(subtotal * coupon.value / Decimal("100")))
    return min(subtotal, coupon.value)


def _refusal(coupon: Coupon | None, at) -> tuple[str, str] | None:
    if coupon is None:
        return CouponReason.UNKNOWN, "We do not know this coupon code."
    if not coupon.active or not coupon.associate.active:
        return CouponReason.INACTIVE, "This coupon is no longer active."
    if coupon.expires_at is not None and coupon.expires_at <= at:
        return CouponReason.EXPIRED, f"This coupon expired on {coupon.expires_at:%Y-%m-%d}."
    if coupon.max_uses is not None and coupon.uses >= coupon.max_uses:
        return CouponReason.USED_UP, "This coupon has been used as many times as it may be."
    return None


def check_coupon(code, subtotal: Decimal | None = None, at=None, currency: str | None = None) -> CouponCheck:
    """May this code be used now, and what does it take off `subtotal`? Writes nothing.

    With `currency` (the shop's), a fixed coupon in another currency is refused.
    """
    normalized = normalize_code(code)
    coupon = coupon_by_code(normalized)
    refusal = _refusal(coupon, at or timezone.now())
    if (refusal is None and currency and coupon.kind == CouponKind.FIXED
            and coupon.associate.store.currency != currency.upper()):
        refusal = CouponReason.CURRENCY, f"This coupon is in {coupon.associate.store.currency}."
    if refusal is not None:
        return CouponCheck(normalized, coupon, refusal[0], refusal[1], None)
    discount = discount_for(coupon, subtotal) if subtotal is not None else None
    if coupon.kind == CouponKind.PERCENT:
        message = f"{coupon.value.normalize():f}% off."
    else:
        message = f"{coupon.value} {coupon.associate.store.currency} off."
    return CouponCheck(coupon.code, coupon, None, message, discount)


def record_coupon_use(order) -> CouponUse | None:
    """Count the order's coupon once (called by record_order); None when the order has no known coupon.

    Recorded even beyond the coupon's limits, which `beyond_limits` marks: the storefront
    granted the discount before the order reached us.
    """
    coupon = coupon_by_code(order.coupon_code)
    if coupon is None:
        return None
    with transaction.atomic():
        use, created = CouponUse.objects.get_or_create(
            order=order, defaults={"coupon": coupon, "beyond_limits": _refusal(coupon, order.placed_at) is not None},
        )
        if created:
            Coupon.objects.filter(pk=coupon.pk).update(uses=F("uses") + 1)
    return use
