"""`shopfloor worker` runs what the tasks framework queued in the database."""

import io
from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskResultStatus

from shopfloor.commissions.models import LedgerEntry, OrderAccrual
from shopfloor.commissions.services import accrue_order
from tests.commissions.conftest import make_order, make_rule
from tests.factories import make_associate, make_store


@task()
def add_numbers(a: int, b: int) -> int:
    return a + b


def test_the_worker_runs_a_queued_task_and_keeps_its_result(transactional_db):
    result = add_numbers.enqueue(2, 3)
    assert result.status == TaskResultStatus.READY
    call_command("worker", batch=True, stdout=io.StringIO(), stderr=io.StringIO())
    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == 5


def test_the_worker_runs_the_scheduled_jobs_in_batch_mode(transactional_db):
    store = make_store("w", "Worker Store")
    ana = make_associate(store, "Ana", "ana@example.com")
    make_rule(10)
    order = make_order(ana, [("SKU", 1, "100.00")], status="completed")
    accrue_order(order)
    OrderAccrual.objects.update(completed_at=timezone.now() - timedelta(days=30))
    call_command("worker", batch=True, stdout=io.StringIO(), stderr=io.StringIO())
    assert list(LedgerEntry.objects.values_list("status", flat=True)) == ["approved"]
