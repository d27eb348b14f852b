"""The Django admin: every page loads for an admin, the audit log is read-only, actions use services."""

import re
from decimal import Decimal

import pytest
from django.contrib import admin
from django.urls import reverse

from shopfloor.access import actor_for
from shopfloor.accounts.models import ApiToken, AuditEvent, IdempotencyRecord, RepCode, User
from shopfloor.accounts.services import create_api_token
from shopfloor.catalog.models import Category, Product
from shopfloor.customers.admin import with_mapping
from shopfloor.customers.models import (
    Agency,
    AgencyRep,
    Business,
    CustomerGroup,
    CustomerRepCode,
    CustomerStatus,
)
from shopfloor.customers.services import unmapped_rep_codes
from shopfloor.orders.models import OrderStatus
from shopfloor.orders.services import record_order, refund_order
from tests.factories import make_customer


@pytest.fixture
def full_world(world):
    """At least one row of every model, so every change page can be opened."""
    business = Business.objects.create(name="Acme", external_id="B-1")
    agency = Agency.objects.create(business=business, name="Acme agents")
    AgencyRep.objects.create(agency=agency, code="AG-1", associate=world.bruno)
    RepCode.objects.create(code="OWN-1", associate=world.ana)
    alice = world.anas_customer
    alice.business = business
    alice.save()
    CustomerRepCode.objects.create(customer=alice, code="AG-1")
    CustomerRepCode.objects.create(customer=alice, code="OWN-1")
    CustomerRepCode.objects.create(customer=alice, code="NOBODY-1")
    # AG-1 is only mapped for Acme's customers: Beatriz has no business.
    CustomerRepCode.objects.create(customer=world.brunos_customer, code="AG-1")
    group = CustomerGroup.objects.create(name="VIP")
    group.associates.add(world.ana)
    category = Category.objects.create(name="Chairs", slug="chairs")
    Product.objects.create(sku="CH-1", name="Oak chair", price=Decimal("120.00"), category=category)
    order, _ = record_order(actor_for(world.admin), {
        "external_id": "W-100", "customer_id": alice.pk,
        "lines": [{"sku": "CH-1", "quantity": 1, "unit_price": Decimal("120.00")}],
    })
    refund_order(actor_for(world.admin), order, "RF-1", Decimal("20.00"))
    create_api_token(world.ana.user, "script")
    IdempotencyRecord.objects.create(scope="s", key="k", request_hash="h", status_code=201)
    world.order = order
    return world


@pytest.fixture
def admin_client(client, full_world):
    client.force_login(full_world.admin)
    return client


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def registered():
    return sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


@pytest.mark.parametrize("model", [model for model, _ in registered()], ids=lambda model: model._meta.label)
def test_every_admin_page_loads_for_an_admin(admin_client, model):
    model_admin = admin.site._registry[model]
    assert admin_client.get(admin_url(model, "changelist")).status_code == 200
    if model_admin.search_fields:
        assert admin_client.get(admin_url(model, "changelist"), {"q": "a"}).status_code == 200
    add = admin_client.get(admin_url(model, "add"))
    assert add.status_code == (200 if model_admin.has_add_permission(_request_for(admin_client)) else 403)
    obj = model_admin.get_queryset(_request_for(admin_client)).first()
    if obj is not None:
        assert admin_client.get(admin_url(model, "change", obj.pk)).status_code == 200


def _request_for(client):
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = User.objects.get(pk=client.session["_auth_user_id"])
    return request


def test_every_model_of_shopfloor_is_registered():
    from django.apps import apps

    ours = {
        model for model in apps.get_models()
        if model._meta.app_label in {"accounts", "customers", "catalog", "orders"}
    }
    assert ours - set(admin.site._registry) == set()


def test_the_admin_changelist_filters_load(admin_client):
    pages = [
        (CustomerRepCode, {"mapped": "no"}), (CustomerRepCode, {"mapped": "yes"}),
        ("customer", {"status__exact": "pending"}),
        ("order", {"attribution_rule__exact": "primary_associate"}),
    ]
    from shopfloor.customers.models import Customer
    from shopfloor.orders.models import Order

    models = {"customer": Customer, "order": Order}
    for model, params in pages:
        model = models.get(model, model)
        assert admin_client.get(admin_url(model, "changelist"), params).status_code == 200


def test_the_store_list_never_shows_the_widget_secret(admin_client, full_world):
    html = admin_client.get(admin_url(type(full_world.north), "changelist")).content.decode()
    assert full_world.north.widget_secret not in html
    assert "North Store" in html


