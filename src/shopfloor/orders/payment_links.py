"""Payment links: how a customer pays an order an associate placed for them.

A link's URL is `/pay/<token>/` where the token is the link id, the order id, the amount
and a random 128-bit nonce, signed with the site's secret (`django.core.signing`), one token
per link (`LinkSigner`). Changing any of them breaks the signature; the link's row says whether it still works (expired,
replaced, paid). Every answer to a bad link is a page that says what happened, never a 5xx.

Paying charges once, whatever happens at the door: the link's row and the order's row are
locked (`select_for_update`, one after the other) before the provider is called, so a
double click or a second tab waits and then finds the order paid; the provider is called
with the order as its idempotency key, and the database keeps at most one approved payment
per order (a unique constraint), which also catches a provider's repeated callback.

Commission: a pending-payment order earns nothing until it is paid. Paying moves the order
to `placed` through `change_order_status`, the one path by which any order accrues; a link
that dies unpaid therefore has nothing to reverse.
"""

import secrets
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from shopfloor import outbox
from shopfloor.access import Actor
from shopfloor.accounts.services import record_event
from shopfloor.comms import services as comms
from shopfloor.comms.models import NotificationKind
from shopfloor.errors import Conflict
from shopfloor.links import absolute_url
from shopfloor.orders.models import Order, OrderStatus, Payment, PaymentLink, PaymentStatus
from shopfloor.orders.on_behalf.settings import on_behalf_settings
from shopfloor.orders.payments import card_digits, get_provider
from shopfloor.orders.services import change_order_status

SALT = "shopfloor.orders.payment-link"


class LinkProblem(Exception):
    """Why a link cannot be paid; `kind` picks the page the customer sees."""

    # kind: "invalid" (tampered, unknown), "expired", "replaced", "cancelled", "paid"
    def __init__(self, kind: str, link: PaymentLink | None = None):
        self.kind = kind
        self.link = link
        super().__init__(kind)


# Tokens --------------------------------------------------------------------------------------


class LinkSigner(signing.TimestampSigner):
    """`signing.dumps`' signer, stamping the time the link was made instead of the time of signing.

    A token holds the time it was signed, which nothing checks (the row says when a link expires); stamped
    with the clock, the same link got another URL each second: the reminder carried another URL than the
    first email, and the API's answer to a repeated order another payment_url. Stamped with the link's
    creation, a link has one URL, and tokens signed at any time before this still open theirs (`loads`).
    """

    def __init__(self, signed_at, **kwargs):
        super().__init__(salt=SALT, **kwargs)
        self.signed_at = signed_at

    def timestamp(self):
        return signing.b62_encode(int(self.signed_at.timestamp()))


def link_token(link: PaymentLink) -> str:
    """The link's token, the same whenever it is made."""
    return LinkSigner(link.created_at).sign_object(
        {"l": link.pk, "o": link.order_id, "a": str(link.amount), "n": link.nonce}, compress=False
    )


def link_path(link: PaymentLink) -> str:
    return reverse("orders:pay", args=[link_token(link)])


def link_for_token(token: str) -> PaymentLink:
    """The link a token names, or LinkProblem("invalid") for anything tampered or unknown."""
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        raise LinkProblem("invalid")
    if not isinstance(data, dict):
        raise LinkProblem("invalid")
    link = PaymentLink.objects.select_related("order__store", "order__customer").filter(
        pk=data.get("l") if isinstance(data.get("l"), int) else None
    ).first()
    if link is None or not secrets.compare_digest(str(data.get("n", "")), link.nonce):
        raise LinkProblem("invalid")
    # The signature covers these; they must also still match what the link and order say.
    if data.get("o") != link.order_id or data.get("a") != str(link.amount) or link.amount != link.order.total:
        raise LinkProblem("invalid", link)
    return link


def check_payable(link: PaymentLink, now=None) -> None:
    """Raise LinkProblem unless the link can be paid now."""
    now = now or timezone.now()
    order = link.order
    if link.paid_at is not None or order.status in (OrderStatus.PLACED, OrderStatus.COMPLETED):
        raise LinkProblem("paid", link)
    if order.status == OrderStatus.CANCELLED:
        raise LinkProblem("cancelled", link)
    if link.revoked_at is not None:
        raise LinkProblem("replaced", link)
    if link.expires_at <= now:
        raise LinkProblem("expired", link)


