"""POST /api/v1/orders/on-behalf: a pending-payment order for a customer, with its payment link."""

import pytest
from django.core import mail

from shopfloor.customers.models import CustomerStatus
from shopfloor.orders import payment_links
from shopfloor.orders.models import OnBehalfPermission, Order, PaymentLink

pytestmark = pytest.mark.django_db

URL = "/api/v1/orders/on-behalf"


def body(customer, **fields):
    return {"customer_id": customer.pk, "lines": [{"sku": "LAMP-1", "quantity": 1}], **fields}


def post(client, data, **headers):
    return client.post(URL, data, content_type="application/json", headers=headers)


def test_an_associate_places_a_pending_payment_order_for_their_customer(world, shop, allow, api_as, run_tasks):
    allow()
    response = post(api_as(world.ana.user), body(world.anas_customer, lines=[
        {"sku": "LAMP-1", "quantity": 2}, {"sku": "BOWL-2", "quantity": 1}]))
    assert response.status_code == 201
    run_tasks()
    data = response.json()
    order = data["order"]
    assert order["status"] == "pending_payment"
    assert order["total"] == "202.50"  # catalog prices: 2 × 89.00 + 24.50
    assert order["placed_by_associate_id"] == world.ana.pk
    assert order["attribution"]["rule"] == "on_behalf"
    assert order["attribution"]["associate_id"] == world.ana.pk
    assert data["payment_url"].startswith("http://testserver/pay/")
    [email] = mail.outbox
    assert data["payment_url"] in email.body
    assert email.to == [world.anas_customer.email]


@pytest.mark.parametrize("who, whom, status", [
    ("ana", "anas_customer", 201),
    ("nora", "brunos_customer", 201),        # a manager: the whole store
    ("tina", "unassigned_south", 201),       # team mode: the whole store
    ("bruno", "anas_customer", 422),         # associate mode: not his, so unknown to him (customer_id)
    ("tom", "anas_customer", 422),           # another store
    ("admin", "anas_customer", 403),         # an admin is no associate: nobody to credit
    ("shopper", "shopper", 403),             # a customer
])
def test_who_may_place_an_order_for_whom(world, shop, allow, api_as, who, whom, status):
    allow()
    user = world.shopper.user if who == "shopper" else world.admin if who == "admin" else getattr(world, who).user
    response = post(api_as(user), body(getattr(world, whom)))
    assert response.status_code == status, response.content
    assert Order.objects.count() == (1 if status == 201 else 0)


def test_anonymous_callers_are_refused(world, shop, allow, client):
    allow()
    assert post(client, body(world.anas_customer)).status_code == 401
    assert not Order.objects.exists()


@pytest.mark.parametrize("status", [CustomerStatus.PENDING, CustomerStatus.REJECTED])
def test_no_order_for_a_customer_who_is_not_active(world, shop, allow, api_as, status):
    allow()
    world.anas_customer.status = status
    world.anas_customer.save()
    response = post(api_as(world.ana.user), body(world.anas_customer))
    assert response.status_code == 403
    assert not Order.objects.exists()


def test_no_order_when_the_admin_turned_it_off(world, shop, allow, api_as):
    allow(OnBehalfPermission.NOTHING)
    response = post(api_as(world.ana.user), body(world.anas_customer))
    assert response.status_code == 403
    assert "turned shopping as a customer off" in response.json()["detail"]


@pytest.mark.parametrize("lines, loc", [
    ([{"sku": "NOPE", "quantity": 1}], ["body", "lines", 0, "sku"]),
    ([{"sku": "LAMP-1", "quantity": 0}], ["body", "lines", 0, "quantity"]),
    ([], ["body", "lines"]),
])
def test_bad_lines_are_refused_naming_the_field_and_nothing_is_written(world, shop, allow, api_as, lines, loc):
    allow()
    response = post(api_as(world.ana.user), body(world.anas_customer, lines=lines))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == loc
    assert not Order.objects.exists()
    assert not PaymentLink.objects.exists()


def test_the_same_external_id_returns_the_first_order_and_link(world, shop, allow, api_as, run_tasks):
    allow()
    client = api_as(world.ana.user)
    first = post(client, body(world.anas_customer, external_id="CRM-77"))
    again = post(client, body(world.anas_customer, external_id="CRM-77"))
    run_tasks()
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["order"] == first.json()["order"]
    # Each answer signs the link afresh (the token holds the time it was signed), so the two
    # URLs differ when the posts straddle a second; both must name the one link.
    first_link, again_link = (payment_links.link_for_token(answer.json()["payment_url"].rstrip("/").rsplit("/", 1)[1])
                              for answer in (first, again))
    assert first_link == again_link == PaymentLink.objects.get()
    assert Order.objects.count() == 1
    assert len(mail.outbox) == 1


def test_the_endpoint_is_in_the_openapi_schema(admin_api):
    schema = admin_api.get("/api/v1/openapi.json").json()
    assert "post" in schema["paths"]["/api/v1/orders/on-behalf"]


def test_a_new_payment_link_replaces_the_old_one_and_is_sent_again(world, shop, allow, api_as, client, run_tasks):
    allow()
    ana = api_as(world.ana.user)
    first = post(ana, body(world.anas_customer)).json()
    response = ana.post(f"/api/v1/orders/{first['order']['id']}/payment-link")
    assert response.status_code == 201
    run_tasks()
    new_url = response.json()["payment_url"]
    assert new_url != first["payment_url"]
    assert len(mail.outbox) == 2 and new_url in mail.outbox[1].body
    old_path = first["payment_url"].removeprefix("http://testserver")
    assert client.get(old_path).status_code == 410
    assert client.get(new_url.removeprefix("http://testserver")).status_code == 200


@pytest.mark.parametrize("who, status", [("bruno", 404), ("tom", 404), ("admin", 403), ("ana", 201)])
def test_who_may_send_a_new_link(world, shop, allow, api_as, who, status):
    allow()
    order = post(api_as(world.ana.user), body(world.anas_customer)).json()["order"]
    user = world.admin if who == "admin" else getattr(world, who).user
    response = api_as(user).post(f"/api/v1/orders/{order['id']}/payment-link")
    assert response.status_code == status
    assert PaymentLink.objects.count() == (2 if status == 201 else 1)


def test_a_paid_order_gets_no_new_link(world, shop, allow, api_as):
    from shopfloor.orders import payment_links

    allow()
    ana = api_as(world.ana.user)
    order = post(ana, body(world.anas_customer)).json()["order"]
    payment_links.pay_link(payment_links.link_token(PaymentLink.objects.get()), "4242424242424242")
    response = ana.post(f"/api/v1/orders/{order['id']}/payment-link")
    assert response.status_code == 409
    assert PaymentLink.objects.count() == 1
