"""Adjustments, payouts and the balance; the ledger is append-only."""

from decimal import Decimal

import pytest

from shopfloor.access import NotAllowed
from shopfloor.accounts.models import AuditEvent
from shopfloor.commissions.models import AppendOnly, EntryKind, EntryStatus, LedgerEntry, Payout, signed_amount
from shopfloor.commissions.payouts import record_adjustment, record_payout
from shopfloor.commissions.selectors import balance, ledger_entries
from shopfloor.commissions.services import accrue_order, approve_due_earnings, note_order_completed
from shopfloor.errors import Conflict, InvalidInput
from shopfloor.orders.models import OrderStatus
from tests.commissions.conftest import PLACED_AT, make_order, make_rule
from tests.factories import make_user

D = Decimal


def approved_sale(agency, price="100.00"):
    """Ana earns 10% of `price`, approved."""
    make_rule("10")
    order = make_order(agency.ana, [("BOOT", 1, price)], status=OrderStatus.COMPLETED)
    accrue_order(order)
    note_order_completed(order, PLACED_AT)
    approve_due_earnings(PLACED_AT.replace(year=2027))
    return order


def test_each_kind_has_one_sign():
    assert signed_amount(EntryKind.EARNING, D("2.50")) == D("2.50")
    assert signed_amount(EntryKind.OVERRIDE, D("-2.50")) == D("2.50")
    assert signed_amount(EntryKind.REVERSAL, D("2.50")) == D("-2.50")
    assert signed_amount(EntryKind.PAYOUT, D("2.50")) == D("-2.50")
    assert signed_amount(EntryKind.ADJUSTMENT, D("-2.50")) == D("-2.50")
    assert signed_amount(EntryKind.ADJUSTMENT, D("2.505")) == D("2.51")


def test_an_adjustment_moves_the_balance_either_way_with_its_reason(agency):
    bonus = record_adjustment(agency.admin, agency.ana, "12.50", "Window display bonus")
    record_adjustment(agency.admin, agency.ana, D("-2.00"), "Sample not returned")
    assert (bonus.kind, bonus.status, bonus.amount, bonus.reason, bonus.created_by) == (
        EntryKind.ADJUSTMENT, EntryStatus.APPROVED, D("12.50"), "Window display bonus", agency.admin)
    assert balance(agency.ana) == {"currency": "EUR", "pending": D("0.00"), "approved": D("0.00"),
                                   "adjustments": D("10.50"), "paid": D("0.00"), "balance": D("10.50")}
    assert AuditEvent.objects.filter(verb="commissions.adjustment_recorded", actor=agency.admin).count() == 2


@pytest.mark.parametrize("amount, reason, field", [
    ("0", "Because", "amount"), ("0.004", "Because", "amount"), ("5", "  ", "reason"),
    ("lots", "x", "amount"),
])
def test_an_adjustment_needs_an_amount_and_a_reason(agency, amount, reason, field):
    with pytest.raises(InvalidInput) as error:
        record_adjustment(agency.admin, agency.ana, amount, reason)
    assert ("body", field) in [loc for loc, _ in error.value.errors]
    assert LedgerEntry.objects.count() == 0


def test_only_an_admin_adjusts_or_pays(agency):
    ana_user = agency.ana.user
    manager = make_user("manager@example.com")
    for user in (ana_user, manager, None):
        with pytest.raises(NotAllowed):
            record_adjustment(user, agency.ana, "5.00", "Please")
        with pytest.raises(NotAllowed):
            record_payout(user, agency.ana, "5.00", "bank")
    assert LedgerEntry.objects.count() == 0 and Payout.objects.count() == 0


def test_a_payout_within_the_balance_is_recorded_with_its_entry(agency):
    approved_sale(agency)
    payout = record_payout(agency.admin, agency.ana, "6.00", "paypal", reference="PP-123", note="March")
    assert (payout.amount, payout.currency, payout.method, payout.reference, payout.note) == (
        D("6.00"), "EUR", "paypal", "PP-123", "March")
    entry = payout.ledger_entry
    assert (entry.kind, entry.status, entry.amount) == (EntryKind.PAYOUT, EntryStatus.APPROVED, D("-6.00"))
    assert balance(agency.ana) == {"currency": "EUR", "pending": D("0.00"), "approved": D("10.00"),
                                   "adjustments": D("0.00"), "paid": D("6.00"), "balance": D("4.00")}


def test_a_payout_above_the_balance_is_refused_unless_confirmed(agency):
    approved_sale(agency)
    with pytest.raises(Conflict):
        record_payout(agency.admin, agency.ana, "10.01", "bank")
    assert Payout.objects.count() == 0 and LedgerEntry.objects.filter(kind="payout").count() == 0
    payout = record_payout(agency.admin, agency.ana, "10.01", "bank", confirm_over_balance=True)
    assert payout.ledger_entry.breakdown["over_balance"] is True
    assert balance(agency.ana)["balance"] == D("-0.01")
    # The negative balance carries forward: the next approved earning pays it back first.
    with pytest.raises(Conflict):
        record_payout(agency.admin, agency.ana, "0.01", "bank")


def test_pending_earnings_are_not_payable(agency):
    make_rule("10")
    accrue_order(make_order(agency.ana, [("BOOT", 1, "100.00")]))
    assert balance(agency.ana)["pending"] == D("10.00")
    with pytest.raises(Conflict):
        record_payout(agency.admin, agency.ana, "10.00", "bank")


@pytest.mark.parametrize("amount, method, field", [
    ("0", "bank", "amount"), ("-5", "bank", "amount"), ("5", "cheque", "method"),
    ("99999999999", "bank", "amount"),
])
def test_a_payout_needs_a_positive_amount_and_a_known_method(agency, amount, method, field):
    with pytest.raises(InvalidInput) as error:
        record_payout(agency.admin, agency.ana, amount, method, confirm_over_balance=True)
    assert ("body", field) in [loc for loc, _ in error.value.errors]
    assert Payout.objects.count() == 0


def test_the_balance_is_per_currency_and_the_associates_store_currency_by_default(agency):
    make_rule("10")
    pounds = make_order(agency.ana, [("BOOT", 1, "100.00")], currency="GBP")
    accrue_order(pounds)
    assert balance(agency.ana)["pending"] == D("0.00")
    assert balance(agency.ana, "GBP")["pending"] == D("10.00")


def test_ledger_entries_are_never_edited_or_deleted(agency):
    entry = record_adjustment(agency.admin, agency.ana, "5.00", "Bonus")
    entry.amount = D("500.00")
    with pytest.raises(AppendOnly):
        entry.save()
    with pytest.raises(AppendOnly):
        entry.delete()
    assert LedgerEntry.objects.get().amount == D("5.00")


def test_the_entries_selector_filters_by_associate_and_status(agency):
    approved_sale(agency)
    record_adjustment(agency.admin, agency.bruno, "1.00", "Cover")
    assert [e.kind for e in ledger_entries(agency.ana)] == ["earning"]
    assert [e.kind for e in ledger_entries(agency.bruno, EntryStatus.APPROVED)] == ["override", "adjustment"]
    assert ledger_entries(status=EntryStatus.PENDING).count() == 0
