"""A long settlement on SQLite reads and evaluates in a helper process and writes the same ledger.

`commissions.pipeline`: the helper is a real spawned process reading the test database;
these tests commit their data (transactional_db) so that it can.
"""

import time
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.models import Max

from shopfloor.commissions import pipeline, services
from shopfloor.commissions.models import OrderAccrual
from shopfloor.commissions.services import accrue_order, settle_orders
from shopfloor.orders.models import OrderStatus
from tests.commissions.test_settle_batch import build, written

pytestmark = pytest.mark.skipif("connection.vendor != 'sqlite'", reason="the helper process is SQLite's")

D = Decimal
BATCH_SIZE = 3

WORLD = {
    "parents": [None, 0, 1, 2, None, 4],
    "inactive": {4},
    "levels": [D("5"), D("2"), D("1")],
    "rules": [
        {"kind": "percentage", "value": D("10"), "priority": 0, "skus": set(), "category": None,
         "customer_group": None, "first_order_only": False, "associate": None, "min_subtotal": None,
         "max_subtotal": None, "starts_after_days": None, "currency": ""},
        {"kind": "fixed_per_order", "value": D("4.50"), "priority": 1, "skus": {"A"}, "category": None,
         "customer_group": None, "first_order_only": False, "associate": None, "min_subtotal": D("20"),
         "max_subtotal": None, "starts_after_days": None, "currency": ""},
        {"kind": "fixed_per_unit", "value": D("1.25"), "priority": 2, "skus": set(), "category": 1,
         "customer_group": 0, "first_order_only": True, "associate": None, "min_subtotal": None,
         "max_subtotal": None, "starts_after_days": None, "currency": ""},
    ],
    "orders": [
        {"associate": index % 7 if index % 7 < 6 else None, "customer": None if index % 5 == 4 else index % 4,
         "lines": [("A", 1 + index % 3, D("30.00")), ("C", 2, D("12.50") + index)][: 1 + index % 2],
         "discount_percent": (index * 7) % 30,
         "status": [OrderStatus.PLACED, OrderStatus.COMPLETED, OrderStatus.PLACED, OrderStatus.CANCELLED,
                    OrderStatus.PENDING_PAYMENT][index % 5],
         "placed_after_days": index % 3 - 1, "refunded_percent": 50 if index % 6 == 5 else None}
        for index in range(30)
    ],
}


@pytest.fixture
def made(transactional_db, monkeypatch):
    """The world's orders; what accruing each order writes; the helper started after the first batch."""
    orders = build(WORLD)
    with transaction.atomic():
        for order in orders:
            accrue_order(order)
        expected = written()
        transaction.set_rollback(True)
    assert expected[1], "the world accrues something"
    monkeypatch.setattr(services, "PIPELINE_AFTER_BATCHES", 1)
    original_ready = pipeline.Helper.ready

    def ready(helper):
        # Waits for the helper to start, which a real settlement does not: these have few batches.
        helper.pipe.poll(60)
        return original_ready(helper)

    monkeypatch.setattr(pipeline.Helper, "ready", ready)
    return orders, expected


@pytest.fixture
def evaluated_here(monkeypatch):
    """The batches this process read and evaluated itself (the helper's are not counted)."""
    batches = []
    original = services.batch_rows

    def batch_rows(ids, settlement):
        batches.append(list(ids))
        return original(ids, settlement)

    monkeypatch.setattr(services, "batch_rows", batch_rows)
    return batches


@pytest.fixture
def helped(monkeypatch):
    """What `Helper.settle` returned: (orders accrued with the helper, last pk)."""
    results = []
    original = pipeline.Helper.settle

    def settle(helper, after):
        results.append(original(helper, after))
        return results[-1]

    monkeypatch.setattr(pipeline.Helper, "settle", settle)
    return results


def pin_share(monkeypatch, share: int) -> None:
    """The tail this process evaluates, fixed (it follows the waits otherwise)."""
    def balance(helper, waited):
        helper.share = share

    monkeypatch.setattr(pipeline.Helper, "balance", balance)


def test_the_helper_evaluates_and_this_process_writes_the_same_ledger(made, evaluated_here, helped, monkeypatch):
    pin_share(monkeypatch, 0)
    orders, expected = made
    accrued = len(expected[1])
    assert settle_orders(batch_size=BATCH_SIZE) == accrued
    assert written() == expected
    # Only the first batch was read here; every other one came from the helper.
    assert len(evaluated_here) == 1
    assert helped == [(accrued - OrderAccrual.objects.filter(order_id__in=evaluated_here[0]).count(),
                       OrderAccrual.objects.aggregate(last=Max("order_id"))["last"])]
    assert settle_orders(batch_size=BATCH_SIZE) == 0


