"""Writes on orders: arrival (idempotent by external id) with attribution, status changes and refunds.

Each write tells the commissions through `orders.signals`, in its transaction."""

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Sum

from shopfloor.access import Actor
from shopfloor.accounts.services import record_event
from shopfloor.attribution.coupons import services as coupons
from shopfloor.attribution.rules import attribute
from shopfloor.comms import services as comms
from shopfloor.errors import Conflict, InvalidInput
from shopfloor.money import ZERO, to_cents
from shopfloor.orders import signals
from shopfloor.orders.intake import resolve_order
from shopfloor.orders.models import (
    Order,
    OrderLine,
    OrderStatus,
    Refund,
)

# Allowed status changes; anything else is refused (409).
TRANSITIONS = {
    OrderStatus.PENDING_PAYMENT: {OrderStatus.PLACED, OrderStatus.CANCELLED},
    OrderStatus.PLACED: {OrderStatus.COMPLETED, OrderStatus.CANCELLED},
    OrderStatus.COMPLETED: set(),
    OrderStatus.CANCELLED: set(),
}


def record_order(actor: Actor, data: dict) -> tuple[Order, bool]:
    """Record an order once per external id and attribute it; returns (order, created).

    The same external id again returns the first order unchanged, whatever the
    body: storefronts and ERPs retry, and a retry must never count a sale twice.
    A new order is the common case, so the external id is not looked up first: the
    unique constraint refuses a repeat, and only then (or when the body is refused)
    is the first order looked up.
    """
    try:
        body = resolve_order(data)
    except InvalidInput:
        existing = Order.objects.filter(external_id=data["external_id"]).first()
        if existing is not None:
            return existing, False
        raise
    order = body.unsaved_order()
    try:
        with transaction.atomic():
            _attribute(order)
            order.save(force_insert=True)
            for line in body.lines:
                line.order = order
            OrderLine.objects.bulk_create(body.lines)
            coupons.record_coupon_use(order)
            record_event(actor.user, "order.recorded", order, rule=order.attribution_rule)
            # In the same transaction: an order is never recorded without its earnings.
            signals.order_recorded.send(Order, order=order, lines=body.lines)
            comms.notify_sale(order)
    except IntegrityError:
        # Another request recorded the same external id a moment earlier: answer with it.
        existing = Order.objects.filter(external_id=data["external_id"]).first()
        if existing is None:
            raise
        return existing, False
    return order, True


def _attribute(order: Order) -> None:
    """Set the order's credit (not saved: the caller writes the order)."""
    attribution = attribute(order)
    order.attribution_rule = attribution.rule
    order.attributed_associate = attribution.associate
    order.attributed_store = attribution.store
    order.influencer = attribution.influencer
    order.attribution_evidence = attribution.evidence


def change_order_status(actor: Actor, order: Order, status: str) -> Order:
    """Move an order along TRANSITIONS; asking for the status it has is a no-op (idempotent)."""
    if status not in OrderStatus.values:
        raise InvalidInput.field("status", f"Must be one of {', '.join(OrderStatus.values)}.")
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        if order.status == status:
            return order
        if status not in TRANSITIONS[order.status]:
            raise Conflict(f"An order that is {order.get_status_display().lower()} cannot become {status}.")
        previous = order.status
        order.status = status
        order.save(update_fields=["status", "updated_at"])
        record_event(actor.user, "order.status_changed", order, previous=previous, status=status)
        signals.order_status_changed.send(Order, order=order, previous=previous, status=status)
    return order


def refunded_amount(order: Order) -> Decimal:
    return order.refunds.aggregate(total=Sum("amount"))["total"] or ZERO


def refund_order(actor: Actor, order: Order, external_id: str, amount: Decimal) -> tuple[Refund, bool]:
    """Record a refund once per external id; refunds never add up to more than the order total."""
    amount = to_cents(amount)
    if amount <= 0:
        raise InvalidInput.field("amount", "Must be more than zero.")
    with transaction.atomic():
        # Lock the order so two refunds cannot both pass the ceiling check.
        order = Order.objects.select_for_update().get(pk=order.pk)
        existing = Refund.objects.filter(external_id=external_id).first()
        if existing is not None:
            if existing.order_id != order.pk:
                raise Conflict("This refund external id belongs to another order.")
            return existing, False
        if order.status == OrderStatus.PENDING_PAYMENT:
            raise Conflict("An unpaid order cannot be refunded; cancel it instead.")
        if refunded_amount(order) + amount > order.total:
            raise Conflict(f"Refunds would exceed the order total of {order.total}.")
        refund = Refund.objects.create(order=order, external_id=external_id, amount=amount)
        record_event(actor.user, "order.refunded", order, refund_id=refund.pk, amount=str(amount))
        signals.order_refunded.send(Order, refund=refund)
    return refund, True
