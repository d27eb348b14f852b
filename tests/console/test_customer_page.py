"""The console's customer page: contact, consent, tags, associates, reps and orders with their attribution."""

from decimal import Decimal

import pytest
from django.utils import timezone

from shopfloor.access import actor_for
from shopfloor.accounts.models import RepCode
from shopfloor.customers.models import Agency, AgencyRep, Business, CustomerRepCode
from shopfloor.orders.services import record_order
from tests.factories import make_associate


def url(customer) -> str:
    return f"/console/customers/{customer.pk}/"


def order_for(world, customer, external_id, **data):
    order, _ = record_order(actor_for(world.admin), {
        "external_id": external_id, "customer_id": customer.pk,
        "lines": [{"sku": "SKU-1", "quantity": 2, "unit_price": Decimal("60.25")}], **data,
    })
    return order


def test_the_page_shows_contact_consent_tags_and_status(client_as, world):
    alice = world.anas_customer
    alice.phone = "+351912345678"
    alice.email_opt_in = True
    alice.email_opt_in_at = timezone.now()
    alice.tags = ["vip", "wedding"]
    alice.external_id = "ERP-77"
    alice.save()
    html = client_as(world.ana.user).get(url(alice)).content.decode()
    assert "<h1>Alice Almeida" in html
    assert f'href="mailto:{alice.email}"' in html
    assert 'href="tel:+351912345678"' in html
    assert "+351 912 345 678" in html
    assert "ERP-77" in html
    assert '<span class="tag">vip</span>' in html and '<span class="tag">wedding</span>' in html
    assert "Marketing email</dt><dd><span class=\"yes\">Yes</span>" in html
    assert "Marketing SMS</dt><dd><span class=\"no\">No</span>" in html
    assert 'badge--active">Active</span>' in html


def test_the_page_lists_assigned_associates_with_the_primary_one_first(client_as, world):
    alice = world.anas_customer
    alice.assignments.create(associate=world.bruno)
    html = client_as(world.nora.user).get(url(alice)).content.decode()
    assigned = html[html.index('id="assigned-title"'):html.index('id="orders-title"')]
    assert assigned.index("Ana Pop") < assigned.index("Bruno Dias")
    assert assigned.count("Primary") == 1
    assert assigned.index("Primary") < assigned.index("Bruno Dias")


def test_the_page_shows_the_sales_representatives_the_customer_sees(client_as, world):
    business = Business.objects.create(name="Acme")
    alice = world.anas_customer
    alice.business = business
    alice.save()
    rep = make_associate(world.north, "Rita Rep", "rita@example.com", phone="+351911111111")
    agency = Agency.objects.create(business=business, name="Acme agency")
    AgencyRep.objects.create(agency=agency, code="R-100", associate=rep)
    CustomerRepCode.objects.create(customer=alice, code="R-100")
    CustomerRepCode.objects.create(customer=alice, code="R-404")
    html = client_as(world.ana.user).get(url(alice)).content.decode()
    reps = html[html.index('id="reps-title"'):html.index('id="assigned-title"')]
    assert "Your sales representatives" in reps
    assert reps.index("Ana Pop") < reps.index("Rita Rep")
    assert 'href="tel:+351911111111"' in reps
    assert 'href="mailto:rita@example.com"' in reps
    assert f'src="/avatars/{rep.pk}.svg"' in reps
    assert "Not mapped to a rep yet: R-404" in html


def test_each_order_shows_who_was_credited_and_why(client_as, world):
    order_for(world, world.anas_customer, "W-1")
    html = client_as(world.ana.user).get(url(world.anas_customer)).content.decode()
    orders = html[html.index('id="orders-title"'):]
    assert "W-1" in orders
    assert "EUR 120.50" in orders
    assert "<strong>Ana Pop</strong>" in orders
    assert "Customer&#x27;s primary associate" in orders
    assert "Ana Pop is Alice Almeida&#x27;s primary associate." in orders


def test_a_team_mode_order_is_credited_to_the_store_with_the_associate_as_influencer(client_as, world):
    order_for(world, world.toms_customer, "S-1")
    html = client_as(world.tina.user).get(url(world.toms_customer)).content.decode()
    orders = html[html.index('id="orders-title"'):]
    assert "<strong>South Store</strong>" in orders
    assert "helped by Tom Reis" in orders


def test_only_the_orders_the_actor_may_see_are_listed(client_as, world):
    carla = world.toms_customer
    order_for(world, carla, "SOUTH-1")
    # Carla bought once in the North store: Tina sees Carla (team mode) but not North's orders.
    order_for(world, carla, "NORTH-1", store_id=world.north.pk)
    html = client_as(world.tina.user).get(url(carla)).content.decode()
    assert "SOUTH-1" in html
    assert "NORTH-1" not in html
    html = client_as(world.admin).get(url(carla)).content.decode()
    assert "SOUTH-1" in html and "NORTH-1" in html


def test_a_customer_without_orders_says_so(client_as, world):
    html = client_as(world.ana.user).get(url(world.anas_customer)).content.decode()
    assert "No orders yet." in html


@pytest.mark.parametrize(
    ("person", "customer", "status"),
    [
        ("ana", "anas_customer", 200),
        ("ana", "brunos_customer", 404),  # associate mode: not assigned to her
        ("ana", "toms_customer", 404),  # another store
        ("bruno", "anas_customer", 404),
        ("nora", "brunos_customer", 200),
        ("nora", "toms_customer", 404),
        ("tom", "tinas_customer", 200),  # team mode: the whole store
        ("tom", "unassigned_south", 200),
        ("tom", "anas_customer", 404),
        ("sam", "anas_customer", 404),
        ("admin", "toms_customer", 200),
    ],
)
def test_a_customer_the_person_may_not_see_answers_404(client_as, world, person, customer, status):
    user = world.admin if person == "admin" else getattr(world, person).user
    response = client_as(user).get(url(getattr(world, customer)))
    assert response.status_code == status
    if status == 404:
        html = response.content.decode()
        assert "Nothing here" in html
        assert getattr(world, customer).last_name not in html


def test_an_unknown_customer_answers_404_like_a_hidden_one(client_as, world):
    assert client_as(world.admin).get("/console/customers/999999/").status_code == 404


def test_a_global_rep_code_shows_its_associate_as_a_representative(client_as, world):
    RepCode.objects.create(code="G-1", associate=world.bruno)
    CustomerRepCode.objects.create(customer=world.anas_customer, code="G-1")
    html = client_as(world.ana.user).get(url(world.anas_customer)).content.decode()
    reps = html[html.index('id="reps-title"'):html.index('id="assigned-title"')]
    assert "Bruno Dias" in reps
