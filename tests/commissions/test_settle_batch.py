"""The batch settlement writes exactly what `accrue_order` writes, order by order, and only once.

`settle_orders` is the batch form of `accrue_order` (backfills, imports, the
`shopfloor commissions accrue` command, the settlement benchmark). On random
agencies, rules and orders, the ledger entries, the markers and the audit events
it writes are compared with those `accrue_order` writes on the same data.
"""

import threading
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shopfloor.accounts.models import AuditEvent, SellingMode
from shopfloor.catalog.models import Category, Product
from shopfloor.commissions.models import LedgerEntry, OrderAccrual
from shopfloor.commissions.services import accrue_order
from shopfloor.commissions.settlement import settle_orders
from shopfloor.customers.models import CustomerGroup
from shopfloor.orders.models import Order, OrderStatus, Refund
from tests.commissions.conftest import PLACED_AT, Agency, make_order, make_rule, set_levels
from tests.factories import make_associate, make_customer, make_store

D = Decimal
SKUS = ["A", "B", "C", "D"]

rules = st.lists(st.fixed_dictionaries({
    "kind": st.sampled_from(["percentage", "fixed_per_order", "fixed_per_unit"]),
    "value": st.decimals(0, 25, places=2),
    "priority": st.integers(0, 2),
    "skus": st.sets(st.sampled_from(SKUS), max_size=2),
    "category": st.none() | st.integers(0, 1),
    "customer_group": st.none() | st.integers(0, 1),
    "first_order_only": st.booleans(),
    "associate": st.none() | st.integers(0, 5),
    "min_subtotal": st.none() | st.decimals(0, 300, places=2),
    "max_subtotal": st.none() | st.decimals(100, 500, places=2),
    "starts_after_days": st.none() | st.integers(-2, 2),
    "currency": st.sampled_from(["", "", "EUR", "USD"]),
}), max_size=4)

orders = st.lists(st.fixed_dictionaries({
    "associate": st.sampled_from([0, 1, 2, 3, 4, 5, None]),
    "customer": st.none() | st.integers(0, 3),
    "lines": st.lists(st.tuples(st.sampled_from(SKUS), st.integers(1, 3), st.decimals(0, 150, places=2)),
                      min_size=1, max_size=4),
    "discount_percent": st.integers(0, 100),
    "status": st.sampled_from([OrderStatus.PLACED, OrderStatus.PLACED, OrderStatus.COMPLETED,
                               OrderStatus.PENDING_PAYMENT, OrderStatus.CANCELLED]),
    "placed_after_days": st.integers(-3, 3),
    "refunded_percent": st.none() | st.integers(1, 100),
    "accrued_first": st.booleans(),
}), min_size=1, max_size=8)

worlds = st.fixed_dictionaries({
    "parents": st.lists(st.none() | st.integers(0, 5), min_size=1, max_size=6),
    "inactive": st.sets(st.integers(0, 5), max_size=2),
    "levels": st.lists(st.decimals(0, 10, places=2), max_size=3),
    "basis": st.sampled_from(["commissionable_amount", "child_commission"]),
    "agent_rates": st.lists(st.tuples(st.integers(0, 5), st.decimals(0, 30, places=2)), max_size=2,
                            unique_by=lambda pair: pair[0]),
    "rules": rules,
    "orders": orders,
    "batch_size": st.integers(1, 5),
})


