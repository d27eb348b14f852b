"""The demo data: what it holds, and that seeding it twice changes nothing."""

import io
from datetime import timedelta

import phonenumbers
import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.validators import validate_email
from django.db.models import Count, Min
from django.utils import timezone

from shopfloor.accounts.models import Associate, AssociateRole, AuditEvent, SellingMode, Store, User
from shopfloor.attribution.models import AttributionRule
from shopfloor.catalog.models import Category, Product
from shopfloor.customers.models import (
    Agency,
    Customer,
    CustomerAssignment,
    CustomerGroup,
    CustomerRepCode,
    CustomerStatus,
)
from shopfloor.customers.services import customer_reps, unmapped_rep_codes
from shopfloor.demo.seed import DEMO_LOGINS, seed_demo
from shopfloor.orders.models import Order, OrderLine, OrderStatus

MODELS = [Store, Associate, User, Customer, CustomerAssignment, CustomerRepCode, CustomerGroup, Agency,
          Category, Product, Order, OrderLine, AuditEvent]


EXPECTED_CUSTOMER_50 = ("Tiago Pereira", "tiago.pereira@example.org", "+351910991784")
EXPECTED_ORDER_100 = ("DEMO-C-0155", "183.00")


def snapshot():
    return {model.__name__: model.objects.count() for model in MODELS} | {
        "latest_change": max(Customer.objects.latest("updated_at").updated_at,
                             Product.objects.latest("updated_at").updated_at,
                             Order.objects.latest("updated_at").updated_at),
    }


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Seed once for the module (committed), so each test reads it inside its own rolled-back transaction."""
    out = io.StringIO()
    with django_db_blocker.unblock():
        call_command("demo", stdout=out)
    yield out.getvalue()
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def demo(seeded, db):
    return seeded


def test_the_demo_command_seeds_once_and_a_second_run_changes_nothing(demo):
    assert "Seeded the demo data" in demo
    assert "2 stores, 9 associates, 100 products, 200 customers, 500 orders" in demo
    first = snapshot()
    out = io.StringIO()
    call_command("demo", stdout=out)
    assert "already there; nothing changed" in out.getvalue()
    assert snapshot() == first
    assert seed_demo().created is False


def test_the_demo_has_two_stores_one_per_selling_mode(demo):
    stores = {store.name: store for store in Store.objects.all()}
    assert set(stores) == {"Lisbon Chiado", "Porto Baixa"}
    assert stores["Lisbon Chiado"].selling_mode == SellingMode.ASSOCIATE
    assert stores["Porto Baixa"].selling_mode == SellingMode.TEAM
    assert {(s.currency, s.country) for s in stores.values()} == {("EUR", "PT")}
    assert stores["Lisbon Chiado"].approve_new_customers is True


def test_the_demo_associates_have_logins_phones_rep_codes_managers_and_a_subagent(demo):
    associates = list(Associate.objects.select_related("user", "store"))
    assert len(associates) >= 6
    for associate in associates:
        assert associate.can_login, associate
        assert phonenumbers.is_valid_number(phonenumbers.parse(associate.phone)), associate.phone
        assert associate.rep_code_set.exists(), associate
    for store in Store.objects.all():
        assert store.associates.filter(role=AssociateRole.MANAGER).exists(), store
    assert Associate.objects.filter(parent__isnull=False).exists()
    # A two-level upline: Rui → Inês → Ana.
    rui = Associate.objects.get(name="Rui Teixeira")
    assert [rui.parent.name, rui.parent.parent.name] == ["Inês Carvalho", "Ana Ribeiro"]


def test_every_demo_login_signs_in_with_the_demo_password(demo):
    for _, email in DEMO_LOGINS["accounts"]:
        assert authenticate(username=email, password=DEMO_LOGINS["password"]) is not None, email
    assert User.objects.get(email="admin@shopfloor.demo").is_staff


def test_the_demo_has_200_customers_with_valid_contact_data_and_one_primary_each_at_most(demo):
    customers = list(Customer.objects.all())
    assert len(customers) == 200
    assert len({c.email for c in customers}) == 200
    for customer in customers:
        validate_email(customer.email)
        number = phonenumbers.parse(customer.phone)
        assert phonenumbers.is_valid_number(number) and customer.phone.startswith("+"), customer.phone
        assert customer.birthday is not None
        assert customer.search_last_name == customer.last_name.lower()
        assert (customer.email_opt_in_at is not None) == customer.email_opt_in
    # Customers joined before their first order; the waiting registrations are recent.
    first_orders = Order.objects.values("customer").annotate(first=Min("placed_at"))
    joined = dict(Customer.objects.values_list("pk", "created_at"))
    assert all(joined[row["customer"]] < row["first"] for row in first_orders)
    assert not Customer.objects.filter(status=CustomerStatus.PENDING,
                                       created_at__lt=timezone.now() - timedelta(days=7)).exists()
    assert Customer.objects.filter(status=CustomerStatus.PENDING).count() == 6
    assert Customer.objects.filter(status=CustomerStatus.PENDING, user__isnull=False).count() == 6
    primaries = CustomerAssignment.objects.filter(is_primary=True).values("customer").annotate(n=Count("id"))
    assert {row["n"] for row in primaries} == {1}
    assert len(primaries) > 150
    assert Customer.objects.exclude(tags=[]).count() > 100
    assert Customer.objects.filter(email_opt_in=True).count() > 50
    # Mostly Portuguese numbers, a few from elsewhere in Europe.
    assert Customer.objects.filter(phone__startswith="+351").count() > 150
    assert Customer.objects.exclude(phone__startswith="+351").count() > 5


def test_the_demo_has_groups_with_associates_and_an_agency_that_leaves_one_code_unmapped(demo):
    assert CustomerGroup.objects.count() >= 3
    assert all(group.associates.exists() for group in CustomerGroup.objects.all())
    assert Customer.objects.filter(group__isnull=False).count() > 20
    agency = Agency.objects.get()
    assert agency.reps.count() == 3
    carrying = Customer.objects.filter(rep_codes__isnull=False).distinct()
    assert carrying.count() >= 10
    unmapped = [c for c in carrying if unmapped_rep_codes(c)]
    assert {code for c in unmapped for code in unmapped_rep_codes(c)} == {"HLG-MAD"}


def test_the_demo_shopper_has_reps_from_assignment_and_from_the_agency(demo):
    shopper = Customer.objects.get(email="carolina.mendes@example.com")
    assert shopper.status == CustomerStatus.ACTIVE and shopper.user is not None
    assert [rep.name for rep in customer_reps(shopper)] == ["Tiago Moreira", "Ana Ribeiro", "Sofia Lopes"]
    assert shopper.orders.count() >= 3


def test_the_demo_catalog_has_100_products_in_8_collections_with_local_pictures(demo):
    assert Product.objects.count() == 100
    assert Category.objects.count() == 8
    assert all(category.products.count() >= 10 for category in Category.objects.all())
    for product in Product.objects.all():
        assert product.image_url == f"/shop/images/{product.sku}.svg"
        assert product.url == f"/shop/products/{product.sku}/"
        assert product.price > 0
    assert Product.objects.filter(in_stock=False).exists()


def test_the_demo_has_500_orders_over_the_last_year_each_attributed_by_the_service(demo):
    # Besides them, one order placed on a customer's behalf waits for payment (test_demo_on_behalf.py).
    orders = Order.objects.exclude(status=OrderStatus.PENDING_PAYMENT)
    assert orders.count() == 500
    now = timezone.now()
    assert not orders.filter(placed_at__lt=now - timedelta(days=366)).exists()
    assert orders.filter(placed_at__lt=now - timedelta(days=300)).exists()
    assert not orders.filter(attribution_rule=AttributionRule.NONE).exists()
    assert not orders.filter(customer__status=CustomerStatus.PENDING).exists()
    # Team mode credits the store and keeps the associate as influencer.
    by_primary = orders.filter(attribution_rule=AttributionRule.PRIMARY_ASSOCIATE)
    team = by_primary.filter(store__selling_mode=SellingMode.TEAM)
    assert team.exists()
    assert not team.filter(attributed_associate__isnull=False).exists()
    assert not team.filter(influencer__isnull=True).exists()
    associate_mode = by_primary.filter(store__selling_mode=SellingMode.ASSOCIATE)
    assert not associate_mode.filter(attributed_associate__isnull=True).exists()
    assert orders.filter(attribution_rule=AttributionRule.HOME_STORE).exists()
    for order in orders.prefetch_related("lines")[:50]:
        assert order.total == sum(line.line_total for line in order.lines.all()) - order.discount
    assert AuditEvent.objects.filter(verb="order.recorded").count() == 500 + 1


def test_the_demo_is_drawn_from_a_seeded_generator(demo):
    # The same names, numbers and baskets on every machine and every run. If the demo content is
    # changed on purpose, update these values.
    customer = Customer.objects.get(external_id="DEMO-C-0050")
    assert (customer.full_name, customer.email, customer.phone) == EXPECTED_CUSTOMER_50
    order = Order.objects.get(external_id="DEMO-O-00100")
    assert (order.customer.external_id, str(order.total)) == EXPECTED_ORDER_100
