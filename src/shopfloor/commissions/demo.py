"""Demo commissions: the rules Casa Lusa pays its sellers by, so the demo's sales carry earnings.

Called by `demo.seed.seed_demo` inside its transaction.

`seed_rules` runs before the demo's orders are recorded, so each order accrues as it arrives, as in
production. It also gives Ana a coupon, which two of the demo's recent orders carry (credited to
her by rule 2, whoever the customer's associate is).

`seed` runs after them. The demo's sales happened over the past year but are recorded today, so
each completed order's hold period is moved back to when it was completed (two days after it was
placed). Then the scheduled approval runs, a shopper returns half of Tiago's latest completed sale
(its earnings are reversed pro rata), and two sellers are paid their approved commission in whole
tens of euros (a small balance stays).
"""

from datetime import datetime, timedelta
from decimal import Decimal

from shopfloor.access import Actor
from shopfloor.attribution.coupons import services as coupons
from shopfloor.attribution.models import CouponKind
from shopfloor.commissions import configuration, payouts, selectors, services
from shopfloor.commissions.models import OrderAccrual, PayoutMethod
from shopfloor.orders.models import Order, OrderStatus
from shopfloor.orders.services import refund_order

HOLD_DAYS = 14
# A subagent's sale earns their upline 2% of it.
OVERRIDE_LEVELS = [{"level": 1, "rate": "2"}]
RULES = [
    {"name": "Every sale", "kind": "percentage", "value": "5", "priority": 0},
    {"name": "Lighting", "kind": "percentage", "value": "8", "priority": 10, "categories": ["Lighting"]},
    # An order bonus: paid on every first order beside its lines' percentages (its priority decides nothing).
    {"name": "New customer", "kind": "fixed_per_order", "value": "10", "priority": 0, "first_order_only": True},
]
COMPLETED_AFTER = timedelta(days=2)
PAID = [("Ana Ribeiro", PayoutMethod.BANK, "SEPA"), ("Tiago Moreira", PayoutMethod.PAYPAL, "PAYPAL")]
COUPON = {"code": "ANA-WELCOME10", "kind": CouponKind.PERCENT, "value": Decimal("10"), "max_uses": 50}


def seed_rules(admin, associates: dict, now: datetime) -> str:
    """The rules, the settings and Ana's coupon; returns the coupon's code."""
    configuration.save_commission_settings(admin, {"hold_days": HOLD_DAYS, "override_levels": OVERRIDE_LEVELS})
    for rule in RULES:
        configuration.save_commission_rule(admin, rule)
    ana = associates["Ana Ribeiro"]
    return coupons.create_coupon(Actor(ana.user), {**COUPON, "expires_at": now + timedelta(days=60)}).code


def seed(admin, associates: dict, now: datetime) -> None:
    completed = OrderAccrual.objects.filter(order__status=OrderStatus.COMPLETED).values_list("pk", "order__placed_at")
    for accrual_id, placed_at in list(completed):
        OrderAccrual.objects.filter(pk=accrual_id).update(completed_at=min(placed_at + COMPLETED_AFTER, now))
    services.approve_due_earnings(now)
    returned = (Order.objects.filter(attributed_associate=associates["Tiago Moreira"], status=OrderStatus.COMPLETED)
                .latest("placed_at"))
    refund_order(Actor(admin), returned, "DEMO-R-0001", returned.total / 2)
    for name, method, reference in PAID:
        associate = associates[name]
        amount = selectors.balance(associate)["balance"] // 10 * 10
        if amount > 0:
            payouts.record_payout(admin, associate, amount, method, reference=f"{reference}-{now:%Y%m}-{associate.pk}",
                                   note=f"Commission payout, {now:%B %Y}.")
