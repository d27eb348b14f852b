"""approve_due_earnings: pending → approved once the order has completed and the hold has passed."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from shopfloor.accounts.models import AuditEvent
from shopfloor.commissions.models import EntryStatus, LedgerEntry, OrderAccrual
from shopfloor.commissions.selectors import balance
from shopfloor.commissions.services import accrue_order, approve_due_earnings, note_order_completed
from shopfloor.commissions.tasks import approve_due_earnings_task
from shopfloor.orders.models import OrderStatus
from tests.commissions.conftest import PLACED_AT, make_order, make_rule, set_levels

D = Decimal
COMPLETED_AT = PLACED_AT + timedelta(days=3)


def completed_sale(agency, hold_days=14):
    set_levels("5", hold_days=hold_days)
    make_rule("10")
    order = make_order(agency.ana, [("BOOT", 1, "50.00")])
    accrue_order(order)
    order.status = OrderStatus.COMPLETED
    order.save()
    assert note_order_completed(order, COMPLETED_AT)
    return order


def statuses(order):
    return list(LedgerEntry.objects.filter(order=order).order_by("pk").values_list("status", flat=True))


def test_earnings_stay_pending_until_the_hold_has_passed_since_completion(agency):
    order = completed_sale(agency)
    assert approve_due_earnings(COMPLETED_AT + timedelta(days=14) - timedelta(seconds=1)) == 0
    assert statuses(order) == [EntryStatus.PENDING, EntryStatus.PENDING]
    assert approve_due_earnings(COMPLETED_AT + timedelta(days=14)) == 2
    assert statuses(order) == [EntryStatus.APPROVED, EntryStatus.APPROVED]
    assert balance(agency.ana) == {"currency": "EUR", "pending": D("0.00"), "approved": D("5.00"),
                                   "adjustments": D("0.00"), "paid": D("0.00"), "balance": D("5.00")}
    assert balance(agency.bruno)["balance"] == D("2.50")


def test_running_the_approval_again_approves_nothing_more(agency):
    completed_sale(agency)
    due = COMPLETED_AT + timedelta(days=30)
    assert approve_due_earnings(due) == 2
    assert approve_due_earnings(due) == 0
    assert approve_due_earnings(due + timedelta(days=1)) == 0
    assert AuditEvent.objects.filter(verb="commissions.order_approved").count() == 1


def test_the_hold_period_is_read_from_the_settings(agency):
    completed_sale(agency, hold_days=0)
    assert approve_due_earnings(COMPLETED_AT) == 2


def test_an_order_that_never_completes_is_never_approved(agency):
    make_rule("10")
    order = make_order(agency.ana, [("BOOT", 1, "50.00")])
    accrue_order(order)
    assert approve_due_earnings(PLACED_AT + timedelta(days=3650)) == 0
    assert statuses(order) == [EntryStatus.PENDING, EntryStatus.PENDING]


def test_the_hold_starts_when_the_job_first_sees_a_completed_order_nobody_reported(agency):
    make_rule("10")
    order = make_order(agency.ana, [("BOOT", 1, "50.00")])
    accrue_order(order)
    order.status = OrderStatus.COMPLETED
    order.save()
    first_seen = PLACED_AT + timedelta(days=40)
    assert approve_due_earnings(first_seen) == 0
    assert OrderAccrual.objects.get(order=order).completed_at == first_seen
    assert approve_due_earnings(first_seen + timedelta(days=14)) == 2


def test_an_order_arriving_completed_starts_its_hold_at_accrual(agency):
    make_rule("10")
    order = make_order(agency.ana, [("BOOT", 1, "50.00")], status=OrderStatus.COMPLETED)
    before = timezone.now()
    accrue_order(order)
    accrual = OrderAccrual.objects.get(order=order)
    assert accrual.completed_at >= before
    assert not note_order_completed(order, PLACED_AT)  # the first completion time stands
    assert approve_due_earnings(accrual.completed_at + timedelta(days=14)) == 2


def test_note_order_completed_ignores_an_order_that_is_not_completed(agency):
    make_rule("10")
    order = make_order(agency.ana, [("BOOT", 1, "50.00")])
    accrue_order(order)
    assert not note_order_completed(order, PLACED_AT)
    assert OrderAccrual.objects.get(order=order).completed_at is None


def test_the_approval_task_runs_the_job(agency):
    order = completed_sale(agency, hold_days=0)
    approve_due_earnings_task.call()
    assert statuses(order) == [EntryStatus.APPROVED, EntryStatus.APPROVED]
