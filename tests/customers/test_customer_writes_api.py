"""POST and PATCH /customers: contact data normalised, consent timed, ownership kept to managers."""

import pytest

from shopfloor.accounts.models import AuditEvent
from shopfloor.customers.models import Customer, CustomerGroup
from tests.api.conftest import API, snapshot


def create(api, **fields):
    return api.post(f"{API}/customers", fields, content_type="application/json")


def patch(api, customer, **fields):
    return api.patch(f"{API}/customers/{customer.pk}", fields, content_type="application/json")


def test_an_admin_creates_a_customer_with_every_field(world, admin_api):
    group = CustomerGroup.objects.create(name="Wholesale")
    response = create(
        admin_api,
        external_id="ERP-77",
        email="  Gil.Gomes@Example.COM ",
        phone="+44 20 7946 0958",
        first_name="Gil",
        last_name="Gomes",
        birthday="1985-02-03",
        store_id=world.north.pk,
        group_id=group.pk,
        assigned_associate_ids=[world.ana.pk, world.bruno.pk],
        primary_associate_id=world.bruno.pk,
        rep_codes=["R-2", "R-1", "R-2"],
        tags=["vip", " vip ", "b2b"],
        email_opt_in=True,
        sms_opt_in=False,
    )
    assert response.status_code == 201
    body = response.json()
    assert {
        key: body[key]
        for key in (
            "external_id",
            "email",
            "phone",
            "first_name",
            "last_name",
            "birthday",
            "store_id",
            "group_id",
            "business_id",
            "status",
            "rep_codes",
            "assigned_associate_ids",
            "primary_associate_id",
            "email_opt_in",
            "sms_opt_in",
            "sms_opt_in_at",
            "tags",
        )
    } == {
        "external_id": "ERP-77",
        "email": "gil.gomes@example.com",
        "phone": "+442079460958",
        "first_name": "Gil",
        "last_name": "Gomes",
        "birthday": "1985-02-03",
        "store_id": world.north.pk,
        "group_id": group.pk,
        "business_id": None,
        "status": "active",
        "rep_codes": ["R-1", "R-2"],
        "assigned_associate_ids": [world.bruno.pk, world.ana.pk],
        "primary_associate_id": world.bruno.pk,
        "email_opt_in": True,
        "sms_opt_in": False,
        "sms_opt_in_at": None,
        "tags": ["b2b", "vip"],
    }
    assert body["email_opt_in_at"].endswith("Z")
    assert AuditEvent.objects.filter(verb="customer.created", target_id=str(body["id"])).count() == 1


def test_a_national_phone_number_is_read_in_the_stores_country_and_stored_in_e164(world, admin_api):
    admin_api.patch(f"{API}/stores/{world.north.pk}", {"country": "pt"}, content_type="application/json")
    response = create(admin_api, store_id=world.north.pk, first_name="Rui", phone="912 345 678")
    assert response.json()["phone"] == "+351912345678"
    found = admin_api.get(f"{API}/customers", {"q": "912345"}).json()["items"]
    assert [item["first_name"] for item in found] == ["Rui"]