# Issuing and sending -------------------------------------------------------------------------


def issue_link(order: Order, created_by=None) -> PaymentLink:
    """A new link for a pending-payment order; an older unpaid link of the order stops working."""
    if order.status != OrderStatus.PENDING_PAYMENT:
        raise Conflict("Only an order waiting for payment gets a payment link.")
    now = timezone.now()
    days = on_behalf_settings().payment_link_days
    with transaction.atomic():
        PaymentLink.objects.filter(order=order, paid_at__isnull=True, revoked_at__isnull=True).update(revoked_at=now)
        link = PaymentLink.objects.create(
            order=order, nonce=secrets.token_urlsafe(16), amount=order.total, currency=order.currency,
            created_by=created_by, expires_at=now + timedelta(days=days),
        )
        record_event(created_by.user if created_by else None, "payment_link.issued", order, link_id=link.pk,
                     expires_at=link.expires_at.isoformat())
    return link


def _message(link: PaymentLink, url: str, reminder: bool) -> tuple[str, str]:
    order = link.order
    store = order.store.name
    helper = link.created_by.name if link.created_by_id else store
    amount = f"{link.amount} {link.currency}"
    if reminder:
        subject = f"Reminder: your order from {store} is waiting for payment"
    else:
        subject = f"Your order from {store} is ready to pay"
    lines = [
        f"Hello {order.customer.first_name or order.customer}," if order.customer_id else "Hello,",
        "",
        f"{helper} placed order {order.external_id} for you: {amount}.",
        "Review it and pay securely here:",
        url,
        "",
        f"The link works until {timezone.localtime(link.expires_at):%d %B %Y, %H:%M} and only for this order.",
    ]
    return subject, "\n".join(lines)


def send_link(link: PaymentLink, base_url: str = "", reminder: bool = False) -> dict:
    """Email the link to the customer, and text it when they agreed to SMS, once the caller's
    transaction commits (shopfloor.outbox: a failed delivery is retried). Returns the channels used."""
    order = link.order
    customer = order.customer
    channels = {"email": False, "sms": False}
    if customer is None:
        return channels
    url = absolute_url(link_path(link), base_url)
    subject, body = _message(link, url, reminder)
    if customer.email:
        outbox.send_email(customer.email, subject, body)
        channels["email"] = True
    if customer.sms_opt_in and customer.phone:
        outbox.send_text(customer.phone, f"{order.store.name}: your order {order.external_id} "
                                         f"({link.amount} {link.currency}) is ready. Pay here: {url}")
        channels["sms"] = True
    return channels


def mark_sent(link: PaymentLink) -> None:
    PaymentLink.objects.filter(pk=link.pk, sent_at__isnull=True).update(sent_at=timezone.now())


# Paying -------------------------------------------------------------------------------------


@dataclass
class PaymentOutcome:
    paid: bool
    payment: Payment | None
    message: str = ""
    # True when the order was already paid: nothing was charged this time.
    already_paid: bool = False


def _mark_paid(order: Order, link: PaymentLink | None, payment: Payment, actor_user) -> None:
    """Inside the payer's transaction, with the order locked: the link dies, the order is placed and earns."""
    now = timezone.now()
    if link is not None:
        PaymentLink.objects.filter(pk=link.pk).update(paid_at=now)
    PaymentLink.objects.filter(order=order, paid_at__isnull=True, revoked_at__isnull=True).update(revoked_at=now)
    record_event(actor_user, "order.paid", order, payment_id=payment.pk, provider=payment.provider,
                 reference=payment.reference, amount=str(payment.amount), link_id=link.pk if link else None)
    # The one path by which any order earns: placed → accrue_order.
    change_order_status(Actor(actor_user), order, OrderStatus.PLACED)
    associate = order.placed_by_associate
    if associate is not None and associate.user_id:
        comms.notify(associate.user, NotificationKind.PAYMENT, f"Paid: {order.total} {order.currency}",
                     f"{order.customer or 'The customer'} paid order {order.external_id}.",
                     reverse("console:customer", args=[order.customer_id]) if order.customer_id else "")


