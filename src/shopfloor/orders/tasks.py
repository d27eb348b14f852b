"""Background jobs of the orders app; each is idempotent and safe to run twice."""

from django_tasks import task

from shopfloor.orders.payment_links import send_due_reminders


@task()
def send_payment_reminders_task() -> int:
    """Remind customers once about payment links still unpaid `reminder_hours` after they were sent."""
    return send_due_reminders()
