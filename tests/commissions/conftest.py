"""A small agency for commission tests: Ana sells; Bruno, Carla and Dora are her upline.

    Dora ← Carla ← Bruno ← Ana        (each arrow: "is the parent of")

Orders are built straight with the ORM so every amount in a test is visible in it.
"""

import itertools
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from shopfloor.accounts.models import SellingMode
from shopfloor.catalog.models import Category, Product
from shopfloor.commissions.models import CommissionRule, CommissionSettings
from shopfloor.orders.models import Order, OrderLine, OrderStatus
from tests.factories import make_associate, make_customer, make_store, make_user

_numbers = itertools.count(1)
PLACED_AT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def make_order(associate, lines, discount="0.00", customer=None, status=OrderStatus.PLACED, placed_at=None,
               store=None, currency=None):
    """An order credited to `associate` (None: to nobody); lines are (sku, quantity, unit price)."""
    store = store or (associate.store if associate else customer.store)
    subtotal = sum((Decimal(price) * quantity for _, quantity, price in lines), Decimal("0.00"))
    discount = Decimal(discount)
    order = Order.objects.create(
        external_id=f"order-{next(_numbers)}", customer=customer, store=store,
        currency=currency or store.currency, status=status, subtotal=subtotal, discount=discount,
        total=subtotal - discount, placed_at=placed_at or PLACED_AT,
        attributed_associate=associate, attributed_store=store,
    )
    for sku, quantity, price in lines:
        OrderLine.objects.create(
            order=order, sku=sku, product=Product.objects.filter(sku=sku).first(), quantity=quantity,
            unit_price=Decimal(price), line_total=Decimal(price) * quantity,
        )
    return order


RELATIONS = ("associates", "categories", "customer_groups", "customers")


def make_rule(value, kind="percentage", priority=0, name=None, **conditions):
    """A rule; M2M conditions (associates, categories, customer_groups, customers) take object lists."""
    relations = {key: conditions.pop(key) for key in RELATIONS if key in conditions}
    rule = CommissionRule.objects.create(
        name=name or f"{kind} {value}", kind=kind, value=Decimal(str(value)), priority=priority, **conditions
    )
    for key, objects in relations.items():
        getattr(rule, key).set(objects)
    return rule


def set_levels(*rates, hold_days=14, basis="commissionable_amount", agent_rates=()):
    """Override rates per level, in percent: set_levels("5", "2") → level 1 5%, level 2 2%; `basis`: what
    they are a percentage of; `agent_rates`: (parent agent, their own rate) pairs."""
    CommissionSettings.objects.update_or_create(pk=1, defaults={
        "hold_days": hold_days,
        "override_levels": [{"level": level, "rate": str(rate)} for level, rate in enumerate(rates, start=1)],
        "override_basis": basis,
        "agent_override_rates": [{"associate_id": agent.pk, "rate": str(rate)} for agent, rate in agent_rates],
    })


class Agency:
    def __init__(self):
        self.store = make_store("agency", "Agency Store", SellingMode.ASSOCIATE)
        self.team_store = make_store("team", "Team Store", SellingMode.TEAM)
        self.dora = make_associate(self.store, "Dora Dias", "dora@example.com")
        self.carla = make_associate(self.store, "Carla Costa", "carla@example.com", parent=self.dora)
        self.bruno = make_associate(self.store, "Bruno Brito", "bruno@example.com", parent=self.carla)
        self.ana = make_associate(self.store, "Ana Alves", "ana@example.com", parent=self.bruno)
        self.customer = make_customer(self.store, "Rita", "Rocha", primary=self.ana)
        self.admin = make_user("boss@example.com", is_staff=True, is_superuser=True)
        self.shoes = Category.objects.create(name="Shoes", slug="shoes")
        self.bags = Category.objects.create(name="Bags", slug="bags")
        Product.objects.create(sku="BOOT", name="Boot", price=Decimal("50.00"), category=self.shoes)
        Product.objects.create(sku="SANDAL", name="Sandal", price=Decimal("30.00"), category=self.shoes)
        Product.objects.create(sku="TOTE", name="Tote", price=Decimal("20.00"), category=self.bags)
        Product.objects.create(sku="GIFT", name="Gift card", price=Decimal("25.00"))


@pytest.fixture
def agency(db):
    return Agency()
