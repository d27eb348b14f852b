"""Background jobs of the comms app; each is idempotent and safe to run twice."""

from django_tasks import task

from shopfloor.comms.services import deliver_due_announcements, send_unread_message_emails


@task()
def deliver_due_announcements_task() -> int:
    """Deliver scheduled announcements whose time has come (run every minute)."""
    return deliver_due_announcements()


@task()
def send_unread_message_emails_task() -> int:
    """Email people about messages they left unread longer than the messaging setting (every few minutes)."""
    return send_unread_message_emails()
