"""What the API tests share: the personas of the authorization matrix and a "nothing was written" check."""

from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from shopfloor.access import Actor
from shopfloor.accounts.models import Associate, AuditEvent, RepCode, Store, User
from shopfloor.customers.models import (
    Agency,
    AgencyRep,
    Business,
    Customer,
    CustomerAssignment,
    CustomerGroup,
    CustomerRepCode,
)
from shopfloor.orders.models import Order, OrderLine, Refund
from shopfloor.orders.services import record_order
from tests.conftest import bearer_client

# Who asks, relative to the record under test (STYLE.md 18).
PERSONAS = ("owner", "colleague", "other_store", "manager", "other_manager", "admin", "customer", "anonymous")

# The people behind each persona, per selling mode. In associate mode (North) the record belongs
# to ana; in team mode (South) to tom. The customer persona is the shopper Filipa (a North customer).
CAST = {
    "associate": {
        "owner": "ana",
        "colleague": "bruno",
        "other_store": "tom",
        "manager": "nora",
        "other_manager": "sam",
    },
    "team": {
        "owner": "tom",
        "colleague": "tina",
        "other_store": "ana",
        "manager": "sam",
        "other_manager": "nora",
    },
}

# Every table an API write could touch. ApiToken is left out: using a token stamps its last use.
WRITABLE_MODELS = (
    User,
    Store,
    Associate,
    RepCode,
    AuditEvent,
    Customer,
    CustomerAssignment,
    CustomerRepCode,
    CustomerGroup,
    Business,
    Agency,
    AgencyRep,
    Order,
    OrderLine,
    Refund,
)

API = "/api/v1"


def user_for(world, mode: str, persona: str):
    """The user behind a persona, or None for anonymous."""
    if persona == "admin":
        return world.admin
    if persona == "customer":
        return world.shopper.user
    if persona == "anonymous":
        return None
    return getattr(world, CAST[mode][persona]).user


@pytest.fixture
def client_for(world):
    """client_for(mode, persona) → a client with that persona's bearer token (none for anonymous)."""
    clients = {}

    def make(mode: str, persona: str) -> Client:
        user = user_for(world, mode, persona)
        if user is None:
            return Client()
        if user.pk not in clients:
            clients[user.pk] = bearer_client(user)
        return clients[user.pk]

    return make


def snapshot() -> dict:
    """Every row of every writable table, to assert that a refused request wrote nothing."""
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in WRITABLE_MODELS}


def place_order(world, external_id: str, customer=None, store=None, total="20.00", **data) -> Order:
    """An order recorded (and attributed) the way POST /orders records it."""
    payload = {
        "external_id": external_id,
        "customer_id": customer.pk if customer else None,
        "store_id": store.pk if store else None,
        "lines": [{"sku": "SKU-1", "quantity": 1, "unit_price": Decimal(total)}],
        "placed_at": timezone.now(),
        **data,
    }
    order, _ = record_order(Actor(world.admin), payload)
    return order
