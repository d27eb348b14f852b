"""The demo's sales carry commission: rules, earnings accrued as the orders arrived, approvals, payouts, a coupon."""

from decimal import Decimal

from django.db.models import Sum
from django.test import Client

from shopfloor.accounts.models import Associate, SellingMode
from shopfloor.attribution.models import AttributionRule, Coupon
from shopfloor.commissions import selectors
from shopfloor.commissions.accrual import is_first_order
from shopfloor.commissions.demo import HOLD_DAYS, RULES
from shopfloor.commissions.models import CommissionRule, EntryKind, EntryStatus, LedgerEntry, OrderAccrual, Payout
from shopfloor.demo.seed import DEMO_PASSWORD, seed_demo
from shopfloor.money import to_cents
from shopfloor.orders.models import Order, OrderStatus, Refund


def test_the_demos_sales_carry_earnings_approvals_and_payouts(db):
    seed_demo()
    assert sorted(CommissionRule.objects.values_list("name", flat=True)) == sorted(rule["name"] for rule in RULES)
    credited = Order.objects.filter(attributed_associate__isnull=False).exclude(status=OrderStatus.CANCELLED)
    assert credited.exists()
    # Every sale credited to an associate was accrued as it was recorded; team-mode stores' sales earn nobody.
    assert OrderAccrual.objects.count() == credited.count()
    assert not LedgerEntry.objects.filter(associate__store__selling_mode=SellingMode.TEAM).exists()

    # Sales completed more than the hold period ago are approved; recent ones are pending.
    approved = LedgerEntry.objects.filter(status=EntryStatus.APPROVED, kind=EntryKind.EARNING)
    pending = LedgerEntry.objects.filter(status=EntryStatus.PENDING, kind=EntryKind.EARNING)
    assert approved.exists() and pending.exists()
    assert all(accrual.completed_at is not None and (accrual.approved_at - accrual.completed_at).days >= HOLD_DAYS
               for accrual in OrderAccrual.objects.filter(approved_at__isnull=False))
    # The rules add up: every first order credited to an associate earned its 10.00 bonus beside its lines'
    # percentages (one rule per line, 15 of the 96 never did), and no other order did.
    new_customer = CommissionRule.objects.get(name="New customer")
    first_orders = {accrual.order_id for accrual in OrderAccrual.objects.select_related("order")
                    if is_first_order(accrual.order.customer_id, accrual.order.placed_at, accrual.order_id)}
    assert len(first_orders) > 50
    with_bonus = LedgerEntry.objects.filter(rule=new_customer, kind=EntryKind.EARNING)
    assert set(with_bonus.values_list("order_id", flat=True)) == first_orders
    assert {entry.amount for entry in with_bonus} == {Decimal("10.00")}
    assert all(LedgerEntry.objects.filter(order_id=order_id, kind=EntryKind.EARNING, line__isnull=False).exists()
               for order_id in first_orders)
    assert {accrual.semantics for accrual in OrderAccrual.objects.all()} == {"rules_add_up"}

    # Ana is Inês's upline: Inês's sales earn her an override.
    ana = Associate.objects.get(name="Ana Ribeiro")
    ines = Associate.objects.get(name="Inês Carvalho")
    assert LedgerEntry.objects.filter(associate=ana, kind=EntryKind.OVERRIDE, order__attributed_associate=ines).exists()

    # Half of Tiago's latest completed sale came back: its earnings are reversed by half.
    refund = Refund.objects.get(external_id="DEMO-R-0001")
    assert refund.order.attributed_associate.name == "Tiago Moreira"
    assert refund.amount == to_cents(refund.order.total / 2)
    reversed_entries = LedgerEntry.objects.filter(kind=EntryKind.REVERSAL, refund=refund)
    assert reversed_entries.exists()
    for reversal in reversed_entries:
        assert abs(reversal.amount + reversal.reverses.amount / 2) <= Decimal("0.01")

    # Ana and Tiago were paid their approved commission in whole tens; what is left is below ten euros.
    assert set(Payout.objects.values_list("associate__name", flat=True)) == {"Ana Ribeiro", "Tiago Moreira"}
    payout = Payout.objects.get(associate=ana)
    assert payout.amount > 0 and payout.amount % 10 == 0
    balance = selectors.balance(ana)
    assert Decimal("0") <= balance["balance"] < 10
    assert balance["paid"] == payout.amount
    assert balance["balance"] == to_cents(LedgerEntry.objects.filter(
        associate=ana, status=EntryStatus.APPROVED).aggregate(total=Sum("amount"))["total"])
    # Two recent orders carried her coupon: credited to her by rule 2, whoever the customer's associate is.
    coupon = Coupon.objects.get(associate=ana)
    assert (coupon.code, coupon.uses) == ("ANA-WELCOME10", 2)
    by_coupon = Order.objects.filter(coupon_code=coupon.code)
    assert by_coupon.count() == 2
    for order in by_coupon:
        assert (order.attribution_rule, order.attributed_associate) == (AttributionRule.COUPON, ana)
        assert order.attribution_evidence["summary"] == "The order used Ana Ribeiro's coupon ANA-WELCOME10."
        assert order.discount == to_cents(order.subtotal / 10)

    # Her dashboard shows it.
    client = Client()
    assert client.login(username=ana.user.email, password=DEMO_PASSWORD)
    page = client.get("/console/dashboard/").content.decode()
    assert "ANA-WELCOME10" in page
    assert "No earnings yet" not in page and "No payouts yet" not in page

    # Seeding again writes nothing.
    entries = LedgerEntry.objects.count()
    seed_demo()
    assert (LedgerEntry.objects.count(), Payout.objects.count(), Coupon.objects.count()) == (entries, 2, 1)
