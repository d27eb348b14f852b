"""API: orders (idempotent by external_id), status changes and refunds."""

from datetime import datetime
from decimal import Decimal

from ninja import Field, Path, Router, Schema
from pydantic import BaseModel

from shopfloor.access import (
    get_order_for,
    visible_orders,
)
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
from shopfloor.orders import services
from shopfloor.orders.models import OrderStatus

router = Router(tags=["Catalog and orders"])


# The order's bodies and representations are plain pydantic models: ninja's Schema wraps every value it
# validates in a getter meant for ORM objects, a few hundredths of an order's time through the server
# (bench/settlement.py --http). The documents (OpenAPI) are the same.
class LineIn(BaseModel):
    sku: str = Field(..., min_length=1, max_length=64)
    name: str = Field("", max_length=255)
    quantity: int = Field(..., ge=1, le=1_000_000)
    unit_price: Decimal = Field(..., ge=0, max_digits=12, decimal_places=2)


class OrderIn(BaseModel):
    external_id: str = Field(..., min_length=1, max_length=100)
    customer_id: int | None = Field(None, ge=1, le=MAX_ID)
    customer_external_id: str | None = Field(None, max_length=100)
    store_id: int | None = Field(None, ge=1, le=MAX_ID)
    currency: str | None = Field(None, pattern=r"^[A-Za-z]{3}$")
    lines: list[LineIn] = Field(..., min_length=1, max_length=500)
    discount: Decimal = Field(Decimal("0"), ge=0, max_digits=12, decimal_places=2)
    coupon_code: str = Field("", max_length=64)
    referral_code: str = Field("", max_length=64)
    visitor_id: str = Field("", max_length=64)
    placed_by_associate_id: int | None = Field(None, ge=1, le=MAX_ID)
    status: OrderStatus = OrderStatus.PLACED
    placed_at: ApiDateTime | None = Field(None, description="ISO 8601 with a zone; default: now.")

    def dict(self, **options) -> dict:
        """The body as a dict (ninja's Schema.dict; the commission simulation's body extends this one)."""
        return self.model_dump(**options)


class LineOut(BaseModel):
    sku: str
    name: str
    quantity: int
    unit_price: str
    line_total: str


class AttributionOut(BaseModel):
    associate_id: int | None = Field(..., description="The credited associate (associate-mode stores).")
    store_id: int | None = Field(..., description="The credited store.")
    influencer_id: int | None = Field(
        ..., description="Team mode: the associate who helped; the store is credited."
    )
    rule: str = Field(
        ..., description="on_behalf, coupon, referral, interaction, primary_associate, home_store or none."
    )
    evidence: dict = Field(..., description="Why: the facts the rule matched, with a summary.")


class RefundOut(BaseModel):
    id: int
    external_id: str
    amount: str
    created_at: datetime


class OrderOut(BaseModel):
    id: int
    external_id: str
    customer_id: int | None
    store_id: int
    currency: str
    status: str
    lines: list[LineOut]
    subtotal: str
    discount: str
    total: str
    refunded: str = Field(..., description="The sum of the refunds.")
    coupon_code: str
    referral_code: str
    visitor_id: str
    placed_by_associate_id: int | None
    placed_at: datetime
    attribution: AttributionOut
    refunds: list[RefundOut]


class OrderPage(BaseModel):
    items: list[OrderOut]
    count: int


def order_out(order) -> dict:
    refunds = list(order.refunds.all())
    return {
        "id": order.pk, "external_id": order.external_id, "customer_id": order.customer_id,
        "store_id": order.store_id, "currency": order.currency, "status": order.status,
        "lines": [{"sku": line.sku, "name": line.name, "quantity": line.quantity,
                   "unit_price": str(line.unit_price), "line_total": str(line.line_total)}
                  for line in order.lines.all()],
        "subtotal": str(order.subtotal), "discount": str(order.discount), "total": str(order.total),
        "refunded": str(sum((r.amount for r in refunds), Decimal("0.00"))),
        "coupon_code": order.coupon_code, "referral_code": order.referral_code,
        "visitor_id": order.visitor_id,
        "placed_by_associate_id": order.placed_by_associate_id, "placed_at": order.placed_at,
        "attribution": {
            "associate_id": order.attributed_associate_id, "store_id": order.attributed_store_id,
            "influencer_id": order.influencer_id, "rule": order.attribution_rule,
            "evidence": order.attribution_evidence,
        },
        "refunds": [{"id": r.pk, "external_id": r.external_id, "amount": str(r.amount),
                     "created_at": r.created_at} for r in refunds],
    }


def _orders(who):
    return visible_orders(who).prefetch_related("lines", "refunds")


@router.get("/orders", response=OrderPage, summary="Orders you may see, newest first")
def list_orders(request, customer_id: int | None = optional_id_query("Only this customer's orders."),
                status: OrderStatus | None = None, limit: int = LIMIT, offset: int = OFFSET):
    queryset = _orders(staff_actor(request))
    if customer_id is not None:
        queryset = queryset.filter(customer_id=customer_id)
    if status is not None:
        queryset = queryset.filter(status=status)
    return paginate(queryset.order_by("-placed_at", "-id"), limit, offset, order_out)


@router.post("/orders", response={201: OrderOut, 200: OrderOut},
             summary="Record an order; the same external_id again returns the first order")
def create_order(request, payload: OrderIn):
    who = admin_actor(request)
    order, created = services.record_order(who, payload.model_dump())
    if created:
        # A new order comes back with its lines and refunds loaded: answered from memory.
        return 201, order_out(order)
    return 200, order_out(_orders(who).get(pk=order.pk))


@router.get("/orders/{order_id}", response=OrderOut)
def get_order(request, order_id: int = Path(..., ge=1, le=MAX_ID)):
    who = staff_actor(request)
    return order_out(get_order_for(who, order_id, _orders(who)))


class OrderPatch(Schema):
    status: OrderStatus = Field(..., description="placed → completed | cancelled; pending_payment → placed | "
                                                 "cancelled; the current status again is a no-op; else 409.")


@router.patch("/orders/{order_id}", response=OrderOut, summary="Change an order's status (admins)")
def update_order(request, payload: OrderPatch, order_id: int = Path(..., ge=1, le=MAX_ID)):
    who = admin_actor(request)
    order = get_order_for(who, order_id)
    services.change_order_status(who, order, payload.status)
    return order_out(_orders(who).get(pk=order.pk))


class RefundIn(Schema):
    external_id: str = Field(..., min_length=1, max_length=100)
    amount: Decimal = Field(..., gt=0, max_digits=12, decimal_places=2)


@router.post("/orders/{order_id}/refunds", response={201: RefundOut, 200: RefundOut},
             summary="Refund; idempotent by external_id; refunds never exceed the order total (409)")
def refund_order(request, payload: RefundIn, order_id: int = Path(..., ge=1, le=MAX_ID)):
    who = admin_actor(request)
    order = get_order_for(who, order_id)
    refund, created = services.refund_order(who, order, payload.external_id, payload.amount)
    return (201 if created else 200), {"id": refund.pk, "external_id": refund.external_id,
                                       "amount": str(refund.amount), "created_at": refund.created_at}