def test_the_user_admin_creates_an_email_login(admin_client):
    response = admin_client.post(admin_url(User, "add"), {
        "email": "New.Person@Example.com", "name": "New Person", "usable_password": "true",
        "password1": "a-Strong-pass-42", "password2": "a-Strong-pass-42",
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(email="new.person@example.com")
    assert user.check_password("a-Strong-pass-42")
    html = admin_client.get(admin_url(User, "changelist"), {"q": "new.person"}).content.decode()
    assert "new.person@example.com" in html


def test_the_user_admin_refuses_an_email_in_use_in_another_case(admin_client):
    response = admin_client.post(admin_url(User, "add"), {
        "email": "ANA@example.com", "name": "", "usable_password": "true",
        "password1": "a-Strong-pass-42", "password2": "a-Strong-pass-42",
    })
    assert response.status_code == 200
    assert "Another login uses this email." in response.content.decode()
    assert User.objects.filter(email__iexact="ana@example.com").count() == 1


def test_nobody_can_add_change_or_delete_the_audit_log(admin_client, full_world):
    event = AuditEvent.objects.first()
    before = AuditEvent.objects.count()
    assert admin_client.get(admin_url(AuditEvent, "add")).status_code == 403
    assert admin_client.post(admin_url(AuditEvent, "add"), {"verb": "forged"}).status_code == 403
    assert admin_client.get(admin_url(AuditEvent, "delete", event.pk)).status_code == 403
    assert admin_client.post(admin_url(AuditEvent, "delete", event.pk), {"post": "yes"}).status_code == 403
    change = admin_client.post(admin_url(AuditEvent, "change", event.pk), {"verb": "forged"})
    assert change.status_code == 403
    page = admin_client.get(admin_url(AuditEvent, "change", event.pk)).content.decode()
    assert 'name="_save"' not in page
    changelist = admin_client.get(admin_url(AuditEvent, "changelist")).content.decode()
    assert 'name="action"' not in changelist
    bulk = admin_client.post(admin_url(AuditEvent, "changelist"), {
        "action": "delete_selected", "_selected_action": [event.pk], "post": "yes",
    })
    assert bulk.status_code in (200, 302, 403)
    assert AuditEvent.objects.count() == before
    event.refresh_from_db()
    assert event.verb != "forged"


def test_api_tokens_show_their_prefix_never_a_way_to_the_token(admin_client, full_world):
    token = ApiToken.objects.get()
    html = admin_client.get(admin_url(ApiToken, "change", token.pk)).content.decode()
    assert token.token_hash in html  # shown, read-only
    assert 'name="token_hash"' not in html
    assert admin_client.get(admin_url(ApiToken, "add")).status_code == 403


def test_the_revoke_action_revokes_tokens_and_audits_it(admin_client, full_world):
    token = ApiToken.objects.get()
    admin_client.post(
        admin_url(ApiToken, "changelist"), {"action": "revoke_tokens", "_selected_action": [token.pk]}
    )
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEvent.objects.filter(verb="api_token.revoked", target_id=str(token.pk)).count() == 1


def test_the_mapped_filter_agrees_with_the_customers_service(admin_client, full_world):
    not_mapped = with_mapping(CustomerRepCode.objects.all()).filter(is_mapped=False)
    expected = {
        (rep_code.customer_id, code)
        for rep_code in CustomerRepCode.objects.all()
        for code in unmapped_rep_codes(rep_code.customer) if code == rep_code.code
    }
    assert set(not_mapped.values_list("customer_id", "code")) == expected
    assert {code for _, code in expected} == {"NOBODY-1", "AG-1"}
    html = admin_client.get(admin_url(CustomerRepCode, "changelist"), {"mapped": "no"}).content.decode()
    assert "NOBODY-1" in html and "OWN-1" not in html
    assert "Beatriz Brito" in html  # her AG-1 has no agency: she has no business


def test_customers_are_searchable_by_name_email_phone_and_external_id(admin_client, full_world):
    from shopfloor.customers.models import Customer

    make_customer(full_world.north, "Quim", "Queiroz", phone="+351934567890", external_id="ERP-Q")
    for query in ("quim", "queiroz", "quim.queiroz", "934567", "ERP-Q"):
        html = admin_client.get(admin_url(Customer, "changelist"), {"q": query}).content.decode()
        assert "Quim Queiroz" in html, query


def test_editing_a_customer_in_the_admin_keeps_the_console_search_in_step(
    admin_client, full_world, client_as
):
    from shopfloor.customers.models import Customer

    alice = full_world.anas_customer
    response = admin_client.get(admin_url(Customer, "change", alice.pk))
    assert response.status_code == 200
    data = {
        "first_name": "Alicia", "last_name": "Almeida", "status": "active", "store": full_world.north.pk,
        "email": "Alicia@Example.com", "phone": "+351 912 000 111", "birthday": "", "user": "",
        "group": "", "business": "", "external_id": "", "tags": " wedding, vip,vip ", "email_opt_in": "on",
        "assignments-TOTAL_FORMS": "1", "assignments-INITIAL_FORMS": "1", "assignments-MIN_NUM_FORMS": "0",
        "assignments-MAX_NUM_FORMS": "1000",
        "assignments-0-id": alice.assignments.get().pk, "assignments-0-customer": alice.pk,
        "assignments-0-associate": full_world.ana.pk, "assignments-0-is_primary": "on",
        "rep_codes-TOTAL_FORMS": "0", "rep_codes-INITIAL_FORMS": "0", "rep_codes-MIN_NUM_FORMS": "0",
        "rep_codes-MAX_NUM_FORMS": "1000",
    }
    response = admin_client.post(admin_url(Customer, "change", alice.pk), data)
    errors = re.findall(r'class="errorlist[^"]*"[^>]*>(.*?)</ul>', response.content.decode())
    assert response.status_code == 302, errors
    alice.refresh_from_db()
    assert alice.email == "alicia@example.com"
    assert alice.phone == "+351912000111"
    assert alice.search_first_name == "alicia"
    assert alice.email_opt_in_at is not None
    assert alice.tags == ["vip", "wedding"]
    ana = client_as(full_world.ana.user)
    assert "Alicia Almeida" in ana.get("/console/customers/", {"q": "alicia"}).content.decode()
    assert "Alicia Almeida" in ana.get("/console/customers/", {"q": "912 000"}).content.decode()


def test_admin_actions_approve_and_reject_pending_customers_through_the_services(admin_client, full_world):
    from shopfloor.customers.models import Customer

    group = CustomerGroup.objects.get(name="VIP")
    first = make_customer(full_world.north, "Rui", "Ramos", status=CustomerStatus.PENDING, group=group)
    second = make_customer(full_world.north, "Sara", "Silva", status=CustomerStatus.PENDING)
    changelist = admin_url(Customer, "changelist")
    admin_client.post(changelist, {"action": "approve_selected", "_selected_action": [first.pk]})
    admin_client.post(changelist, {"action": "reject_selected", "_selected_action": [second.pk]})
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == CustomerStatus.ACTIVE
    assert list(first.assignments.values_list("associate_id", "is_primary")) == [(full_world.ana.pk, True)]
    assert second.status == CustomerStatus.REJECTED
    assert AuditEvent.objects.filter(verb="customer.approved", target_id=str(first.pk)).count() == 1
    assert AuditEvent.objects.filter(verb="customer.rejected", target_id=str(second.pk)).count() == 1
    # Approving an active customer again is reported, not repeated.
    response = admin_client.post(changelist, {"action": "approve_selected", "_selected_action": [first.pk]},
                                 follow=True)
    assert "already active" in response.content.decode()
    assert AuditEvent.objects.filter(verb="customer.approved", target_id=str(first.pk)).count() == 1


def test_the_order_page_explains_why_the_sale_was_credited(admin_client, full_world):
    from shopfloor.orders.models import Order

    html = admin_client.get(admin_url(Order, "change", full_world.order.pk)).content.decode()
    assert "Why was this sale credited to Ana Pop?" in html
    assert "Customer&#x27;s primary associate" in html
    assert "Ana Pop is Alice Almeida&#x27;s primary associate." in html
    assert "RF-1" in html and "CH-1" in html
    # Attribution is read-only: decided once, when the order arrived.
    assert 'name="attribution_rule"' not in html
    assert 'name="attributed_associate"' not in html
    assert 'name="_save"' not in html
    assert admin_client.get(admin_url(Order, "add")).status_code == 403


def test_order_status_actions_go_through_the_orders_service(admin_client, full_world):
    from shopfloor.orders.models import Order

    order = full_world.order
    changelist = admin_url(Order, "changelist")
    admin_client.post(changelist, {"action": "mark_completed", "_selected_action": [order.pk]})
    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED
    response = admin_client.post(
        changelist, {"action": "mark_cancelled", "_selected_action": [order.pk]}, follow=True
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED
    assert "cannot become cancelled" in response.content.decode()
    assert AuditEvent.objects.filter(verb="order.status_changed").count() == 1


def test_the_admin_is_for_staff_only(client, full_world):
    client.force_login(full_world.ana.user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
