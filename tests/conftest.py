"""Shared fixtures: two stores (one per selling mode), the people of the authorization matrix, the demo shop's store."""

import itertools
import os
from decimal import Decimal

# Hashing a password per test user would dominate the suite; the browser tests' server
# process inherits the variable, so both sides agree on the hasher.
os.environ.setdefault("SHOPFLOOR_FAST_PASSWORD_HASHING", "true")

import pytest  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import get_hashers  # noqa: E402
from django.test import Client  # noqa: E402

from shopfloor.access import actor_for  # noqa: E402
from shopfloor.accounts.models import AssociateRole, SellingMode  # noqa: E402
from shopfloor.accounts.services import create_api_token  # noqa: E402
from shopfloor.commissions.models import CommissionRule  # noqa: E402
from shopfloor.orders.services import record_order  # noqa: E402
from tests.factories import make_associate, make_customer, make_store, make_user  # noqa: E402

settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
get_hashers.cache_clear()


@pytest.fixture(autouse=True)
def _locmem_email(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def run_tasks(db):
    """run_tasks() → how many ran: what the workers do once the code under test has committed — run the
    tasks it deferred (emails, text messages, live broadcasts), now, in this thread."""
    from shopfloor.jobs import run_queued_tasks

    return run_queued_tasks


@pytest.fixture
def associate_store(db):
    return make_store("north", "North Store", SellingMode.ASSOCIATE)


@pytest.fixture
def team_store(db):
    return make_store("south", "South Store", SellingMode.TEAM)


@pytest.fixture
def admin_user(db):
    return make_user("admin@example.com", is_staff=True, is_superuser=True)


class World:
    """Two stores, their associates and customers: what every visibility test needs.

    North (associate mode): ana and bruno are associates, nora is the manager.
    South (team mode): tom and tina are associates, sam is the manager.
    """

    def __init__(self, north, south, admin):
        self.north, self.south, self.admin = north, south, admin
        self.ana = make_associate(north, "Ana Pop", "ana@example.com")
        self.bruno = make_associate(north, "Bruno Dias", "bruno@example.com")
        self.nora = make_associate(north, "Nora Manager", "nora@example.com", role=AssociateRole.MANAGER)
        self.tom = make_associate(south, "Tom Reis", "tom@example.com")
        self.tina = make_associate(south, "Tina Sousa", "tina@example.com")
        self.sam = make_associate(south, "Sam Manager", "sam@example.com", role=AssociateRole.MANAGER)
        self.anas_customer = make_customer(north, "Alice", "Almeida", primary=self.ana)
        self.brunos_customer = make_customer(north, "Beatriz", "Brito", primary=self.bruno)
        self.toms_customer = make_customer(south, "Carla", "Costa", primary=self.tom)
        self.tinas_customer = make_customer(south, "Daniel", "Duarte", primary=self.tina)
        self.unassigned_south = make_customer(south, "Eva", "Esteves")
        self.shopper = make_customer(
            north, "Filipa", "Faria", primary=self.ana, user=make_user("filipa@example.com")
        )


@pytest.fixture
def world(associate_store, team_store, admin_user):
    return World(associate_store, team_store, admin_user)


def bearer_client(user) -> Client:
    _, token = create_api_token(user)
    return Client(headers={"Authorization": f"Bearer {token}"})


@pytest.fixture
def api_as():
    """api_as(user) → a Django test client that sends that user's bearer token."""
    return bearer_client


@pytest.fixture
def admin_api(admin_user):
    return bearer_client(admin_user)


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


# The demo shop's store and its associate (storefront, coupons and referral journeys).
@pytest.fixture
def shop_store(db, settings):
    store = make_store("chiado", "Chiado", SellingMode.ASSOCIATE, country="PT", currency="EUR")
    settings.SHOPFLOOR = {**settings.SHOPFLOOR, "DEMO_SHOP_STORE": store.code}
    return store


@pytest.fixture
def rep(shop_store):
    return make_associate(shop_store, "Ana Ribeiro", "ana.ribeiro@example.com", phone="+351912480102")


# Tests slow by nature, which the fast lane (`-m "not slow"`) leaves out: browser journeys, the benchmarks'
# smoke runs and the demo's seeding, by where they live; others carry @pytest.mark.slow themselves.
SLOW_PATHS = ("/tests/browser/", "/tests/bench/", "/test_bench.py", "/test_demo")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if any(part in str(item.path).replace(os.sep, "/") for part in SLOW_PATHS):
            item.add_marker(pytest.mark.slow)


def pytest_report_header(config):
    return f"database: {os.environ.get('DATABASE_URL', 'sqlite (default)')}; " \
           f"channel layer: {'redis' if os.environ.get('REDIS_URL') else 'in-memory'}"


_order_numbers = itertools.count(1)


@pytest.fixture
def ten_percent(db):
    return CommissionRule.objects.create(name="Ten percent", kind="percentage", value=Decimal("10"))


@pytest.fixture
def place_order(world):
    """place_order(customer, price, quantity=1, **fields) → an order recorded as the ERP would (attributed, accrued)."""

    def factory(customer, price="100.00", quantity=1, **fields):
        order, created = record_order(actor_for(world.admin), {
            "external_id": fields.pop("external_id", f"O-{next(_order_numbers)}"), "customer_id": customer.pk,
            "lines": [{"sku": "CH-1", "quantity": quantity, "unit_price": Decimal(price)}], **fields,
        })
        assert created
        return order

    return factory
