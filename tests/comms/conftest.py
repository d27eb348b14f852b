"""Orders recorded the way the product records them (orders.services.record_order)."""

import itertools
from decimal import Decimal

import pytest

from shopfloor.access import actor_for
from shopfloor.commissions.models import CommissionRule
from shopfloor.orders.services import record_order

_numbers = itertools.count(1)


@pytest.fixture
def ten_percent(db):
    return CommissionRule.objects.create(name="Ten percent", kind="percentage", value=Decimal("10"))


@pytest.fixture
def place_order(world):
    """place_order(customer, price="100.00", **fields) → the recorded order (admin records it, like the ERP)."""

    def factory(customer, price="100.00", quantity=1, **fields):
        order, created = record_order(actor_for(world.admin), {
            "external_id": fields.pop("external_id", f"S-{next(_numbers)}"), "customer_id": customer.pk,
            "lines": [{"sku": "CH-1", "quantity": quantity, "unit_price": Decimal(price)}], **fields,
        })
        assert created
        return order

    return factory
