"""What the attribution tests share: recording an order at a fixed moment, and the evidence behind it."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from shopfloor.access import Actor
from shopfloor.attribution.models import Coupon, CouponKind, ReferralClick
from shopfloor.attribution.services import record_interaction
from shopfloor.catalog.services import upsert_product
from shopfloor.orders.services import record_order
from tests.factories import make_associate, make_customer, make_user

NOW = timezone.now().replace(microsecond=0)


def place(world, external_id, customer=None, store=None, placed_at=NOW, **data):
    order, created = record_order(Actor(world.admin), {
        "external_id": external_id,
        "customer_id": customer.pk if customer else None,
        "store_id": (store or customer.store).pk,
        "lines": [{"sku": "SKU-1", "quantity": 1, "unit_price": Decimal("100.00")}],
        "placed_at": placed_at,
        **data,
    })
    assert created
    return order


def coupon_of(associate, code, **fields):
    return Coupon.objects.create(code=code, associate=associate, kind=CouponKind.PERCENT,
                                 value=Decimal("10.00"), **fields)


def click(associate, days_ago, visitor_id="", customer=None, at=NOW):
    return ReferralClick.objects.create(associate=associate, visitor_id=visitor_id, customer=customer,
                                        clicked_at=at - timedelta(days=days_ago))


def interaction(associate, days_ago, customer=None, visitor_id="", kind="chat", at=NOW):
    return record_interaction(associate, kind, customer=customer, visitor_id=visitor_id,
                              occurred_at=at - timedelta(days=days_ago))


@pytest.fixture
def visitor():
    return "visitor-0123456789abcdef"


# Coupon and referral journeys in the demo shop (shop_store and rep: tests/conftest.py).
@pytest.fixture
def products(shop_store):
    lamp, _ = upsert_product(None, {"sku": "LGT-1", "name": "Alfama table lamp", "price": Decimal("122.50")})
    bowl, _ = upsert_product(None, {"sku": "TAB-1", "name": "Sintra bowl", "price": Decimal("18.00")})
    return lamp, bowl


@pytest.fixture
def shopper(shop_store, rep):
    return make_customer(shop_store, "Carolina", "Mendes", primary=rep, user=make_user("carolina@example.com"))


@pytest.fixture
def agent(shop_store):
    """Another associate of the shop's store, the one the coupon or the referral link belongs to."""
    return make_associate(shop_store, "Rui Agent", "rui.agent@example.com")
