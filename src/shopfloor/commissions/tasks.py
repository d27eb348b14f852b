"""Background jobs of the commissions app; each is idempotent and safe to run twice."""

from django_tasks import task

from shopfloor.commissions.services import approve_due_earnings


@task()
def approve_due_earnings_task() -> int:
    """Approve the earnings whose hold period has passed; schedule it hourly or daily."""
    return approve_due_earnings()
