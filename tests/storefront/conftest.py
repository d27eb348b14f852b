"""The demo shop sells for the first store unless DEMO_SHOP_STORE names one; tests name it."""

import pytest

from shopfloor.accounts.models import SellingMode
from tests.factories import make_associate, make_store


@pytest.fixture
def shop_store(db, settings):
    store = make_store("chiado", "Chiado", SellingMode.ASSOCIATE, country="PT", currency="EUR")
    settings.SHOPFLOOR = {**settings.SHOPFLOOR, "DEMO_SHOP_STORE": store.code}
    return store


@pytest.fixture
def rep(shop_store):
    return make_associate(shop_store, "Ana Ribeiro", "ana.ribeiro@example.com", phone="+351912480102")
