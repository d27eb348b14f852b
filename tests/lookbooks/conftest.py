"""Products, looks and lookbooks over the `world` of tests/conftest.py (North: associate mode, South: team)."""

from decimal import Decimal

import pytest

from shopfloor.access import actor_for
from shopfloor.catalog.services import upsert_product
from shopfloor.lookbooks import services


@pytest.fixture
def catalog(db):
    lamp, _ = upsert_product(None, {"sku": "LGT-1", "name": "Alfama table lamp", "price": Decimal("122.50")})
    bowl, _ = upsert_product(None, {"sku": "TAB-1", "name": "Sintra bowl", "price": Decimal("18.00")})
    throw, _ = upsert_product(None, {"sku": "TEX-1", "name": "Minho linen throw", "price": Decimal("89.00")})
    return lamp, bowl, throw


@pytest.fixture
def make_look(catalog):
    def factory(associate, title="Summer table", **fields):
        data = {"title": title, "message": "Hello {{first_name}}, for your terrace.",
                "items": [{"sku": "LGT-1", "note": "Warm light"}, {"sku": "TAB-1", "note": ""}], **fields}
        return services.create_look(actor_for(associate.user), data)

    return factory


@pytest.fixture
def make_lookbook(catalog):
    def factory(associate, customer, publish=True, **fields):
        data = {"title": "For your living room", "message": "A few ideas.",
                "items": [{"sku": "LGT-1", "note": "Goes with your sofa"}, {"sku": "TEX-1", "note": ""}],
                "publish": publish, **fields}
        return services.create_lookbook(actor_for(associate.user), customer, data)

    return factory
