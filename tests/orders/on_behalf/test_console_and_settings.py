"""The console's "Shop as customer" button, the admin's settings and the payment-link token's integrity."""

import pytest
from django.core import signing
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shopfloor.accounts.models import AuditEvent
from shopfloor.orders import payment_links
from shopfloor.orders.models import OnBehalfPermission, OnBehalfSettings, Order, PaymentLink

pytestmark = pytest.mark.django_db

BUTTON = "Shop as customer</button>"


def test_the_customer_page_offers_shop_as_customer_to_their_associate(world, shop, allow, signed_in):
    allow()
    page = signed_in(world.ana.user).get(f"/console/customers/{world.anas_customer.pk}/").content.decode()
    assert BUTTON in page
    assert f'action="/console/customers/{world.anas_customer.pk}/shop-as/"' in page


def test_the_button_is_hidden_when_the_admin_turned_it_off_or_the_customer_is_pending(world, shop, allow, signed_in):
    client = signed_in(world.ana.user)
    allow(OnBehalfPermission.NOTHING)
    assert BUTTON not in client.get(f"/console/customers/{world.anas_customer.pk}/").content.decode()
    allow()
    world.anas_customer.status = "pending"
    world.anas_customer.save()
    assert BUTTON not in client.get(f"/console/customers/{world.anas_customer.pk}/").content.decode()


def test_an_admin_changes_what_associates_may_do_in_the_admin(world, signed_in):
    admin = signed_in(world.admin)
    assert admin.get("/admin/orders/onbehalfsettings/add/").status_code == 200
    response = admin.post("/admin/orders/onbehalfsettings/add/", {
        "associate_permission": "place_and_pay", "session_minutes": "45", "payment_link_days": "3",
        "reminder_hours": "24",
    })
    assert response.status_code == 302
    row = OnBehalfSettings.objects.get()
    assert (row.associate_permission, row.session_minutes, row.payment_link_days, row.reminder_hours) == (
        "place_and_pay", 45, 3, 24)
    assert AuditEvent.objects.filter(verb="on_behalf_settings.updated", actor=world.admin).count() == 1
    refused = admin.post(f"/admin/orders/onbehalfsettings/{row.pk}/change/", {
        "associate_permission": "nothing", "session_minutes": "0", "payment_link_days": "3", "reminder_hours": "24",
    })
    assert refused.status_code == 200
    row.refresh_from_db()
    assert row.associate_permission == "place_and_pay"


@pytest.fixture
def token(world, shop, allow):
    from shopfloor.access import actor_for
    from shopfloor.orders.on_behalf import services as on_behalf

    allow()
    _, link, _ = on_behalf.place_order(actor_for(world.ana.user), world.anas_customer.pk,
                                       on_behalf.catalog_lines([{"sku": "LAMP-1", "quantity": 1}]))
    return payment_links.link_token(link)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(position=st.integers(min_value=0, max_value=10_000), replacement=st.sampled_from("AaZz09-_:xQ"))
def test_any_change_to_a_token_makes_it_invalid(token, position, replacement):
    index = position % len(token)
    changed = token[:index] + replacement + token[index + 1:]
    if changed == token:
        return
    try:
        payment_links.link_for_token(changed)
    except payment_links.LinkProblem as problem:
        assert problem.kind == "invalid"
    else:  # base64 padding bits: the same bytes decode, so it is the very same link
        assert signing.loads(changed, salt=payment_links.SALT) == signing.loads(token, salt=payment_links.SALT)
    assert Order.objects.count() == 1 and PaymentLink.objects.count() == 1


def test_the_customer_page_lists_orders_waiting_for_payment_and_sends_a_new_link(
        world, shop, allow, signed_in, run_tasks):
    from django.core import mail

    from shopfloor.access import actor_for
    from shopfloor.orders.on_behalf import services as on_behalf

    allow()
    order, link, _ = on_behalf.place_order(actor_for(world.ana.user), world.anas_customer.pk,
                                           on_behalf.catalog_lines([{"sku": "LAMP-1", "quantity": 1}]))
    run_tasks()
    assert len(mail.outbox) == 1  # the first link
    mail.outbox.clear()
    client = signed_in(world.ana.user)
    page = client.get(f"/console/customers/{world.anas_customer.pk}/").content.decode()
    assert "Waiting for payment" in page and order.external_id in page
    response = client.post(f"/console/orders/{order.pk}/payment-link/")
    assert response.status_code == 302
    run_tasks()
    assert response["Location"] == f"/console/customers/{world.anas_customer.pk}/"
    assert PaymentLink.objects.filter(order=order, revoked_at__isnull=True).count() == 1
    assert len(mail.outbox) == 1
    assert signed_in(world.bruno.user).post(f"/console/orders/{order.pk}/payment-link/").status_code == 404
