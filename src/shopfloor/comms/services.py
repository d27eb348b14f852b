"""Writes on notifications: sending one (in the console, and by email when asked), reading them.

Emails leave on `transaction.on_commit`: a notification whose transaction rolls back
(an order that failed to record) never reaches anybody's inbox.
"""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from shopfloor.access import Actor, NotVisible, can_see_customer
from shopfloor.accounts.models import Associate
from shopfloor.comms.models import Notification, NotificationKind, NotificationPreference
from shopfloor.errors import InvalidInput

logger = logging.getLogger(__name__)


def _absolute(url: str) -> str:
    """An email needs a full link; SHOPFLOOR["PUBLIC_URL"] (when set) says where Shopfloor is served."""
    base = settings.SHOPFLOOR.get("PUBLIC_URL", "").rstrip("/")
    return f"{base}{url}" if url.startswith("/") else url


def _send_email(address: str, title: str, body: str, url: str) -> None:
    text = body
    if url:
        text = f"{body}\n\n{_absolute(url)}" if body else _absolute(url)
    try:
        send_mail(title, text, None, [address])
    except Exception:
        # The notification is saved and shown in the console; a mail server hiccup must not
        # turn a recorded order into an error for the storefront that sent it.
        logger.exception("Could not email notification %r to %s", title, address)


def notify(user, kind: str, title: str, body: str = "", url: str = "", email: bool = False) -> Notification:
    """Notify one user in the console, and by email after the transaction commits when `email`."""
    if kind not in NotificationKind.values:
        raise InvalidInput.field("kind", f"Must be one of {', '.join(NotificationKind.values)}.")
    notification = Notification.objects.create(
        user=user, kind=kind, title=title[:200], body=body, url=url[:500]
    )
    if email and user.email:
        address = user.email
        transaction.on_commit(lambda: _send_email(address, title, body, url))
    return notification


def mark_read(user, notification_id) -> Notification:
    """Mark one of the user's notifications read (once; reading it again changes nothing)."""
    try:
        notification = Notification.objects.get(pk=notification_id, user=user)
    except (Notification.DoesNotExist, ValueError, TypeError):
        # Someone else's notification is reported missing, like one that does not exist.
        raise NotVisible
    if notification.read_at is None:
        now = timezone.now()
        # Conditional: two tabs reading at once keep the first time.
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        notification.refresh_from_db(fields=["read_at"])
    return notification


def mark_all_read(user) -> int:
    """Mark every unread notification of the user read; returns how many changed."""
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())


def set_email_preference(user, kind: str, email: bool) -> NotificationPreference:
    """Whether the user also wants `kind` notifications by email."""
    if kind not in NotificationKind.values:
        raise InvalidInput.field("kind", f"Must be one of {', '.join(NotificationKind.values)}.")
    preference, _ = NotificationPreference.objects.update_or_create(
        user=user, kind=kind, defaults={"email": bool(email)}
    )
    return preference


def wants_email(user, kind: str) -> bool:
    return NotificationPreference.objects.filter(user=user, kind=kind, email=True).exists()


# Sales ------------------------------------------------------------------------------------


def sale_recipients(order) -> list[Associate]:
    """Who hears about a sale: the credited associate, or in team mode every associate of the credited store."""
    people = Associate.objects.filter(active=True, user__isnull=False, user__is_active=True).select_related("user")
    if order.attributed_associate_id:
        return list(people.filter(pk=order.attributed_associate_id))
    store = order.attributed_store
    if store is not None and store.is_team_mode:
        return list(people.filter(store_id=store.pk).order_by("name", "pk"))
    return []


def _sale_text(order, recipient: Associate) -> tuple[str, str]:
    amount = f"{order.total} {order.currency}"
    customer = str(order.customer) if order.customer_id else "a guest"
    waiting = order.status == "pending_payment"
    title = f"{'New order waiting for payment' if waiting else 'New sale'}: {amount}"
    if order.attributed_associate_id:
        credit = "is credited to you"
    else:
        credit = f"is credited to {order.attributed_store.name}"
        if order.influencer_id:
            helper = "you" if order.influencer_id == recipient.pk else order.influencer.name
            credit += f"; {helper} helped"
    body = f"Order {order.external_id} from {customer} {credit}."
    if waiting:
        body += " It earns commission once the customer pays."
    return title, body


def notify_sale(order) -> list[Notification]:
    """Tell the people an order is credited to (called by orders.services.record_order, in its transaction)."""
    recipients = sale_recipients(order)
    if not recipients:
        return []
    emailing = set(
        NotificationPreference.objects.filter(
            user_id__in=[r.user_id for r in recipients], kind=NotificationKind.SALE, email=True
        ).values_list("user_id", flat=True)
    )
    dashboard = reverse("console:dashboard")
    sent = []
    for recipient in recipients:
        title, body = _sale_text(order, recipient)
        url = dashboard
        if order.customer_id and can_see_customer(Actor(recipient.user), order.customer):
            url = reverse("console:customer", args=[order.customer_id])
        sent.append(notify(
            recipient.user, NotificationKind.SALE, title, body, url, email=recipient.user_id in emailing
        ))
    return sent
