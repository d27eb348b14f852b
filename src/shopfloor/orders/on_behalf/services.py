"""Selling on a customer's behalf: shop-as-customer sessions and pending-payment orders.

Rules (DESIGN.md §2.5, issue 7), where the design is silent:
- Only associates and managers (people who can be credited) shop as a customer; an admin
  without an associate record cannot. The customer must be visible to them (else 404), active
  (pending and rejected customers: 403) and not a staff login (403).
- The admin's `associate_permission` decides what they may do: place and pay, place as pending
  payment only, or nothing (shop-as-customer and on-behalf orders are off).
- A session ends `session_minutes` after it started, whatever happens in it (an absolute
  limit, not an idle one: the audit log then reads as bounded sessions). Each request checks
  it, and the visibility again, so a customer reassigned mid-session ends it.
- Every start, data-changing request and end is an audit event (`shop_as.*`) naming the
  associate's login (actor), the associate and the customer.
- Orders placed this way carry `placed_by_associate`, so attribution rule 1 credits the
  associate (their store in team mode), and start as pending payment: they earn when paid.
"""

import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from shopfloor import references
from shopfloor.access import (
    Actor,
    NotAllowed,
    NotVisible,
    get_customer_for,
    get_order_for,
    require_admin,
    visible_customers,
    visible_orders,
)
from shopfloor.accounts.models import Associate
from shopfloor.accounts.services import record_event
from shopfloor.catalog.models import Product
from shopfloor.customers.models import Customer, CustomerStatus
from shopfloor.errors import Conflict, InvalidInput
from shopfloor.orders import payment_links
from shopfloor.orders.models import (
    OnBehalfPermission,
    OnBehalfSettings,
    Order,
    OrderStatus,
    PaymentLink,
    ShopAsEndReason,
    ShopAsSession,
)
from shopfloor.orders.on_behalf.settings import on_behalf_settings
from shopfloor.orders.services import record_order

MAX_SESSION_MINUTES = 24 * 60
MAX_LINK_DAYS = 90
MAX_REMINDER_HOURS = 90 * 24

__all__ = ["on_behalf_settings"]


def _associate_for(actor: Actor) -> Associate:
    if actor.associate is None:
        raise NotAllowed("Only associates and store managers sell on a customer's behalf.")
    return actor.associate


def _require_enabled() -> OnBehalfSettings:
    settings_row = on_behalf_settings()
    if settings_row.associate_permission == OnBehalfPermission.NOTHING:
        raise NotAllowed("Your retailer has turned shopping as a customer off.")
    return settings_row


def check_can_act_for(actor: Actor, customer_id, field: str | None = None) -> Customer:
    """The customer the actor may shop as or order for: NotVisible (404) beyond their visibility, or, when the
    id came in a body's `field`, an unknown id there (422); NotAllowed (403) with the reason for staff logins
    and customers who are not active."""
    _associate_for(actor)
    customers = Customer.objects.select_related("user", "store")
    if field is None:
        customer = get_customer_for(actor, customer_id, customers)
    else:
        customer = references.one(visible_customers(actor, customers), customer_id, field)
    user = customer.user
    if user is not None and (user.is_staff or Associate.objects.filter(user=user).exists()):
        raise NotAllowed(f"{customer} signs in as staff: staff accounts cannot be impersonated.")
    if customer.status == CustomerStatus.PENDING:
        raise NotAllowed(f"{customer}'s account is waiting for approval: approve it before shopping as them.")
    if customer.status != CustomerStatus.ACTIVE:
        raise NotAllowed(f"{customer}'s account was rejected: nobody can shop as them.")
    return customer


# Sessions ------------------------------------------------------------------------------------


def start_session(actor: Actor, customer_id) -> ShopAsSession:
    """Start shopping as a customer; any open session of the same login ends (replaced)."""
    settings_row = _require_enabled()
    customer = check_can_act_for(actor, customer_id)
    associate = actor.associate
    now = timezone.now()
    with transaction.atomic():
        for previous in ShopAsSession.objects.filter(user=actor.user, ended_at__isnull=True):
            end_session(previous, ShopAsEndReason.REPLACED)
        session = ShopAsSession.objects.create(
            user=actor.user, associate=associate, customer=customer, started_at=now,
            expires_at=now + timedelta(minutes=settings_row.session_minutes),
        )
        record_event(actor.user, "shop_as.started", session, associate_id=associate.pk,
                     customer_id=customer.pk, customer=str(customer), expires_at=session.expires_at.isoformat(),
                     permission=settings_row.associate_permission)
    return session


