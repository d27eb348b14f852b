"""Shoppers create an account on the demo shop; stores that approve new customers keep them waiting."""

import pytest

from shopfloor.access import Actor
from shopfloor.accounts.models import AssociateRole, User
from shopfloor.customers.models import Customer, CustomerStatus
from shopfloor.customers.services import approve_customer
from tests.factories import make_associate, make_customer, make_user

FORM = {
    "first_name": "Rita", "last_name": "Neves", "email": "Rita.Neves@Example.com", "phone": "912 345 678",
    "password": "a-long-enough-secret-9", "email_opt_in": "on",
}


def test_registering_in_an_open_store_creates_an_active_customer_and_signs_them_in(client, shop_store):
    response = client.post("/shop/account/register/", FORM)
    assert response.status_code == 302
    assert response["Location"] == "/shop/account/"
    customer = Customer.objects.get()
    assert (customer.email, customer.phone) == ("rita.neves@example.com", "+351912345678")
    assert customer.status == CustomerStatus.ACTIVE
    assert customer.store == shop_store
    assert customer.email_opt_in is True and customer.email_opt_in_at is not None
    assert customer.user.email == "rita.neves@example.com"
    html = client.get("/shop/account/").content.decode()
    assert "Your sales representatives" in html
    assert "awaiting approval" not in html


def test_registering_where_the_store_approves_new_customers_leaves_it_pending(client, shop_store, rep):
    shop_store.approve_new_customers = True
    shop_store.save()
    form_page = client.get("/shop/account/register/").content.decode()
    assert "reviewed by our team" in form_page
    client.post("/shop/account/register/", FORM)
    customer = Customer.objects.get()
    assert customer.status == CustomerStatus.PENDING
    html = client.get("/shop/account/").content.decode()
    assert "Your account is awaiting approval" in html
    # Nothing of the account's content until the retailer approves it.
    assert "Your sales representatives" not in html
    assert "Recent orders" not in html


def test_once_approved_the_shopper_sees_the_rep_the_approval_assigned(client, shop_store, rep, admin_user):
    shop_store.approve_new_customers = True
    shop_store.save()
    client.post("/shop/account/register/", FORM)
    customer = Customer.objects.get()
    approve_customer(Actor(admin_user), customer, associate_id=rep.pk)
    html = client.get("/shop/account/").content.decode()
    assert "Your sales representatives" in html
    assert 'href="tel:+351912480102"' in html
    assert 'href="mailto:ana.ribeiro@example.com"' in html


def test_a_rejected_registration_is_told_so_and_sees_no_reps(client, shop_store, rep):
    user = make_user("rejected@example.com")
    make_customer(shop_store, "Rui", "Recusado", primary=rep, user=user, status=CustomerStatus.REJECTED)
    client.force_login(user)
    html = client.get("/shop/account/").content.decode()
    assert "could not approve" in html
    assert "tel:" not in html


def test_registration_refuses_an_email_that_already_has_a_login_and_writes_nothing(client, shop_store):
    make_user("rita.neves@example.com")
    response = client.post("/shop/account/register/", FORM)
    assert response.status_code == 200
    assert "An account with this email already exists." in response.content.decode()
    assert not Customer.objects.exists()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(("field", "value", "message"), [
    ("password", "short", "This password is too short"),
    ("password", "password123", "This password is too common"),
    ("email", "not-an-email", "Enter a valid email address."),
    ("phone", "12", "Not a valid phone number."),
    ("first_name", "", "This field is required."),
])
def test_registration_shows_what_is_wrong_next_to_the_field_and_writes_nothing(
    client, shop_store, field, value, message
):
    response = client.post("/shop/account/register/", {**FORM, field: value})
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert f'id="id_{field}_error"' in html
    assert 'aria-invalid="true"' in html
    assert not Customer.objects.exists()
    assert not User.objects.exists()


def test_a_signed_in_shopper_is_sent_from_registration_to_their_account(client, shop_store):
    client.force_login(make_user("someone@example.com"))
    response = client.get("/shop/account/register/")
    assert response.status_code == 302 and response["Location"] == "/shop/account/"


def test_registration_returns_an_active_shopper_to_a_same_site_page_only(client, shop_store):
    response = client.post("/shop/account/register/", {**FORM, "next": "/shop/bag/"})
    assert response["Location"] == "/shop/bag/"
    client.logout()
    response = client.post("/shop/account/register/", {
        **FORM, "email": "other@example.com", "next": "https://evil.example.com/"})
    assert response["Location"] == "/shop/account/"


def test_a_manager_is_not_needed_for_a_shopper_to_register(client, shop_store):
    make_associate(shop_store, "Marta Figueiredo", "marta@example.com", role=AssociateRole.MANAGER)
    client.post("/shop/account/register/", FORM)
    assert Customer.objects.get().assignments.count() == 0
