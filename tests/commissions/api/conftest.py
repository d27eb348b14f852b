"""What the commissions API tests share: a small ledger on the `world` and a wider "nothing written" check.

The ledger (`ledger` fixture), with one 10% rule:
    ana    North  order A-1 50.00 approved → 5.00; order A-2 20.00 pending → 2.00; adjustment +10.00
    bruno  North  order B-1 30.00 pending → 3.00
    tom    South  adjustment +7.00 (a team-mode store earns as a store, so tom only has adjustments)
ana's balance: pending 2.00, approved 5.00, adjustments 10.00, paid 0.00, balance 15.00.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from shopfloor.access import Actor
from shopfloor.commissions.models import (
    CommissionRule,
    CommissionSettings,
    LedgerEntry,
    OrderAccrual,
    Payout,
    PayoutProfile,
)
from shopfloor.commissions.payouts import record_adjustment
from shopfloor.commissions.services import approve_due_earnings
from shopfloor.orders.services import change_order_status
from tests.api.conftest import API, place_order
from tests.api.conftest import snapshot as api_snapshot
from tests.conftest import CAST, PERSONAS, user_for

# Handed on to the commissions API tests, with snapshot below.
__all__ = ["API", "CAST", "PERSONAS", "user_for"]

D = Decimal
COMMISSION_MODELS = (
    CommissionRule, CommissionRule.associates.through, CommissionRule.categories.through,
    CommissionRule.customer_groups.through, CommissionRule.customers.through, CommissionSettings,
    LedgerEntry, OrderAccrual, Payout, PayoutProfile,
)

# Who sees a record of money that belongs to the persona "owner" (STYLE.md 18).
MONEY_MATRIX = {
    "owner": 200, "colleague": 404, "other_store": 404, "manager": 200, "other_manager": 404, "admin": 200,
    "customer": 403, "anonymous": 401,
}


def snapshot() -> dict:
    """Every row of every table an API write could touch, commissions included."""
    return {
        **api_snapshot(),
        **{model.__name__: list(model.objects.order_by("pk").values()) for model in COMMISSION_MODELS},
    }


def owner(world, mode: str):
    return getattr(world, CAST[mode]["owner"])


class Ledger:
    def __init__(self, world):
        self.world = world
        self.rule = CommissionRule.objects.create(name="Ten percent", value=D("10"))
        self.a1 = place_order(world, "A-1", world.anas_customer, total="50.00")
        change_order_status(Actor(world.admin), self.a1, "completed")
        approve_due_earnings(timezone.now() + timedelta(days=15))
        self.a2 = place_order(world, "A-2", world.anas_customer, total="20.00")
        self.b1 = place_order(world, "B-1", world.brunos_customer, total="30.00")
        self.ana_adjustment = record_adjustment(world.admin, world.ana, "10.00", "Opening balance")
        self.tom_adjustment = record_adjustment(world.admin, world.tom, "7.00", "Team bonus")
        self.a1_earning = LedgerEntry.objects.get(order=self.a1)
        self.a2_earning = LedgerEntry.objects.get(order=self.a2)
        self.b1_earning = LedgerEntry.objects.get(order=self.b1)


@pytest.fixture
def ledger(world):
    return Ledger(world)
