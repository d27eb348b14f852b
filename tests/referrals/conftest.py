"""The demo shop's store, products, a shopper and a second associate, for coupon and referral journeys."""

from decimal import Decimal

import pytest

from shopfloor.catalog.services import upsert_product
from tests.factories import make_associate, make_customer, make_user
from tests.storefront.conftest import rep, shop_store  # noqa: F401 (fixtures)


@pytest.fixture
def products(shop_store):  # noqa: F811
    lamp, _ = upsert_product(None, {"sku": "LGT-1", "name": "Alfama table lamp", "price": Decimal("122.50")})
    bowl, _ = upsert_product(None, {"sku": "TAB-1", "name": "Sintra bowl", "price": Decimal("18.00")})
    return lamp, bowl


@pytest.fixture
def shopper(shop_store, rep):  # noqa: F811
    return make_customer(shop_store, "Carolina", "Mendes", primary=rep, user=make_user("carolina@example.com"))


@pytest.fixture
def agent(shop_store):  # noqa: F811
    """Another associate of the shop's store, the one the coupon or the referral link belongs to."""
    return make_associate(shop_store, "Rui Agent", "rui.agent@example.com")
