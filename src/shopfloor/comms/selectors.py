"""Reads on notifications: a user only ever reads their own."""

from django.db.models import QuerySet

from shopfloor.comms.models import Notification, NotificationKind, NotificationPreference


def notifications_for(user, unread_only: bool = False) -> QuerySet:
    notifications = Notification.objects.filter(user=user)
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    return notifications.order_by("-created_at", "-id")


def unread_count(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def email_preferences(user) -> dict[str, bool]:
    """Each kind → whether the user wants it by email (off unless they chose it)."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "email"))
    return {kind: chosen.get(kind, False) for kind in NotificationKind.values}
