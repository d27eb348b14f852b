"""Shop as customer: who may start it, the banner, checkout as the customer, the audit log, the time limit."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from shopfloor.accounts.models import AuditEvent
from shopfloor.attribution.models import AttributionRule
from shopfloor.customers.models import CustomerStatus
from shopfloor.orders.models import OnBehalfPermission, Order, OrderStatus, ShopAsSession
from shopfloor.storefront.impersonation import SESSION_KEY
from tests.factories import make_customer, make_user

pytestmark = pytest.mark.django_db


def start(client, customer):
    return client.post(f"/console/customers/{customer.pk}/shop-as/")


def shop_as_events(verb=None):
    events = AuditEvent.objects.filter(verb__startswith="shop_as.").order_by("id")
    return list(events.filter(verb=verb) if verb else events)


def test_an_associate_lands_on_the_shop_as_their_customer_with_a_banner_on_every_page(world, shop, allow, signed_in):
    allow()
    client = signed_in(world.ana.user)
    response = start(client, world.anas_customer)
    assert response.status_code == 302
    assert response["Location"] == "/shop/"
    for path in ("/shop/", "/shop/products/", "/shop/products/LAMP-1/", "/shop/bag/"):
        page = client.get(path).content.decode()
        assert "Shopping as <strong>Alice Almeida</strong>" in page, path
        assert 'action="/shop/shop-as/exit/"' in page
    session = ShopAsSession.objects.get()
    assert (session.associate, session.customer, session.ended_at) == (world.ana, world.anas_customer, None)
    assert session.expires_at - session.started_at == timedelta(minutes=30)


def test_the_account_page_shows_the_customers_account_while_shopping_as_them(world, shop, allow, signed_in,
                                                                             place_order):
    place_order(world.anas_customer, external_id="W-ACC-1")
    allow()
    client = signed_in(world.ana.user)
    assert "a staff login with no customer account" in client.get("/shop/account/").content.decode()
    start(client, world.anas_customer)
    page = client.get("/shop/account/").content.decode()
    assert "Hello, Alice" in page
    assert "W-ACC-1" in page
    assert "a staff login with no customer account" not in page


def test_the_shop_shows_no_banner_without_a_session(world, shop, signed_in):
    page = signed_in(world.ana.user).get("/shop/").content.decode()
    assert "Shopping as" not in page


@pytest.mark.parametrize("who, whom", [
    ("ana", "brunos_customer"),     # associate mode: another associate's customer
    ("ana", "toms_customer"),       # another store
    ("tom", "anas_customer"),       # team mode sees its own store only
    ("nora", "toms_customer"),      # a manager, another store
])
def test_a_customer_beyond_the_associates_visibility_is_not_found(world, shop, allow, signed_in, who, whom):
    allow()
    response = start(signed_in(getattr(world, who).user), getattr(world, whom))
    assert response.status_code == 404
    assert not ShopAsSession.objects.exists()
    assert shop_as_events() == []


def test_a_team_mode_associate_may_shop_as_any_customer_of_their_store(world, shop, allow, signed_in):
    allow()
    assert start(signed_in(world.tina.user), world.unassigned_south).status_code == 302


def test_a_staff_account_cannot_be_impersonated(world, shop, allow, signed_in):
    allow()
    staff_customer = make_customer(world.north, "Sara", "Staff", primary=world.ana,
                                   user=make_user("sara@example.com", is_staff=True))
    colleague = make_customer(world.north, "Bruno", "Dias", primary=world.ana, user=world.bruno.user)
    client = signed_in(world.ana.user)
    for customer in (staff_customer, colleague):
        response = start(client, customer)
        assert response.status_code == 403
        assert "staff accounts cannot be impersonated" in response.content.decode()
    assert not ShopAsSession.objects.exists()


@pytest.mark.parametrize("status, says", [
    (CustomerStatus.PENDING, "waiting for approval"),
    (CustomerStatus.REJECTED, "was rejected"),
])
def test_pending_and_rejected_customers_cannot_be_impersonated(world, shop, allow, signed_in, status, says):
    allow()
    world.anas_customer.status = status
    world.anas_customer.save()
    response = start(signed_in(world.ana.user), world.anas_customer)
    assert response.status_code == 403
    assert says in response.content.decode()
    assert not ShopAsSession.objects.exists()
    assert shop_as_events() == []


def test_nobody_shops_as_a_customer_when_the_admin_turned_it_off(world, shop, allow, signed_in):
    allow(OnBehalfPermission.NOTHING)
    response = start(signed_in(world.ana.user), world.anas_customer)
    assert response.status_code == 403
    assert "turned shopping as a customer off" in response.content.decode()


def test_an_admin_without_an_associate_record_cannot_shop_as_a_customer(world, shop, allow, signed_in):
    allow()
    response = start(signed_in(world.admin), world.anas_customer)
    assert response.status_code == 403
    assert not ShopAsSession.objects.exists()


def test_starting_needs_a_post_and_a_login(world, shop, allow, signed_in, client):
    allow()
    assert signed_in(world.ana.user).get(f"/console/customers/{world.anas_customer.pk}/shop-as/").status_code == 405
    response = start(client, world.anas_customer)
    assert response.status_code == 302 and "/console/login/" in response["Location"]
    assert not ShopAsSession.objects.exists()


def fill_bag(client, shop):
    client.post("/shop/bag/add/", {"sku": "LAMP-1", "quantity": "2"})
    client.post("/shop/bag/add/", {"sku": "BOWL-2", "quantity": "1"})


def test_checkout_places_a_pending_payment_order_credited_to_the_associate(world, shop, allow, signed_in,
                                                                           run_tasks):
    allow()
    client = signed_in(world.ana.user)
    start(client, world.anas_customer)
    fill_bag(client, shop)
    bag = client.get("/shop/bag/").content.decode()
    assert "Place order and send payment link" in bag
    assert "take payment now" not in bag  # pending payment only
    response = client.post("/shop/checkout/", {"payment": "link"})
    run_tasks()
    order = Order.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/shop/shop-as/orders/{order.pk}/"
    assert order.status == OrderStatus.PENDING_PAYMENT
    assert order.customer == world.anas_customer
    assert order.total == shop["lamp"].price * 2 + shop["bowl"].price
    assert order.placed_by_associate == world.ana
    assert (order.attribution_rule, order.attributed_associate) == (AttributionRule.ON_BEHALF, world.ana)
    # The customer got the payment link; the associate's bag is empty again.
    [email] = mail.outbox
    assert email.to == [world.anas_customer.email]
    assert "/pay/" in email.body
    assert client.get("/shop/bag/").context["lines"] == []
    page = client.get(response["Location"]).content.decode()
    assert f"Order {order.external_id}</p>" in page and "Waiting for payment</h1>" in page
    assert world.anas_customer.email in page


def test_a_double_clicked_checkout_places_one_order(world, shop, allow, signed_in, run_tasks):
    allow()
    client = signed_in(world.ana.user)
    start(client, world.anas_customer)
    fill_bag(client, shop)
    key = client.session["shop_checkout_key"]
    client.post("/shop/checkout/", {"payment": "link"})
    # The same bag again (a second tab submitted the same checkout key).
    session = client.session
    session["shop_bag"] = {"LAMP-1": 1}
    session["shop_checkout_key"] = key
    session.save()
    client.post("/shop/checkout/", {"payment": "link"})
    run_tasks()
    assert Order.objects.count() == 1
    assert len(mail.outbox) == 1


def test_a_team_mode_order_on_behalf_credits_the_store(world, shop, allow, signed_in, settings):
    allow()
    settings.SHOPFLOOR = {**settings.SHOPFLOOR, "DEMO_SHOP_STORE": world.south.code}
    client = signed_in(world.tom.user)
    start(client, world.unassigned_south)
    fill_bag(client, shop)
    client.post("/shop/checkout/", {"payment": "link"})
    order = Order.objects.get()
    assert order.attribution_rule == AttributionRule.ON_BEHALF
    assert (order.attributed_associate, order.attributed_store, order.influencer) == (None, world.south, world.tom)


def test_place_and_pay_takes_the_associate_to_the_payment_page_and_sends_no_link(world, shop, allow, signed_in,
                                                                                run_tasks):
    allow(OnBehalfPermission.PLACE_AND_PAY)
    client = signed_in(world.ana.user)
    start(client, world.anas_customer)
    fill_bag(client, shop)
    assert "Place order and take payment now" in client.get("/shop/bag/").content.decode()
    response = client.post("/shop/checkout/", {"payment": "now"})
    assert response.status_code == 302 and response["Location"].startswith("/pay/")
    run_tasks()
    assert mail.outbox == []
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Review and pay your order" in page.content.decode()
    # The associate takes the card there and then: the order is paid, and the step is in the audit log.
    paid = client.post(response["Location"], {"card_number": "4242 4242 4242 4242"})
    assert paid.status_code == 302
    order = Order.objects.get()
    assert order.status == OrderStatus.PLACED
    assert AuditEvent.objects.get(verb="order.paid").actor == world.ana.user
    assert [e.data.get("action") for e in shop_as_events("shop_as.action")][-1] == "pay"
    assert "card_number" in shop_as_events("shop_as.action")[-1].data["fields"]
    assert "4242" not in str(shop_as_events("shop_as.action")[-1].data)


def test_pending_payment_only_refuses_to_take_payment_now(world, shop, allow, signed_in):
    allow(OnBehalfPermission.PENDING_PAYMENT_ONLY)
    client = signed_in(world.ana.user)
    start(client, world.anas_customer)
    fill_bag(client, shop)
    response = client.post("/shop/checkout/", {"payment": "now"}, follow=True)
    assert not Order.objects.exists()
    assert "pending payment only" in response.content.decode()


def test_a_timed_out_session_cannot_place_an_order(world, shop, allow, signed_in, run_tasks):
    allow()
    client = signed_in(world.ana.user)
    start(client, world.anas_customer)
    fill_bag(client, shop)
    ShopAsSession.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.post("/shop/checkout/", {"payment": "link"}, follow=True)
    assert not Order.objects.exists()
    run_tasks()
    assert mail.outbox == []
    page = response.content.decode()
    assert "Nothing was placed" in page
    assert "Shopping as <strong>" not in page
    assert SESSION_KEY not in client.session
    session = ShopAsSession.objects.get()
    assert session.end_reason == "timeout" and session.ended_at is not None
    [ended] = shop_as_events("shop_as.ended")
    assert ended.data["reason"] == "timeout"


def test_the_session_minutes_come_from_the_admin_setting(world, shop, allow, signed_in):
    allow(session_minutes=5)
    start(signed_in(world.ana.user), world.anas_customer)
    session = ShopAsSession.objects.get()
    assert session.expires_at - session.started_at == timedelta(minutes=5)


def test_a_session_ends_when_the_customer_is_no_longer_the_associates(world, shop, allow, signed_in):
    allow()
    client = signed_in(world.ana.user)
    start(client, world.anas_customer)
    world.anas_customer.assignments.all().delete()
    page = client.get("/shop/").content.decode()
    assert "Shopping as <strong>" not in page
    assert ShopAsSession.objects.get().end_reason == "revoked"


def test_the_audit_log_records_every_step(world, shop, allow, signed_in):
    allow()
    client = signed_in(world.ana.user)
    start(client, world.anas_customer)
    client.get("/shop/products/")  # reading changes nothing: not recorded
    fill_bag(client, shop)
    client.post("/shop/bag/update/", {"sku": "BOWL-2", "quantity": "0"})
    client.post("/shop/checkout/", {"payment": "link"})
    response = client.post("/shop/shop-as/exit/")
    assert response.status_code == 302
    assert response["Location"] == f"/console/customers/{world.anas_customer.pk}/"
    order = Order.objects.get()
    events = shop_as_events()
    steps = [(e.verb, e.data.get("action")) for e in events]
    assert steps == [
        ("shop_as.started", None),
        ("shop_as.action", "bag_add"),
        ("shop_as.action", "bag_add"),
        ("shop_as.action", "bag_update"),
        ("shop_as.action", "order_placed"),
        ("shop_as.exited", None),
    ]
    session = ShopAsSession.objects.get()
    for event in events:
        # Who (the associate's login), as whom, what, when.
        assert event.actor == world.ana.user
        assert event.data["customer_id"] == world.anas_customer.pk
        assert event.data["associate_id"] == world.ana.pk
        assert (event.target_type, event.target_id) == ("orders.shopassession", str(session.pk))
        assert event.created_at is not None
    assert events[1].data["sku"] == "LAMP-1" and events[1].data["quantity"] == "2"
    assert events[4].data["order_id"] == order.pk
    placed = AuditEvent.objects.get(verb="order.placed_on_behalf")
    assert placed.data["session_id"] == session.pk
    assert SESSION_KEY not in client.session
    assert "Shopping as <strong>" not in client.get("/shop/").content.decode()


def test_exit_without_a_session_goes_back_to_the_console(world, shop, signed_in):
    response = signed_in(world.ana.user).post("/shop/shop-as/exit/")
    assert response.status_code == 302 and response["Location"] == "/console/"
    assert shop_as_events() == []


def test_starting_again_replaces_the_open_session(world, shop, allow, signed_in):
    allow()
    client = signed_in(world.ana.user)
    start(client, world.anas_customer)
    start(client, world.shopper)
    first, second = ShopAsSession.objects.order_by("id")
    assert first.end_reason == "replaced"
    assert second.ended_at is None
    assert "Shopping as <strong>Filipa Faria</strong>" in client.get("/shop/").content.decode()


def test_the_audit_log_is_read_only_in_the_admin(world, shop, allow, signed_in):
    allow()
    start(signed_in(world.ana.user), world.anas_customer)
    admin = signed_in(world.admin)
    event = AuditEvent.objects.get(verb="shop_as.started")
    listing = admin.get("/admin/accounts/auditevent/?verb=shop_as.started")
    assert listing.status_code == 200 and "shop_as.started" in listing.content.decode()
    change = admin.post(f"/admin/accounts/auditevent/{event.pk}/change/", {"verb": "edited"})
    assert change.status_code in (200, 403)
    assert admin.post(f"/admin/accounts/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    event.refresh_from_db()
    assert event.verb == "shop_as.started"
    assert admin.get("/admin/orders/shopassession/").status_code == 200
    detail = admin.get(f"/admin/orders/shopassession/{ShopAsSession.objects.get().pk}/change/")
    assert detail.status_code == 200 and "shop_as.started" in detail.content.decode()
    # Associates have no admin at all.
    assert signed_in(world.ana.user).get("/admin/accounts/auditevent/").status_code == 302


def test_signing_out_of_the_shop_ends_the_session(world, shop, allow, signed_in):
    allow()
    client = signed_in(world.ana.user)
    start(client, world.anas_customer)
    client.post("/shop/account/logout/")
    session = ShopAsSession.objects.get()
    assert session.end_reason == "exit" and session.ended_at is not None
    assert [e.verb for e in shop_as_events()] == ["shop_as.started", "shop_as.action", "shop_as.exited"]