def end_session(session: ShopAsSession, reason: str) -> bool:
    """End a session once (a conditional UPDATE); returns whether this call ended it."""
    now = timezone.now()
    with transaction.atomic():
        ended = ShopAsSession.objects.filter(pk=session.pk, ended_at__isnull=True).update(
            ended_at=now, end_reason=reason
        )
        if ended:
            session.ended_at, session.end_reason = now, reason
            record_event(session.user, f"shop_as.{'exited' if reason == ShopAsEndReason.EXIT else 'ended'}",
                         session, associate_id=session.associate_id, customer_id=session.customer_id,
                         reason=reason)
    return bool(ended)


def check_session(user, session_id) -> tuple[ShopAsSession | None, str]:
    """The session `session_id` of `user`, checked now: (session, "") while it is open, else
    (session or None, why it ended). A session past its time, or whose associate may no longer
    act for the customer, is ended here."""
    session = (
        ShopAsSession.objects.select_related("customer", "associate", "user").filter(pk=session_id, user=user).first()
        if isinstance(session_id, int) and user is not None and user.is_authenticated else None
    )
    if session is None:
        return None, ShopAsEndReason.REVOKED
    if session.ended_at is not None:
        return session, session.end_reason
    if session.expires_at <= timezone.now():
        end_session(session, ShopAsEndReason.TIMEOUT)
        return session, ShopAsEndReason.TIMEOUT
    try:
        _require_enabled()
        check_can_act_for(Actor(user), session.customer_id)
    except (NotAllowed, NotVisible):
        end_session(session, ShopAsEndReason.REVOKED)
        return session, ShopAsEndReason.REVOKED
    return session, ""


def record_action(session: ShopAsSession, action: str, **data) -> None:
    """A data-changing step taken while shopping as the customer."""
    record_event(session.user, "shop_as.action", session, associate_id=session.associate_id,
                 customer_id=session.customer_id, action=action, **data)


# Orders on the customer's behalf ------------------------------------------------------------


def catalog_lines(lines: list[dict]) -> list[dict]:
    """Order lines at catalog prices (an associate does not set prices); InvalidInput per bad line."""
    skus = {line["sku"] for line in lines}
    products = {p.sku: p for p in Product.objects.filter(sku__in=skus)}
    errors, clean = [], []
    for index, line in enumerate(lines):
        product = products.get(line["sku"])
        if product is None:
            errors.append((("body", "lines", index, "sku"), "Unknown product."))
            continue
        clean.append({"sku": product.sku, "quantity": line["quantity"], "unit_price": product.price})
    if not lines:
        errors.append((("body", "lines"), "An order needs at least one line."))
    if errors:
        raise InvalidInput(errors)
    return clean


def place_order(actor: Actor, customer_id, lines: list[dict], *, external_id: str = "", discount=None,
                coupon_code: str = "", session: ShopAsSession | None = None, pay_now: bool = False,
                base_url: str = "", customer_field: str | None = None) -> tuple[Order, PaymentLink, bool]:
    """Place a pending-payment order for a customer and issue its payment link; (order, link, created).

    `customer_field`: the body field that named the customer (POST /orders/on-behalf); an id there that the
    actor may not act for is unknown (422), else NotVisible.

    `lines` are `{sku, quantity, unit_price}` at the prices the caller computed (the shop's bag,
    or `catalog_lines`). Unless `pay_now` (the associate takes the payment at once; only with
    the place-and-pay permission), the link goes to the customer by email (and SMS with consent)
    after the transaction commits. The same external id again returns the first order and link.
    """
    settings_row = _require_enabled()
    if pay_now and settings_row.associate_permission != OnBehalfPermission.PLACE_AND_PAY:
        raise NotAllowed("Associates place orders as pending payment only: the customer pays by link.")
    customer = check_can_act_for(actor, customer_id, customer_field)
    associate = actor.associate
    external_id = external_id or f"OB-{secrets.token_hex(8)}"
    with transaction.atomic():
        order, created = record_order(actor, {
            "external_id": external_id, "customer_id": customer.pk, "store_id": customer.store_id,
            "currency": customer.store.currency, "lines": lines, "discount": discount,
            "coupon_code": coupon_code, "placed_by_associate_id": associate.pk,
            "status": OrderStatus.PENDING_PAYMENT,
        })
        if not created:
            if order.customer_id != customer.pk or order.placed_by_associate_id != associate.pk:
                raise InvalidInput.field("external_id", "Another order has this external id.")
            link = order.payment_links.filter(revoked_at__isnull=True).first()
            if link is None and order.status == OrderStatus.PENDING_PAYMENT:
                link = payment_links.issue_link(order, associate)
            return order, link, False
        link = payment_links.issue_link(order, associate)
        record_event(actor.user, "order.placed_on_behalf", order, associate_id=associate.pk,
                     customer_id=customer.pk, session_id=session.pk if session else None, link_id=link.pk,
                     pay_now=pay_now)
        if session is not None:
            record_action(session, "order_placed", order_id=order.pk, external_id=order.external_id,
                          total=str(order.total), pay_now=pay_now)
        if not pay_now:
            payment_links.send_link(link, base_url)
            payment_links.mark_sent(link)
    return order, link, True