def build(world):
    """The agency, rules and orders of `world`; returns the orders."""
    store = make_store("batch", "Batch Store", SellingMode.ASSOCIATE)
    categories = [Category.objects.create(name=f"Cat {i}", slug=f"cat-{i}") for i in range(2)]
    for index, sku in enumerate(SKUS):
        Product.objects.create(sku=sku, name=sku, category=categories[index % 2] if index < 3 else None)
    groups = [CustomerGroup.objects.create(name=f"Group {i}") for i in range(2)]
    associates = []
    for index, parent in enumerate(world["parents"]):
        associates.append(make_associate(
            store, f"Agent {index}", with_login=False, active=index not in world["inactive"],
            parent=associates[parent] if parent is not None and parent < index else None,
        ))
    customers = [make_customer(store, f"Client{i}", "Batch", group=groups[i % 2] if i < 3 else None)
                 for i in range(4)]
    set_levels(*world["levels"], basis=world["basis"], agent_rates=[
        (associates[index], rate) for index, rate in world["agent_rates"] if index < len(associates)])
    for index, rule in enumerate(world["rules"]):
        starts = rule["starts_after_days"]
        make_rule(
            rule["value"], kind=rule["kind"], priority=rule["priority"], name=f"Rule {index}",
            product_skus=sorted(rule["skus"]), first_order_only=rule["first_order_only"],
            min_subtotal=rule["min_subtotal"], max_subtotal=rule["max_subtotal"], currency=rule["currency"],
            starts_at=None if starts is None else PLACED_AT + timedelta(days=starts),
            categories=[] if rule["category"] is None else [categories[rule["category"]]],
            customer_groups=[] if rule["customer_group"] is None else [groups[rule["customer_group"]]],
            associates=[] if rule["associate"] is None or rule["associate"] >= len(associates)
            else [associates[rule["associate"]]],
        )
    made = []
    for index, spec in enumerate(world["orders"]):
        seller = spec["associate"]
        associate = associates[seller] if seller is not None and seller < len(associates) else None
        customer = customers[spec["customer"]] if spec["customer"] is not None else None
        subtotal = sum((price * quantity for _, quantity, price in spec["lines"]), D("0.00"))
        discount = (subtotal * spec["discount_percent"] / 100).quantize(D("0.01"))
        order = make_order(associate, spec["lines"], discount=discount, customer=customer, store=store,
                           status=spec["status"], placed_at=PLACED_AT + timedelta(days=spec["placed_after_days"]))
        if spec["refunded_percent"] is not None and order.total > 0:
            amount = max(D("0.01"), (order.total * spec["refunded_percent"] / 100).quantize(D("0.01")))
            Refund.objects.create(order=order, external_id=f"refund-{index}", amount=amount)
        made.append(order)
    return made


def _without_entry_ids(breakdown: dict) -> dict:
    """A reversal's breakdown names the entry it reverses by id, which differs between two runs."""
    if "reverses" in breakdown:
        return {**breakdown, "reverses": {**breakdown["reverses"], "id": None}}
    return breakdown


def written():
    """What accrual wrote, without the ids and the moments it was written at.

    Audit events are compared without the accrual's own: `accrue_order` writes one per order,
    a settlement one per batch."""
    entries = sorted(
        (
            (entry.order_id, entry.line_id, entry.kind, entry.level, entry.associate_id, entry.status,
             entry.amount, entry.currency, entry.rule_id, entry.rule_version,
             entry.reverses.line_id if entry.reverses_id else None,
             entry.reverses.level if entry.reverses_id else None, entry.refund_id, entry.reason, entry.base,
             entry.rate, _without_entry_ids(entry.details or {}), _without_entry_ids(entry.breakdown))
            for entry in LedgerEntry.objects.select_related("reverses").order_by("pk")
        ),
        key=repr,
    )
    accruals = sorted(
        (*row, completed_at is None) for *row, completed_at in OrderAccrual.objects.values_list(
            "order_id", "associate_id", "currency", "commissionable_amount", "approved_at", "cancelled_at",
            "inputs", "semantics", "completed_at"))
    events = sorted(AuditEvent.objects.filter(verb__startswith="commissions.").exclude(
        verb__in=["commissions.order_accrued", "commissions.orders_settled"]).values_list(
        "verb", "target_type", "target_id", "data"), key=repr)
    return entries, accruals, events


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(world=worlds)
def test_the_batch_writes_exactly_what_accruing_each_order_writes(db, world):
    with transaction.atomic():
        made = build(world)
        # Some orders were accrued on arrival already; both paths must skip them.
        for order, spec in zip(made, world["orders"], strict=True):
            if spec["accrued_first"]:
                accrue_order(order)
        with transaction.atomic():
            for order in made:
                accrue_order(order)
            one_by_one = written()
            transaction.set_rollback(True)
        expected = len(one_by_one[1]) - OrderAccrual.objects.count()
        assert settle_orders(batch_size=world["batch_size"]) == expected
        assert written() == one_by_one
        # Safe to re-run: nothing left to accrue.
        assert settle_orders(batch_size=world["batch_size"]) == 0
        assert written() == one_by_one
        transaction.set_rollback(True)


@pytest.fixture
def sales(agency):
    set_levels("5", "2", "1")
    make_rule("10")
    make_rule("3", kind="fixed_per_order", priority=1, product_skus=["GIFT"])
    return [make_order(agency.ana, [("BOOT", 1, "50.00"), ("TOTE", 2, "20.00"), ("GIFT", 1, "25.00")],
                       discount="5.00", customer=agency.customer) for _ in range(5)]