def test_this_process_evaluates_the_tail_of_each_batch_the_helper_read(made, evaluated_here, monkeypatch):
    pin_share(monkeypatch, 2)
    orders, expected = made
    assert settle_orders(batch_size=BATCH_SIZE) == len(expected[1])
    assert written() == expected
    # The first batch, then the last two orders of each batch the helper read (it kept at least one).
    first, *tails = evaluated_here
    assert len(first) == BATCH_SIZE and tails
    assert all(len(tail) == 2 for tail in tails[:-1]) and 1 <= len(tails[-1]) <= 2
    assert all(before[-1] < after[0] - 1 for before, after in zip([first, *tails], tails, strict=False))


@pytest.mark.parametrize(("waits", "shares"), [
    ([True] * 4, [2, 4, 5, 5]),
    ([True, True, False, False, False], [2, 4, 2, 0, 0]),
])
def test_the_tail_grows_while_this_process_waits_and_shrinks_while_the_helper_waits(waits, shares):
    helper = pipeline.Helper.__new__(pipeline.Helper)
    helper.share, helper.step, helper.max_share = 0, 2, 5
    seen = []
    for waited in waits:
        helper.balance(waited)
        seen.append(helper.share)
    assert seen == shares


def test_a_batch_another_connection_wrote_to_meanwhile_is_read_again(made, evaluated_here, monkeypatch):
    pin_share(monkeypatch, 0)
    orders, expected = made
    original = pipeline.Helper.receive
    cancelled = []

    def receive(helper):
        batch = original(helper)
        if batch is not None and not cancelled:
            # The helper has evaluated this batch; another connection cancels one of its orders before
            # it is written, and commits.
            order_id = next(row[0] for row in batch.head.accruals)
            other = connection.copy()
            with other.cursor() as cursor:
                cursor.execute("UPDATE orders_order SET status = %s WHERE id = %s", [OrderStatus.CANCELLED, order_id])
            other.close()
            cancelled.append((order_id, batch.ids))
        return batch

    monkeypatch.setattr(pipeline.Helper, "receive", receive)
    settle_orders(batch_size=BATCH_SIZE)
    order_id, ids = cancelled[0]
    assert not OrderAccrual.objects.filter(order_id=order_id).exists()
    # That batch was evaluated again here; the batches after it came from the helper again.
    assert evaluated_here[1] == ids
    assert len(evaluated_here) == 2
    entries, accruals, events = expected
    assert written() == ([entry for entry in entries if entry[0] != order_id],
                         [accrual for accrual in accruals if accrual[0] != order_id], events)


def test_when_the_helper_fails_the_settlement_goes_on_without_it(made, evaluated_here, monkeypatch, caplog):
    orders, expected = made
    original = pipeline.Helper.receive

    killed = []

    def receive(helper):
        if not killed:
            helper.process.kill()
            helper.process.join()
            killed.append(helper.process.exitcode)
        return original(helper)

    monkeypatch.setattr(pipeline.Helper, "receive", receive)
    assert settle_orders(batch_size=BATCH_SIZE) == len(expected[1])
    assert written() == expected
    assert killed and "helper process failed" in caplog.text


def test_an_error_while_writing_stops_the_helper_and_leaves_the_batch_unwritten(made, monkeypatch):
    orders, expected = made
    helpers = []
    original_start = pipeline.Helper.start.__func__

    def start(cls, batch_size):
        helpers.append(original_start(cls, batch_size))
        return helpers[-1]

    monkeypatch.setattr(pipeline.Helper, "start", classmethod(start))
    original_write = services.write_batch

    def write_batch(batch):
        if helpers and helpers[0].started:
            original_write(batch)
            raise RuntimeError("the disk is full")
        return original_write(batch)

    monkeypatch.setattr(services, "write_batch", write_batch)
    began = time.monotonic()
    with pytest.raises(RuntimeError, match="the disk is full"):
        settle_orders(batch_size=BATCH_SIZE)
    # Stopped without waiting for STOP_TIMEOUT, though it was evaluating the next batch.
    assert time.monotonic() - began < pipeline.STOP_TIMEOUT
    assert not helpers[0].process.is_alive()
    # The failed batch's transaction rolled back: only the first batch, settled here, is written.
    assert 0 < OrderAccrual.objects.count() <= BATCH_SIZE
