"""API: pending-payment orders an associate places for a customer (`POST /orders/on-behalf`)."""

from datetime import datetime

from ninja import Field, Path, Router, Schema

from shopfloor.apikit import MAX_ID, staff_actor
from shopfloor.links import absolute_url
from shopfloor.orders.api import OrderOut, order_out
from shopfloor.orders.models import Order
from shopfloor.orders.on_behalf import services as on_behalf
from shopfloor.orders.payment_links import link_path

router = Router(tags=["Catalog and orders"])


class OnBehalfLineIn(Schema):
    sku: str = Field(..., min_length=1, max_length=64)
    quantity: int = Field(..., ge=1, le=1000)


class OnBehalfOrderIn(Schema):
    customer_id: int = Field(..., ge=1, le=MAX_ID, description="A customer you may see (else unknown: 422).")
    lines: list[OnBehalfLineIn] = Field(..., min_length=1, max_length=200,
                                        description="Products by sku, at catalog prices.")
    external_id: str = Field("", max_length=100,
                             description="Your id for the order; the same id again returns the first order.")


class OnBehalfOrderOut(Schema):
    order: OrderOut
    payment_url: str = Field(..., description="The signed link the customer pays by (also emailed to them).")


@router.post("/orders/on-behalf", response={201: OnBehalfOrderOut, 200: OnBehalfOrderOut},
             summary="Place a pending-payment order for a customer and send them a payment link")
def place_on_behalf(request, payload: OnBehalfOrderIn):
    """The caller must be an associate or manager who sees the customer; the customer must be active
    and not a staff login (403 otherwise), and the retailer must allow orders on a customer's behalf.
    The order is credited to the caller (attribution rule 1) and earns once the customer pays."""
    who = staff_actor(request)
    base_url = request.build_absolute_uri("/").rstrip("/")
    order, link, created = on_behalf.place_order(
        who, payload.customer_id, on_behalf.catalog_lines([line.dict() for line in payload.lines]),
        external_id=payload.external_id, base_url=base_url, customer_field="customer_id",
    )
    order = Order.objects.prefetch_related("lines", "refunds").get(pk=order.pk)
    payment_url = absolute_url(link_path(link), base_url) if link is not None else ""
    return (201 if created else 200), {"order": order_out(order), "payment_url": payment_url}


class PaymentLinkOut(Schema):
    order_id: int
    payment_url: str
    expires_at: datetime


@router.post("/orders/{order_id}/payment-link", response={201: PaymentLinkOut},
             summary="Send a pending-payment order's customer a new payment link (the old one stops working)")
def resend_payment_link(request, order_id: int = Path(..., ge=1, le=MAX_ID)):
    who = staff_actor(request)
    base_url = request.build_absolute_uri("/").rstrip("/")
    link = on_behalf.resend_link(who, order_id, base_url=base_url)
    return 201, {"order_id": link.order_id, "payment_url": absolute_url(link_path(link), base_url),
                 "expires_at": link.expires_at}
