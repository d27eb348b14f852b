"""Console tests go through HTTP with Django's test client, signed in as the world's people."""

import itertools
from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest
from django.test import Client

from shopfloor.access import actor_for
from shopfloor.commissions.models import CommissionRule
from shopfloor.orders.services import record_order


@pytest.fixture
def client_as():
    """client_as(user) → a test client with that user's session (CSRF checks on, as in a browser)."""

    def factory(user, enforce_csrf_checks=False):
        client = Client(enforce_csrf_checks=enforce_csrf_checks)
        if user is not None:
            client.force_login(user)
        return client

    return factory


_order_numbers = itertools.count(1)


@pytest.fixture
def ten_percent(db):
    return CommissionRule.objects.create(name="Ten percent", kind="percentage", value=Decimal("10"))


@pytest.fixture
def place_order(world):
    """place_order(customer, price, quantity=1, **fields) → an order recorded as the ERP would (attributed, accrued)."""

    def factory(customer, price="100.00", quantity=1, **fields):
        order, created = record_order(actor_for(world.admin), {
            "external_id": fields.pop("external_id", f"C-{next(_order_numbers)}"), "customer_id": customer.pk,
            "lines": [{"sku": "CH-1", "quantity": quantity, "unit_price": Decimal(price)}], **fields,
        })
        assert created
        return order

    return factory


def noon(day: date) -> datetime:
    return datetime.combine(day, time(12, 0), tzinfo=UTC)
