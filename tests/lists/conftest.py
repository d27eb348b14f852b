"""Lists fixtures: a few catalog products and a list Ana made for her customer Alice."""

from decimal import Decimal

import pytest

from shopfloor.access import actor_for
from shopfloor.catalog.models import Category, Product
from shopfloor.lists import services


@pytest.fixture
def products(db):
    lighting = Category.objects.create(name="Lighting", slug="lighting")
    rows = [
        ("LAMP-1", "Cork Table Lamp", "89.00"),
        ("SOFA-2", "Linen Sofa Throw", "59.50"),
        ("BOWL-3", "Stoneware Serving Bowl", "34.00"),
        ("RUG-4", "Wool Runner Rug", "149.00"),
    ]
    return {
        sku: Product.objects.create(sku=sku, name=name, price=Decimal(price), category=lighting)
        for sku, name, price in rows
    }


@pytest.fixture
def anas_list(world, products):
    """Alice's list by Ana: a lamp and a throw in the living room, a bowl in the kitchen."""
    ana = actor_for(world.ana.user)
    customer_list = services.create_list(ana, world.anas_customer, "Living room refresh")
    services.save_product(ana, [customer_list], "LAMP-1", "Living room", 2, "By the reading chair")
    services.save_product(ana, [customer_list], "SOFA-2", "Living room")
    services.save_product(ana, [customer_list], "BOWL-3", "Kitchen", 1)
    customer_list.refresh_from_db()
    return customer_list


@pytest.fixture
def as_actor(world):
    """as_actor(associate_or_user) → the access Actor."""

    def factory(person):
        return actor_for(getattr(person, "user", person))

    return factory