def resend_link(actor: Actor, order_id, base_url: str = "") -> PaymentLink:
    """A fresh payment link for a pending-payment order the actor sees, sent to the customer again.

    The previous link stops working (it may have expired, or gone to an old address). Associates
    resend for orders they may see; the new link counts from now for expiry and the reminder.
    """
    _require_enabled()
    _associate_for(actor)
    order = get_order_for(actor, order_id, Order.objects.select_related("customer", "store"))
    if order.status != OrderStatus.PENDING_PAYMENT:
        raise Conflict("Only an order waiting for payment gets a new payment link.")
    if order.customer_id is None:
        raise Conflict("This order has no customer to send a link to.")
    check_can_act_for(actor, order.customer_id)
    with transaction.atomic():
        Order.objects.select_for_update().filter(pk=order.pk).first()
        link = payment_links.issue_link(order, actor.associate)
        record_event(actor.user, "payment_link.resent", order, link_id=link.pk, associate_id=actor.associate.pk)
        payment_links.send_link(link, base_url)
        payment_links.mark_sent(link)
    return link


def pending_orders_for(actor: Actor, customer: Customer) -> list[Order]:
    """The customer's orders waiting for payment that the actor sees, with their live link (`live_link`)."""
    orders = list(
        visible_orders(actor, Order.objects.filter(customer=customer, status=OrderStatus.PENDING_PAYMENT))
        .select_related("placed_by_associate").order_by("-placed_at", "-id")[:20]
    )
    links = {}
    for link in PaymentLink.objects.filter(order__in=orders, revoked_at__isnull=True, paid_at__isnull=True):
        links.setdefault(link.order_id, link)
    now = timezone.now()
    for order in orders:
        order.live_link = links.get(order.pk)
        order.link_expired = order.live_link is None or order.live_link.expires_at <= now
    return orders


def update_settings(actor: Actor, data: dict) -> OnBehalfSettings:
    """Change what associates may do on a customer's behalf and the time limits (admins)."""
    require_admin(actor)
    bounds = {"session_minutes": MAX_SESSION_MINUTES, "payment_link_days": MAX_LINK_DAYS,
              "reminder_hours": MAX_REMINDER_HOURS}
    errors = [(("body", name), f"Must be between 1 and {ceiling}.") for name, ceiling in bounds.items()
              if data.get(name) is not None and not 1 <= data[name] <= ceiling]
    permission = data.get("associate_permission")
    if permission is not None and permission not in OnBehalfPermission.values:
        errors.append((("body", "associate_permission"), f"Must be one of {', '.join(OnBehalfPermission.values)}."))
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        row, _ = OnBehalfSettings.objects.select_for_update().get_or_create(pk=1)
        for name in ("associate_permission", *bounds):
            if data.get(name) is not None:
                setattr(row, name, data[name])
        row.save()
        record_event(actor.user, "on_behalf_settings.updated", row, associate_permission=row.associate_permission,
                     session_minutes=row.session_minutes, payment_link_days=row.payment_link_days,
                     reminder_hours=row.reminder_hours)
    return row
