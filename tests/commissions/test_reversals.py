"""Refunds reverse pro rata, cancellations in full; both once, as new negative entries."""

from decimal import Decimal

import pytest

from shopfloor.commissions.models import EntryKind, EntryStatus, LedgerEntry, RefundReversal
from shopfloor.commissions.payouts import record_payout
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
from tests.commissions.conftest import PLACED_AT, make_order, make_rule

D = Decimal
LATER = PLACED_AT.replace(year=2027)


def refund(order, amount):
    return Refund.objects.create(order=order, external_id=f"r-{order.pk}-{Refund.objects.count()}",
                                 amount=D(amount))


def reversals(order):
    return [(e.associate.name, e.level, e.amount, e.status, e.reverses.kind)
            for e in LedgerEntry.objects.filter(order=order, kind=EntryKind.REVERSAL)
            .select_related("associate", "reverses").order_by("pk")]


def net_by_associate(order):
    totals = {}
    for entry in LedgerEntry.objects.filter(order=order):
        totals[entry.associate_id] = totals.get(entry.associate_id, D("0.00")) + entry.amount
    return totals


def statuses(order):
    return set(LedgerEntry.objects.filter(order=order).values_list("status", flat=True))


def cancel(order):
    order.status = OrderStatus.CANCELLED
    order.save()


def complete(order, at=PLACED_AT):
    order.status = OrderStatus.COMPLETED
    order.save()
    note_order_completed(order, at)


@pytest.fixture
def sale(agency):
    """10% of 50.00 + 30.00: Ana earns 5.00 and 3.00, Bruno 4.00."""
    make_rule("10")
    order = make_order(agency.ana, [("BOOT", 1, "50.00"), ("TOTE", 1, "30.00")])
    accrue_order(order)
    return order


def test_a_partial_refund_reverses_each_entry_in_proportion(agency, sale):
    written = reverse_for_refund(refund(sale, "40.00"))
    assert len(written) == 3
    assert reversals(sale) == [
        ("Ana Alves", 0, D("-2.50"), EntryStatus.PENDING, "earning"),
        ("Ana Alves", 0, D("-1.50"), EntryStatus.PENDING, "earning"),
        ("Bruno Brito", 1, D("-2.00"), EntryStatus.PENDING, "override"),
    ]
    assert balance(agency.ana)["pending"] == D("4.00")
    reversal = LedgerEntry.objects.filter(kind="reversal").first()
    assert reversal.breakdown["refunded_to_date"] == "40.00" and reversal.breakdown["order_total"] == "80.00"
    assert reversal.refund.external_id.startswith("r-")


def test_refunding_the_same_refund_twice_writes_nothing_the_second_time(agency, sale):
    first = refund(sale, "40.00")
    reverse_for_refund(first)
    assert reverse_for_refund(first) == []
    assert LedgerEntry.objects.filter(kind="reversal").count() == 3
    assert RefundReversal.objects.count() == 1


def test_partial_refunds_that_add_up_to_the_total_take_back_exactly_what_was_earned(agency):
    make_rule("10")
    order = make_order(agency.ana, [("BOOT", 1, "10.00")])  # Ana 1.00, Bruno 0.50
    accrue_order(order)
    for amount in ("3.33", "3.33", "3.34"):
        reverse_for_refund(refund(order, amount))
    # Running totals for Ana: 1.00 × 3.33/10 = 0.333 → 0.33; × 6.66/10 = 0.666 → 0.67; then 1.00.
    assert [amount for name, _, amount, _, _ in reversals(order) if name == "Ana Alves"] == [
        D("-0.33"), D("-0.34"), D("-0.33")]
    assert net_by_associate(order) == {agency.ana.pk: D("0.00"), agency.bruno.pk: D("0.00")}


def test_an_entry_reversed_in_full_before_approval_counts_nowhere(agency, sale):
    reverse_for_refund(refund(sale, "80.00"))
    assert statuses(sale) == {EntryStatus.REVERSED}
    assert balance(agency.ana) == {"currency": "EUR", "pending": D("0.00"), "approved": D("0.00"),
                                   "adjustments": D("0.00"), "paid": D("0.00"), "balance": D("0.00")}
    complete(sale)
    assert approve_due_earnings(LATER) == 0


