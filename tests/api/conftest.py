"""What the API tests of every app share: the API's prefix, a "nothing was written" check, an order recorded as
POST /orders records it. The personas of the authorization matrix (PERSONAS, user_for, client_for) are
tests/conftest.py's."""

from decimal import Decimal

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
