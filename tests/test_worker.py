"""`shopfloor worker` runs what the tasks framework queued in the database."""

import io

from django.core.management import call_command
from django_tasks import task
from django_tasks.base import TaskResultStatus


@task()
def add_numbers(a: int, b: int) -> int:
    return a + b


def test_the_worker_runs_a_queued_task_and_keeps_its_result(transactional_db):
    result = add_numbers.enqueue(2, 3)
    assert result.status == TaskResultStatus.READY
    call_command("db_worker", batch=True, stdout=io.StringIO(), stderr=io.StringIO())
    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == 5
