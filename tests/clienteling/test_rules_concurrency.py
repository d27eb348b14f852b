"""The daily job started twice at the same moment (two workers) still makes each task once: the unique occasion
key settles the race, not a check in Python."""

import threading
from datetime import date

import pytest
from django.db import connection

from shopfloor.clienteling import rules
from shopfloor.clienteling.models import Task, TaskRule
from tests.factories import make_customer

THREADS = 4
TODAY = date(2026, 6, 10)


@pytest.fixture
def birthdays(transactional_db, world):
    for number in range(20):
        make_customer(world.north, f"B{number}", "Day", primary=world.ana, birthday=date(1990, 6, 11))
    rules.ensure_rules()
    TaskRule.objects.filter(key="birthday").update(enabled=True)


def test_rules_run_from_several_workers_at_once_make_each_task_once(birthdays):
    barrier = threading.Barrier(THREADS)
    created, errors = [], []

    def worker():
        try:
            barrier.wait()
            created.append(rules.run_rules(today=TODAY, notify_people=False).total_created)
        except Exception as exc:  # SQLite may refuse a concurrent writer; the test inspects every error
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert Task.objects.count() == 20
    assert sum(created) == 20
