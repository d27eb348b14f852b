"""Writes on orders: arrival (idempotent by external id) with attribution, status changes, refunds,
the interactions attribution rule 4 looks for, and the attribution windows."""

from datetime import timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from shopfloor import references
from shopfloor.access import Actor, NotAllowed, require_admin, visible_associates, visible_customers
from shopfloor.accounts.models import Associate
from shopfloor.accounts.services import record_event
from shopfloor.commissions import services as commissions
from shopfloor.commissions import snapshot
from shopfloor.commissions.coupons import services as coupons
from shopfloor.comms import services as comms
from shopfloor.customers.models import Customer
from shopfloor.errors import Conflict, InvalidInput
from shopfloor.money import ZERO, to_cents
from shopfloor.orders.attribution import attribute
from shopfloor.orders.intake import resolve_order
from shopfloor.orders.models import (
    AttributionSettings,
    Interaction,
    InteractionKind,
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
            # The rules, override levels and attribution windows, read once for both steps.
            config = snapshot.current()
            _attribute(order, config)
            order.save(force_insert=True)
            for line in body.lines:
                line.order = order
            OrderLine.objects.bulk_create(body.lines)
            coupons.record_coupon_use(order)
            record_event(actor.user, "order.recorded", order, rule=order.attribution_rule)
            # In the same transaction: an order is never recorded without its earnings.
            commissions.accrue_new_order(order, body.lines, config)
            comms.notify_sale(order)
    except IntegrityError:
        # Another request recorded the same external id a moment earlier: answer with it.
        existing = Order.objects.filter(external_id=data["external_id"]).first()
        if existing is None:
            raise
        return existing, False
    return order, True


def _attribute(order: Order, config: snapshot.Snapshot | None = None) -> None:
    """Set the order's credit (not saved: the caller writes the order)."""
    attribution = attribute(order, config)
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
        if status == OrderStatus.PLACED:
            # A pending-payment order earns once it is paid.
            commissions.accrue_order(order)
        elif status == OrderStatus.COMPLETED:
            commissions.note_order_completed(order)
        elif status == OrderStatus.CANCELLED:
            commissions.reverse_for_cancellation(order)
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
        commissions.reverse_for_refund(refund)
    return refund, True


# Attribution evidence and settings ----------------------------------------------------------

# How far ahead of the server's clock an interaction may be dated (clock skew of the caller).
INTERACTION_CLOCK_SKEW = timedelta(minutes=5)
MAX_WINDOW_DAYS = 365


def record_interaction(associate: Associate, kind: str, customer: Customer | None = None, visitor_id: str = "",
                       occurred_at=None, source_ref: str = "") -> Interaction:
    """Note that an associate chatted, called, notified a list or had a lookbook opened (rule 4's evidence).

    The one entry point for every capability that talks to customers. With a `source_ref`
    (e.g. "chat:42") it is idempotent per associate: the same ref again returns the first
    interaction unchanged. The returned interaction's `created` says whether it is new.
    Visibility is the caller's business (`record_interaction_for` checks it for a person's request).
    """
    errors = []
    if kind not in InteractionKind.values:
        errors.append((("body", "kind"), f"Must be one of {', '.join(InteractionKind.values)}."))
    visitor_id = (visitor_id or "").strip()
    if customer is None and not visitor_id:
        errors.append((("body", "customer_id"), "An interaction needs a customer_id or a visitor_id."))
    if len(visitor_id) > 64:
        errors.append((("body", "visitor_id"), "At most 64 characters."))
    source_ref = (source_ref or "").strip()
    if len(source_ref) > 200:
        errors.append((("body", "source_ref"), "At most 200 characters."))
    now = timezone.now()
    occurred_at = occurred_at or now
    if occurred_at > now + INTERACTION_CLOCK_SKEW:
        errors.append((("body", "occurred_at"), "May not be in the future."))
    if errors:
        raise InvalidInput(errors)
    if source_ref:
        existing = Interaction.objects.filter(associate=associate, source_ref=source_ref).first()
        if existing is not None:
            existing.created = False
            return existing
    try:
        with transaction.atomic():
            interaction = Interaction.objects.create(
                associate=associate, kind=kind, customer=customer, visitor_id=visitor_id,
                occurred_at=occurred_at, source_ref=source_ref,
            )
    except IntegrityError:
        # The same source ref recorded a moment earlier by a concurrent call.
        existing = Interaction.objects.filter(associate=associate, source_ref=source_ref).first()
        if existing is None:
            raise
        existing.created = False
        return existing
    interaction.created = True
    return interaction


def record_interaction_for(actor: Actor, data: dict) -> Interaction:
    """A staff member records an interaction (POST /interactions): their own, or, for managers and admins,
    that of an active associate they see, with a customer they see (else the id is unknown, 422)."""
    errors = []
    customer = references.one(visible_customers(actor), data.get("customer_id"), "customer_id", errors=errors)
    associate = actor.associate
    if data.get("associate_id") is not None:
        associate = references.one(visible_associates(actor).filter(active=True), data["associate_id"],
                                   "associate_id", errors=errors)
    elif associate is None:
        errors.append((("body", "associate_id"), "Field required: whose interaction is it?"))
    if errors:
        raise InvalidInput(errors)
    if not actor.is_admin and not actor.is_manager and associate.pk != actor.associate.pk:
        raise NotAllowed("Associates record their own interactions.")
    return record_interaction(
        associate, data["kind"], customer=customer, visitor_id=data.get("visitor_id") or "",
        occurred_at=data.get("occurred_at"), source_ref=data.get("source_ref") or "",
    )


def update_attribution_settings(actor: Actor, data: dict) -> AttributionSettings:
    """Change the referral (attribution) and influence windows, in days (admins)."""
    require_admin(actor)
    names = ("attribution_window_days", "influence_window_days")
    errors = [
        (("body", name), f"Must be between 1 and {MAX_WINDOW_DAYS} days.")
        for name in names
        if data.get(name) is not None and not 1 <= data[name] <= MAX_WINDOW_DAYS
    ]
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        settings_row, _ = AttributionSettings.objects.select_for_update().get_or_create(pk=1)
        for name in names:
            if data.get(name) is not None:
                setattr(settings_row, name, data[name])
        settings_row.save()
        record_event(actor.user, "attribution_settings.updated", settings_row,
                     **{name: getattr(settings_row, name) for name in names})
    return settings_row