@pytest.mark.parametrize(
    ("fields", "loc"),
    [
        ({"email": "not-an-email"}, ["body", "email"]),
        ({"email": "a@b"}, ["body", "email"]),
        ({"phone": "12345"}, ["body", "phone"]),
        ({"phone": "+351 12"}, ["body", "phone"]),
        ({"phone": "call me"}, ["body", "phone"]),
        ({"store_id": 987654}, ["body", "store_id"]),
        ({"store_id": "north"}, ["body", "store_id"]),
        ({"store_id": None}, ["body", "store_id"]),
        ({"store_id": -1}, ["body", "store_id"]),
        ({"store_id": 2**70}, ["body", "store_id"]),
        ({"group_id": 987654}, ["body", "group_id"]),
        ({"business_id": 987654}, ["body", "business_id"]),
        ({"assigned_associate_ids": [987654]}, ["body", "assigned_associate_ids"]),
        ({"assigned_associate_ids": [2**70]}, ["body", "assigned_associate_ids", 0]),
        ({"status": "vip"}, ["body", "status"]),
        ({"birthday": "1990-02-30"}, ["body", "birthday"]),
        ({"email_opt_in": "sometimes"}, ["body", "email_opt_in"]),
        ({"tags": "vip"}, ["body", "tags"]),
        ({"rep_codes": ["x" * 65]}, ["body", "rep_codes", 0]),
        ({"first_name": "x" * 101}, ["body", "first_name"]),
    ],
)
def test_invalid_customer_input_is_a_422_naming_the_field_and_writes_nothing(world, admin_api, fields, loc):
    before = snapshot()
    response = create(admin_api, **{"store_id": world.north.pk, "first_name": "Rui", **fields})
    assert response.status_code == 422, response.content
    assert loc in [error["loc"] for error in response.json()["detail"]]
    assert snapshot() == before


def test_every_bad_field_is_named_at_once(world, admin_api):
    response = create(admin_api, store_id=world.north.pk, email="nope", phone="1", group_id=987654)
    assert sorted(error["loc"][1] for error in response.json()["detail"]) == ["email", "group_id", "phone"]


def test_consent_is_timed_when_given_and_cleared_when_withdrawn(world, admin_api):
    customer = world.anas_customer
    assert (customer.email_opt_in, customer.email_opt_in_at) == (False, None)
    given = patch(admin_api, customer, email_opt_in=True, sms_opt_in=True).json()
    assert given["email_opt_in"] is given["sms_opt_in"] is True
    assert given["email_opt_in_at"] and given["sms_opt_in_at"]
    again = patch(admin_api, customer, email_opt_in=True).json()
    assert again["email_opt_in_at"] == given["email_opt_in_at"]  # consent keeps its first time
    withdrawn = patch(admin_api, customer, sms_opt_in=False).json()
    assert (withdrawn["sms_opt_in"], withdrawn["sms_opt_in_at"]) == (False, None)
    assert withdrawn["email_opt_in_at"] == given["email_opt_in_at"]


def test_a_patch_changes_only_the_fields_it_names(world, admin_api):
    customer = world.anas_customer
    before = admin_api.get(f"{API}/customers/{customer.pk}").json()
    after = patch(admin_api, customer, last_name="Andrade").json()
    changed = {key for key in before if before[key] != after[key]}
    assert changed == {"last_name", "updated_at"}


def test_a_null_name_is_stored_as_empty_not_refused_by_the_database(world, admin_api):
    response = patch(admin_api, world.anas_customer, first_name=None)
    assert response.status_code == 200
    assert response.json()["first_name"] == ""


def test_an_external_id_taken_by_another_customer_is_a_422(world, admin_api):
    patch(admin_api, world.brunos_customer, external_id="ERP-1")
    before = snapshot()
    response = patch(admin_api, world.anas_customer, external_id="ERP-1")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "external_id"]
    assert snapshot() == before


def test_an_associates_new_customer_is_in_their_store_and_assigned_to_them(world, api_as):
    response = create(api_as(world.ana.user), store_id=world.north.pk, first_name="Nuno")
    assert response.status_code == 201
    assert (response.json()["assigned_associate_ids"], response.json()["primary_associate_id"]) == (
        [world.ana.pk],
        world.ana.pk,
    )


def test_an_associate_in_associate_mode_cannot_create_a_customer_they_would_not_see(world, api_as):
    response = create(
        api_as(world.ana.user),
        store_id=world.north.pk,
        first_name="Nuno",
        assigned_associate_ids=[world.bruno.pk],
    )
    assert response.status_code == 201
    assert response.json()["assigned_associate_ids"] == [world.bruno.pk, world.ana.pk]
    assert response.json()["primary_associate_id"] == world.bruno.pk