def pay_link(token: str, card_number: str, actor_user=None) -> PaymentOutcome:
    """Charge the card for the link's order, once; LinkProblem when the link cannot be paid.

    A declined card is recorded and answered (`paid=False`); the customer may try again.
    """
    link = link_for_token(token)
    provider = get_provider()
    with transaction.atomic():
        # Lock the link, then the order (always in this order): a second payer waits here.
        link = PaymentLink.objects.select_for_update().get(pk=link.pk)
        order = Order.objects.select_for_update().get(pk=link.order_id)
        link.order = order
        try:
            check_payable(link)
        except LinkProblem as problem:
            if problem.kind == "paid":
                return PaymentOutcome(paid=True, payment=order.payments.filter(
                    status=PaymentStatus.APPROVED).first(), already_paid=True)
            raise
        result = provider.charge(amount=link.amount, currency=link.currency, card_number=card_number,
                                 idempotency_key=f"shopfloor-order-{order.pk}")
        digits = card_digits(card_number)
        payment = Payment.objects.create(
            order=order, link=link, provider=provider.name, reference=result.reference,
            status=PaymentStatus.APPROVED if result.approved else PaymentStatus.DECLINED,
            amount=link.amount, currency=link.currency, card_last4=digits[-4:], message=result.message[:200],
        )
        if not result.approved:
            record_event(actor_user, "order.payment_declined", order, payment_id=payment.pk, link_id=link.pk)
            return PaymentOutcome(paid=False, payment=payment, message=result.message)
        _mark_paid(order, link, payment, actor_user)
    return PaymentOutcome(paid=True, payment=payment)


def record_provider_payment(provider_name: str, reference: str, order_id: int, amount: Decimal,
                            currency: str) -> PaymentOutcome:
    """A provider's callback says it charged `reference` for an order: record it once.

    The same callback again, or a callback for a charge the payment page recorded already,
    changes nothing; a second, different approved charge for a paid order is refused (409)
    so it can be refunded at the provider.
    """
    with transaction.atomic():
        order = Order.objects.select_for_update().filter(pk=order_id).first()
        if order is None:
            raise Conflict("Unknown order.")
        known = Payment.objects.filter(provider=provider_name, reference=reference).first()
        if known is not None:
            return PaymentOutcome(paid=known.status == PaymentStatus.APPROVED, payment=known, already_paid=True)
        if order.payments.filter(status=PaymentStatus.APPROVED).exists():
            raise Conflict("This order is paid already; refund the second charge at the provider.")
        if order.status != OrderStatus.PENDING_PAYMENT:
            raise Conflict("This order is not waiting for payment.")
        if amount != order.total or currency != order.currency:
            raise Conflict("The amount does not match the order.")
        try:
            with transaction.atomic():
                payment = Payment.objects.create(
                    order=order, provider=provider_name, reference=reference, status=PaymentStatus.APPROVED,
                    amount=amount, currency=currency,
                )
        except IntegrityError:
            known = Payment.objects.get(provider=provider_name, reference=reference)
            return PaymentOutcome(paid=True, payment=known, already_paid=True)
        _mark_paid(order, None, payment, None)
    return PaymentOutcome(paid=True, payment=payment)


# Reminders ----------------------------------------------------------------------------------


def send_due_reminders(now=None) -> int:
    """Remind once each link sent at least `reminder_hours` ago and still unpaid and alive; idempotent.

    Each link is claimed with a conditional UPDATE, so two workers never remind twice.
    """
    now = now or timezone.now()
    hours = on_behalf_settings().reminder_hours
    due = PaymentLink.objects.filter(
        sent_at__isnull=False, sent_at__lte=now - timedelta(hours=hours), reminded_at__isnull=True,
        paid_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now,
        order__status=OrderStatus.PENDING_PAYMENT,
    ).values_list("pk", flat=True)
    sent = 0
    for link_id in list(due):
        with transaction.atomic():
            claimed = PaymentLink.objects.filter(pk=link_id, reminded_at__isnull=True).update(reminded_at=now)
            if claimed != 1:
                continue
            link = PaymentLink.objects.select_related("order__store", "order__customer", "created_by").get(
                pk=link_id)
            send_link(link, reminder=True)
            record_event(None, "payment_link.reminded", link.order, link_id=link.pk)
        sent += 1
    return sent
