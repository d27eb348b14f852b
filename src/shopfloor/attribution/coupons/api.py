"""API: associates' coupons, the admin's bounds on them, and validation for storefronts."""

from datetime import datetime
from decimal import Decimal

from ninja import Field, Path, Query, Router, Schema

from shopfloor.access import get_coupon_for, visible_coupons
from shopfloor.apikit import (
    LIMIT,
    MAX_ID,
    OFFSET,
    ApiDateTime,
    admin_actor,
    optional_id_query,
    paginate,
    staff_actor,
)
from shopfloor.attribution.coupons import services as coupons
from shopfloor.attribution.models import CouponKind
from shopfloor.money import MAX_AMOUNT

router = Router(tags=["Coupons"])

CODE_QUERY = Query(..., min_length=1, max_length=64, description="The code the shopper typed, any case.")
SUBTOTAL_QUERY = Query(None, ge=0, le=MAX_AMOUNT, max_digits=12, decimal_places=2,
                       description="The bag's subtotal, to compute the discount.")
CURRENCY_QUERY = Query(None, pattern=r"^[A-Za-z]{3}$",
                       description="The storefront's currency: a fixed coupon in another one is refused.")


class CouponIn(Schema):
    code: str = Field("", max_length=40, description="3–40 letters, digits, - or _; any case. Empty: generated.")
    associate_id: int | None = Field(
        None, ge=1, le=MAX_ID, description="Whose coupon: yourself by default; managers name an associate of "
                                           "their store, admins anyone.",
    )
    kind: CouponKind = Field(..., description="percent or fixed.")
    value: Decimal = Field(..., gt=0, max_digits=12, decimal_places=2,
                           description="Percent off (10 = 10%), or an amount off in the store's currency.")
    max_uses: int | None = Field(None, ge=1, le=coupons.MAX_BOUND_USES,
                                 description="Orders it may serve; default (and ceiling): the retailer's bound.")
    expires_at: ApiDateTime | None = Field(
        None, description="ISO 8601 with a zone; default (and ceiling): the retailer's bound from now."
    )


class CouponOut(Schema):
    id: int
    code: str
    associate_id: int
    kind: str
    value: str
    currency: str = Field(..., description="The currency of a fixed coupon (its associate's store).")
    max_uses: int | None
    uses: int
    expires_at: datetime | None
    active: bool
    created_at: datetime


class CouponPage(Schema):
    items: list[CouponOut]
    count: int


def coupon_out(coupon) -> dict:
    return {
        "id": coupon.pk, "code": coupon.code, "associate_id": coupon.associate_id, "kind": coupon.kind,
        "value": str(coupon.value), "currency": coupon.associate.store.currency, "max_uses": coupon.max_uses,
        "uses": coupon.uses, "expires_at": coupon.expires_at, "active": coupon.active,
        "created_at": coupon.created_at,
    }


class ValidationOut(Schema):
    code: str
    valid: bool
    reason: str | None = Field(
        ..., description="Why not: unknown, inactive, expired, used_up or currency; null if valid."
    )
    message: str = Field(..., description="A sentence for the shopper.")
    kind: str | None
    value: str | None
    currency: str | None
    discount: str | None = Field(..., description="What it takes off `subtotal` (when given and valid).")


@router.get("/coupons", response=CouponPage,
            summary="Coupons you may see: associates their own, managers their store's, admins all")
def list_coupons(request, associate_id: int | None = optional_id_query("Only this associate's."),
                 active: bool | None = None, limit: int = LIMIT, offset: int = OFFSET):
    queryset = visible_coupons(staff_actor(request))
    if associate_id is not None:
        queryset = queryset.filter(associate_id=associate_id)
    if active is not None:
        queryset = queryset.filter(active=active)
    return paginate(queryset.order_by("-created_at", "-id"), limit, offset, coupon_out)


@router.post("/coupons", response={201: CouponOut},
             summary="Create a coupon; associates and managers within the retailer's bounds (422 beyond)")
def create_coupon(request, payload: CouponIn):
    who = staff_actor(request)
    return 201, coupon_out(coupons.create_coupon(who, payload.dict()))


@router.get("/coupons/validate", response=ValidationOut,
            summary="May a storefront accept this code now, and what does it take off the subtotal?")
def validate_coupon(request, code: str = CODE_QUERY, subtotal: Decimal | None = SUBTOTAL_QUERY,
                    currency: str | None = CURRENCY_QUERY):
    staff_actor(request)
    check = coupons.check_coupon(code, subtotal, currency=currency)
    coupon = check.coupon if check.is_valid else None
    return {
        "code": check.code, "valid": check.is_valid, "reason": check.reason, "message": check.message,
        "kind": coupon.kind if coupon else None, "value": str(coupon.value) if coupon else None,
        "currency": coupon.associate.store.currency if coupon else None,
        "discount": str(check.discount) if check.discount is not None else None,
    }


@router.get("/coupons/{coupon_id}", response=CouponOut)
def get_coupon(request, coupon_id: int = Path(..., ge=1, le=MAX_ID)):
    return coupon_out(get_coupon_for(staff_actor(request), coupon_id))


@router.post("/coupons/{coupon_id}/deactivate", response=CouponOut,
             summary="Stop a coupon (its owner, their manager, admins); again changes nothing")
def deactivate_coupon(request, coupon_id: int = Path(..., ge=1, le=MAX_ID)):
    who = staff_actor(request)
    return coupon_out(coupons.deactivate_coupon(who, get_coupon_for(who, coupon_id)))


class BoundsOut(Schema):
    max_percent: str = Field(..., description="The largest percent-off coupon associates may create.")
    max_amount: str = Field(..., description="The largest fixed-amount coupon.")
    max_uses: int = Field(..., description="The most orders one coupon may serve.")
    max_days_to_expiry: int = Field(..., description="A coupon expires at most this many days after creation.")


class BoundsIn(Schema):
    max_percent: Decimal | None = Field(None, gt=0, le=100, max_digits=5, decimal_places=2)
    max_amount: Decimal | None = Field(None, gt=0, le=MAX_AMOUNT, max_digits=12, decimal_places=2)
    max_uses: int | None = Field(None, ge=1, le=coupons.MAX_BOUND_USES)
    max_days_to_expiry: int | None = Field(None, ge=1, le=coupons.MAX_BOUND_DAYS)


def bounds_out(bounds) -> dict:
    return {"max_percent": str(bounds.max_percent), "max_amount": str(bounds.max_amount),
            "max_uses": bounds.max_uses, "max_days_to_expiry": bounds.max_days_to_expiry}


@router.get("/coupon-bounds", response=BoundsOut, summary="The limits associates create coupons within")
def get_bounds(request):
    staff_actor(request)
    return bounds_out(coupons.coupon_bounds())


@router.put("/coupon-bounds", response=BoundsOut, summary="Change the limits (admins); fields left out stay")
def put_bounds(request, payload: BoundsIn):
    return bounds_out(coupons.update_coupon_bounds(admin_actor(request), payload.dict()))