def test_a_pending_reversal_is_approved_with_its_order(agency, sale):
    reverse_for_refund(refund(sale, "20.00"))
    complete(sale)
    assert approve_due_earnings(LATER) == 6
    assert balance(agency.ana)["balance"] == D("6.00")  # 8.00 − 2.00
    assert balance(agency.bruno)["balance"] == D("3.00")  # 4.00 − 1.00


def test_a_refund_after_approval_is_approved_at_once_and_can_take_the_balance_below_zero(agency, sale):
    complete(sale)
    approve_due_earnings(LATER)
    record_payout(agency.admin, agency.ana, "8.00", "bank")
    assert balance(agency.ana)["balance"] == D("0.00")
    reverse_for_refund(refund(sale, "80.00"))
    assert {status for _, _, _, status, _ in reversals(sale)} == {EntryStatus.APPROVED}
    assert balance(agency.ana) == {"currency": "EUR", "pending": D("0.00"), "approved": D("0.00"),
                                   "adjustments": D("0.00"), "paid": D("8.00"), "balance": D("-8.00")}
    # The approved earnings themselves never change.
    assert list(LedgerEntry.objects.filter(order=sale, kind="earning").values_list("status", "amount")) == [
        (EntryStatus.APPROVED, D("5.00")), (EntryStatus.APPROVED, D("3.00"))]


def test_a_refund_before_accrual_is_taken_into_account_by_the_accrual(agency):
    make_rule("10")
    order = make_order(agency.ana, [("BOOT", 1, "50.00")])
    early = refund(order, "25.00")
    assert reverse_for_refund(early) == []
    assert not RefundReversal.objects.exists()
    accrue_order(order)
    assert reversals(order) == [("Ana Alves", 0, D("-2.50"), EntryStatus.PENDING, "earning"),
                                ("Bruno Brito", 1, D("-1.25"), EntryStatus.PENDING, "override")]
    assert reverse_for_refund(early) == []


def test_a_cancellation_reverses_everything_once(agency, sale):
    cancel(sale)
    assert len(reverse_for_cancellation(sale)) == 3
    assert reverse_for_cancellation(sale) == []
    assert net_by_associate(sale) == {agency.ana.pk: D("0.00"), agency.bruno.pk: D("0.00")}
    assert statuses(sale) == {EntryStatus.REVERSED}
    assert balance(agency.ana)["pending"] == D("0.00")


def test_a_cancellation_after_a_partial_refund_reverses_what_is_left(agency, sale):
    reverse_for_refund(refund(sale, "40.00"))
    cancel(sale)
    reverse_for_cancellation(sale)
    assert [amount for _, _, amount, _, _ in reversals(sale)] == [
        D("-2.50"), D("-1.50"), D("-2.00"), D("-2.50"), D("-1.50"), D("-2.00")]
    assert net_by_associate(sale) == {agency.ana.pk: D("0.00"), agency.bruno.pk: D("0.00")}
    # A refund after the cancellation has nothing left to take back.
    assert reverse_for_refund(refund(sale, "10.00")) == []


def test_only_a_cancelled_order_is_reversed_in_full(agency, sale):
    with pytest.raises(Conflict):
        reverse_for_cancellation(sale)
    assert LedgerEntry.objects.filter(kind="reversal").count() == 0


def test_reversing_an_order_that_earned_nothing_writes_nothing(agency):
    order = make_order(None, [("BOOT", 1, "50.00")], customer=agency.customer)
    assert reverse_for_refund(refund(order, "10.00")) == []
    cancel(order)
    assert reverse_for_cancellation(order) == []
    assert LedgerEntry.objects.count() == 0


def test_a_reversal_copies_the_rule_version_and_level_of_what_it_reverses(agency, sale):
    reverse_for_refund(refund(sale, "40.00"))
    for reversal in LedgerEntry.objects.filter(kind="reversal").select_related("reverses"):
        original = reversal.reverses
        copied = ("associate_id", "level", "line_id", "rule_id", "rule_version", "currency")
        assert [getattr(reversal, name) for name in copied] == [getattr(original, name) for name in copied]
        assert reversal.breakdown["reverses"] == {"id": original.pk, "kind": original.kind,
                                                  "amount": str(original.amount)}
