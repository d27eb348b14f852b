"""Background jobs of clienteling; each is idempotent and safe to run twice."""

from django_tasks import task

from shopfloor.clienteling.rules import run_rules


@task()
def run_task_rules_task() -> int:
    """The daily task rules: a task per customer, rule and occasion, never twice (scheduled by jobs.py)."""
    return run_rules().total_created