def test_it_accrues_only_the_orders_it_is_given(agency, sales):
    assert settle_orders(order_ids=[sales[1].pk, sales[3].pk, 10**9]) == 2
    assert set(OrderAccrual.objects.values_list("order_id", flat=True)) == {sales[1].pk, sales[3].pk}
    assert settle_orders() == 3
    assert OrderAccrual.objects.count() == 5


def test_it_writes_earnings_overrides_markers_and_events(agency, sales):
    assert settle_orders(batch_size=2) == 5
    order = sales[0]
    entries = sorted(LedgerEntry.objects.filter(order=order).values_list("kind", "level", "associate_id", "amount"))
    assert entries == [
        ("earning", 0, agency.ana.pk, D("2.39")),  # 10% of the gift card after its share (23.91)
        ("earning", 0, agency.ana.pk, D("3.00")),  # the gift card's bonus: fixed per order
        ("earning", 0, agency.ana.pk, D("3.83")),  # 10% of the totes after their share of the discount
        ("earning", 0, agency.ana.pk, D("4.78")),  # 10% of the boot after its share
        ("override", 1, agency.bruno.pk, D("5.50")),  # 5% of the commissionable 110.00
        ("override", 2, agency.carla.pk, D("2.20")),
        ("override", 3, agency.dora.pk, D("1.10")),
    ]
    assert OrderAccrual.objects.get(order=order).commissionable_amount == D("110.00")
    # One event per batch of two orders, not one per order.
    assert not AuditEvent.objects.filter(verb="commissions.order_accrued").exists()
    events = AuditEvent.objects.filter(verb="commissions.orders_settled").order_by("pk")
    assert [event.data for event in events] == [
        {"orders": 2, "entries": 14, "first_order_id": sales[0].pk, "last_order_id": sales[1].pk},
        {"orders": 2, "entries": 14, "first_order_id": sales[2].pk, "last_order_id": sales[3].pk},
        {"orders": 1, "entries": 7, "first_order_id": sales[4].pk, "last_order_id": sales[4].pk},
    ]


def test_orders_that_do_not_earn_are_left_alone(agency, sales):
    unpaid = make_order(agency.ana, [("BOOT", 1, "50.00")], status=OrderStatus.PENDING_PAYMENT)
    cancelled = make_order(agency.ana, [("BOOT", 1, "50.00")], status=OrderStatus.CANCELLED)
    nobody = make_order(None, [("BOOT", 1, "50.00")], customer=agency.customer)
    assert settle_orders() == 5
    assert not OrderAccrual.objects.filter(order__in=[unpaid, cancelled, nobody]).exists()


def test_a_refund_recorded_before_the_settlement_is_reversed_with_it(agency, sales):
    Refund.objects.create(order=sales[2], external_id="early", amount=sales[2].total)
    assert settle_orders() == 5
    net = sum(LedgerEntry.objects.filter(order=sales[2]).values_list("amount", flat=True))
    assert net == D("0.00")


def test_the_command_accrues_what_is_left(agency, sales):
    accrue_order(sales[0])
    out = StringIO()
    call_command("commissions", "accrue", "--batch-size", "2", stdout=out)
    assert "Accrued 4 orders" in out.getvalue()
    assert OrderAccrual.objects.count() == 5
    call_command("commissions", "accrue", stdout=out)
    assert "Accrued 0 orders" in out.getvalue()
    assert LedgerEntry.objects.count() == 35  # four earnings and three overrides per order


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks are PostgreSQL's")
def test_settlements_and_accruals_running_together_accrue_each_order_once(transactional_db):
    agency = Agency()
    set_levels("5", "2")
    make_rule("10")
    made = [make_order(agency.ana, [("BOOT", 1, "50.00"), ("TOTE", 1, "30.00")]) for _ in range(40)]
    barrier = threading.Barrier(4)
    results, errors = [], []

    def run(action):
        try:
            barrier.wait()
            results.append(action())
        except Exception as exc:  # the test inspects every error
            errors.append(exc)
        finally:
            connection.close()

    actions = [lambda: settle_orders(batch_size=7), lambda: settle_orders(batch_size=5),
               lambda: sum(bool(accrue_order(order)) for order in reversed(made)),
               lambda: sum(bool(accrue_order(order)) for order in made)]
    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(results) == 40
    assert OrderAccrual.objects.count() == 40
    assert LedgerEntry.objects.count() == 40 * 4
    assert Order.objects.count() == 40
