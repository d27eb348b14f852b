"""Money-moving calls made at the same moment from several threads still happen once."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection

from shopfloor.commissions.models import EntryStatus, LedgerEntry, OrderAccrual, Payout
from shopfloor.commissions.payouts import record_adjustment, record_payout
from shopfloor.commissions.selectors import balance
from shopfloor.commissions.services import (
    accrue_order,
    approve_due_earnings,
    note_order_completed,
    reverse_for_cancellation,
    reverse_for_refund,
)
from shopfloor.errors import Conflict
from shopfloor.orders.models import OrderStatus, Refund
from tests.commissions.conftest import PLACED_AT, Agency, make_order, make_rule

D = Decimal
THREADS = 6


def all_at_once(action, threads=THREADS):
    """Run `action` in several threads released together; returns (results, errors)."""
    barrier = threading.Barrier(threads)
    results, errors = [], []

    def worker():
        try:
            barrier.wait()
            results.append(action())
        except Exception as exc:  # the test inspects every error
            errors.append(exc)
        finally:
            connection.close()

    workers = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    return results, errors


@pytest.fixture
def sale(transactional_db):
    agency = Agency()
    make_rule("10")
    order = make_order(agency.ana, [("BOOT", 1, "50.00"), ("TOTE", 1, "30.00")])
    return agency, order


def test_an_order_accrued_from_several_threads_is_accrued_once(sale):
    _, order = sale
    results, errors = all_at_once(lambda: accrue_order(order))
    assert errors == []
    assert sorted(len(written) for written in results) == [0] * (THREADS - 1) + [3]
    assert LedgerEntry.objects.count() == 3 and OrderAccrual.objects.count() == 1


def test_a_refund_reversed_from_several_threads_is_reversed_once(sale):
    _, order = sale
    accrue_order(order)
    refund = Refund.objects.create(order=order, external_id="r-1", amount=D("40.00"))
    results, errors = all_at_once(lambda: reverse_for_refund(refund))
    assert errors == []
    assert sorted(len(written) for written in results) == [0] * (THREADS - 1) + [3]
    assert sum(LedgerEntry.objects.filter(kind="reversal").values_list("amount", flat=True)) == D("-6.00")


def test_a_cancellation_reversed_from_several_threads_is_reversed_once(sale):
    _, order = sale
    accrue_order(order)
    order.status = OrderStatus.CANCELLED
    order.save()
    results, errors = all_at_once(lambda: reverse_for_cancellation(order))
    assert errors == []
    assert sorted(len(written) for written in results) == [0] * (THREADS - 1) + [3]


def test_approval_jobs_running_together_approve_each_entry_once(sale):
    agency, order = sale
    others = [make_order(agency.ana, [("BOOT", 1, "10.00")]) for _ in range(3)]
    for each in (order, *others):
        accrue_order(each)
        each.status = OrderStatus.COMPLETED
        each.save()
        note_order_completed(each, PLACED_AT)
    results, errors = all_at_once(lambda: approve_due_earnings(PLACED_AT + timedelta(days=30)))
    assert errors == []
    assert sum(results) == LedgerEntry.objects.count() == 9
    assert set(LedgerEntry.objects.values_list("status", flat=True)) == {EntryStatus.APPROVED}


def test_payouts_recorded_together_cannot_both_spend_the_same_balance(sale):
    agency, _ = sale
    record_adjustment(agency.admin, agency.ana, "10.00", "Opening balance")
    results, errors = all_at_once(lambda: record_payout(agency.admin, agency.ana, "10.00", "bank"), threads=4)
    assert len(results) == 1
    assert len(errors) == 3 and all(isinstance(error, Conflict) for error in errors)
    assert Payout.objects.count() == 1
    assert balance(agency.ana)["balance"] == D("0.00")