def test_an_associate_creates_customers_only_in_their_own_store(world, api_as):
    api = api_as(world.ana.user)
    before = snapshot()
    response = create(api, store_id=world.south.pk, first_name="Nuno")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "store_id"]
    assert snapshot() == before


def test_a_customer_cannot_create_customers(world, api_as):
    api = api_as(world.shopper.user)
    before = snapshot()
    assert create(api, store_id=world.north.pk, first_name="Nuno").status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize(
    "fields",
    [
        {"store_id": "south"},
        {"status": "rejected"},
        {"assigned_associate_ids": "bruno"},
        {"primary_associate_id": "bruno"},
    ],
)
def test_an_associate_may_not_change_a_customers_store_status_or_associates(world, api_as, fields):
    ids = {"south": world.south.pk, "rejected": "rejected", "bruno": world.bruno.pk}
    values = {key: ([ids[v]] if key == "assigned_associate_ids" else ids[v]) for key, v in fields.items()}
    api = api_as(world.ana.user)
    before = snapshot()
    response = patch(api, world.anas_customer, **values)
    assert response.status_code == 403
    assert snapshot() == before


def test_an_associate_may_send_back_the_customer_as_read_without_touching_ownership(world, api_as):
    api = api_as(world.ana.user)
    customer = api.get(f"{API}/customers/{world.anas_customer.pk}").json()
    editable = {
        key: value
        for key, value in customer.items()
        if key not in ("id", "created_at", "updated_at", "email_opt_in_at", "sms_opt_in_at")
    }
    response = patch(api, world.anas_customer, **{**editable, "last_name": "Amaral"})
    assert response.status_code == 200
    assert response.json()["last_name"] == "Amaral"


def test_a_manager_reassigns_a_customer_of_their_store(world, api_as):
    response = patch(api_as(world.nora.user), world.anas_customer, assigned_associate_ids=[world.bruno.pk])
    assert response.status_code == 200
    assert (response.json()["assigned_associate_ids"], response.json()["primary_associate_id"]) == (
        [world.bruno.pk],
        world.bruno.pk,
    )
    assert api_as(world.ana.user).get(f"{API}/customers/{world.anas_customer.pk}").status_code == 404


def test_naming_only_a_primary_associate_keeps_the_other_assignments(world, admin_api):
    patch(admin_api, world.anas_customer, assigned_associate_ids=[world.ana.pk, world.bruno.pk])
    response = patch(admin_api, world.anas_customer, primary_associate_id=world.bruno.pk).json()
    assert (response["assigned_associate_ids"], response["primary_associate_id"]) == (
        [world.bruno.pk, world.ana.pk],
        world.bruno.pk,
    )
    response = patch(admin_api, world.anas_customer, primary_associate_id=world.tom.pk).json()
    assert (sorted(response["assigned_associate_ids"]), response["primary_associate_id"]) == (
        sorted([world.ana.pk, world.bruno.pk, world.tom.pk]),
        world.tom.pk,
    )


def test_listing_assignments_keeps_the_current_primary_when_it_stays(world, admin_api):
    response = patch(
        admin_api, world.anas_customer, assigned_associate_ids=[world.bruno.pk, world.ana.pk]
    ).json()
    assert response["primary_associate_id"] == world.ana.pk
    assert Customer.objects.get(pk=world.anas_customer.pk).assignments.count() == 2


def test_only_admins_move_a_customer_to_another_store(world, api_as, admin_api):
    nora = api_as(world.nora.user)
    before = snapshot()
    assert patch(nora, world.anas_customer, store_id=world.south.pk).status_code == 403
    assert snapshot() == before
    moved = patch(admin_api, world.anas_customer, store_id=world.south.pk)
    assert moved.json()["store_id"] == world.south.pk
    assert nora.get(f"{API}/customers/{world.anas_customer.pk}").status_code == 404
    assert api_as(world.sam.user).get(f"{API}/customers/{world.anas_customer.pk}").status_code == 200
