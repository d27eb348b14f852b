"""Fixtures for selling on a customer's behalf: a catalog, the settings, signed-in clients."""

from decimal import Decimal

import pytest
from django.test import Client

from shopfloor import sms
from shopfloor.catalog.models import Product
from shopfloor.orders.models import OnBehalfPermission, OnBehalfSettings


@pytest.fixture(autouse=True)
def _locmem_sms(settings):
    settings.SMS_URL = "locmem://"
    sms.outbox.clear()
    yield
    sms.outbox.clear()


@pytest.fixture
def shop(world, settings):
    """The demo shop sells for North (Ana's store); two products."""
    settings.SHOPFLOOR = {**settings.SHOPFLOOR, "DEMO_SHOP_STORE": world.north.code}
    lamp = Product.objects.create(sku="LAMP-1", name="Cork lamp", price=Decimal("89.00"))
    bowl = Product.objects.create(sku="BOWL-2", name="Stoneware bowl", price=Decimal("24.50"))
    return {"lamp": lamp, "bowl": bowl}


@pytest.fixture
def allow(db):
    """allow(permission) → the on-behalf settings row with that permission."""

    def factory(permission=OnBehalfPermission.PENDING_PAYMENT_ONLY, **fields):
        row, _ = OnBehalfSettings.objects.update_or_create(
            pk=1, defaults={"associate_permission": permission, **fields}
        )
        return row

    return factory


@pytest.fixture
def signed_in():
    """signed_in(user) → a browser-like test client with that user's session."""

    def factory(user):
        client = Client()
        client.force_login(user)
        return client

    return factory
