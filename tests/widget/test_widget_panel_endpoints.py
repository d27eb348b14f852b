"""The associate panel's calls: only an associate's valid widget token; every customer and list through
the access policy (another associate's customer is 404 and nothing is written)."""

import pytest
from django.core import signing

from shopfloor.attribution.services import record_interaction
from shopfloor.lists import services as list_services
from shopfloor.lists.models import CustomerList, ListItem
from shopfloor.widget import services as widget
from shopfloor.widget.services import Identity, Kind, issue_token
from tests.factories import make_customer
from tests.widget.conftest import WidgetClient


@pytest.fixture
def ana(world, widget_as):
    return widget_as(world.north, email="ana@example.com")


def _list(world, associate, customer, name):
    return list_services.create_list(widget.resolve_identity(world.north, email=associate.user.email).actor(),
                                     customer, name)


# Who may call --------------------------------------------------------------------------------------


@pytest.mark.parametrize("token", ["", "garbage", "tampered"])
def test_a_missing_forged_or_tampered_token_is_401(world, ana, token):
    if token == "tampered":
        value, _, mac = ana.token.rpartition(":")
        token = f"{value}:{'A' if mac[0] != 'A' else 'B'}{mac[1:]}"

    response = WidgetClient(token).get("/widget/customers")

    assert response.status_code == 401


def test_a_token_whose_payload_was_edited_is_401(world, ana):
    # Claiming to be another store's associate by re-encoding the payload without the key.
    payload, _, rest = ana.token.partition(":")
    forged = signing.b64_encode(b'{"s":%d,"e":"tom@example.com","c":null,"k":"associate"}' % world.south.pk)

    response = WidgetClient(f"{forged.decode()}:{rest}").get("/widget/customers")

    assert response.status_code == 401


def test_an_expired_token_is_401(world, monkeypatch):
    token = issue_token(world.north, Identity(kind=Kind.ASSOCIATE, email="ana@example.com"))
    real_time = signing.time.time
    monkeypatch.setattr(signing.time, "time", lambda: real_time() + widget.TOKEN_MAX_AGE + 5)

    response = WidgetClient(token).get("/widget/customers")

    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


def test_customers_and_anonymous_visitors_may_not_use_the_panel(world, widget_as):
    customer = widget_as(world.north, customer_id=world.shopper.pk)
    anonymous = widget_as(world.north)

    assert customer.get("/widget/customers").status_code == 403
    assert anonymous.get("/widget/customers").status_code == 403
    assert customer.post("/widget/customers", {"first_name": "Mallory"}).status_code == 403


def test_a_deactivated_associate_loses_the_panel_at_once(world, ana):
    world.ana.active = False
    world.ana.save()

    assert ana.get("/widget/customers").status_code == 403


def test_a_call_from_an_unlisted_origin_is_refused(world, ana):
    response = WidgetClient(ana.token, origin="https://evil.example.net").get("/widget/customers")

    assert response.status_code == 403


# Customers -------------------------------------------------------------------------------------------


def test_recent_customers_come_first(world, ana):
    older = make_customer(world.north, "Olga", "Old", primary=world.ana)
    newer = make_customer(world.north, "Nuno", "New", primary=world.ana)
    record_interaction(world.ana, "chat", customer=older)
    _list(world, world.ana, world.anas_customer, "Kitchen")

    names = [c["name"] for c in ana.get("/widget/customers").json()["items"]]

    assert names[:2] == ["Alice Almeida", "Olga Old"]
    assert set(names) == {"Alice Almeida", "Olga Old", "Nuno New", "Filipa Faria"}
    assert "Beatriz Brito" not in names
    assert newer.pk


def test_search_finds_only_the_customers_the_associate_sees(world, ana):
    make_customer(world.north, "Beatriz", "Bento", primary=world.ana)

    found = ana.get("/widget/customers", q="Beatriz").json()["items"]

    assert [c["name"] for c in found] == ["Beatriz Bento"]


def test_create_new_customer_assigns_them_to_the_associate(world, ana):
    response = ana.post("/widget/customers", {"first_name": "Rui", "last_name": "Rocha", "email": "rui@example.com"})

    assert response.status_code == 201
    customer = world.north.customers.get(pk=response.json()["id"])
    assert (customer.full_name, customer.email) == ("Rui Rocha", "rui@example.com")
    assert list(customer.assignments.values_list("associate_id", "is_primary")) == [(world.ana.pk, True)]


@pytest.mark.parametrize("body, field", [
    ({"first_name": "", "last_name": ""}, "first_name"),
    ({"first_name": "Rui", "email": "not-an-email"}, "email"),
    ({"first_name": ["Rui"]}, "first_name"),
    ({"first_name": "Rui", "phone": "call me"}, "phone"),
])
def test_a_bad_new_customer_is_422_naming_the_field_and_writes_nothing(world, ana, body, field):
    before = world.north.customers.count()

    response = ana.post("/widget/customers", body)

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", field]
    assert world.north.customers.count() == before


# Lists -------------------------------------------------------------------------------------------------


def test_the_customers_lists_come_with_their_rooms_and_page(world, ana, products):
    kitchen = _list(world, world.ana, world.anas_customer, "Kitchen")
    list_services.save_product(widget.resolve_identity(world.north, email="ana@example.com").actor(),
                               [kitchen], "CER-2", "Dining room")

    data = ana.get(f"/widget/customers/{world.anas_customer.pk}/lists").json()

    assert data["customer"]["name"] == "Alice Almeida"
    assert data["items"] == [{"id": kitchen.pk, "name": "Kitchen", "rooms": ["Dining room"], "item_count": 1,
                              "url": f"http://testserver/console/lists/{kitchen.pk}/"}]


def test_an_associate_creates_a_list_for_their_customer(world, ana):
    response = ana.post(f"/widget/customers/{world.anas_customer.pk}/lists", {"name": "  Summer house "})

    assert response.status_code == 201
    created = CustomerList.objects.get(pk=response.json()["id"])
    assert (created.name, created.customer, created.created_by) == ("Summer house", world.anas_customer,
                                                                    world.ana.user)


def test_a_list_without_a_name_is_422(world, ana):
    response = ana.post(f"/widget/customers/{world.anas_customer.pk}/lists", {"name": " "})

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "name"]


def test_another_associates_customer_is_404_for_lists_and_new_lists(world, ana):
    path = f"/widget/customers/{world.brunos_customer.pk}/lists"

    assert ana.get(path).status_code == 404
    assert ana.post(path, {"name": "Sneaky"}).status_code == 404
    assert not CustomerList.objects.filter(customer=world.brunos_customer).exists()


# Saving ----------------------------------------------------------------------------------------------


def test_save_puts_the_product_into_every_selected_list(world, ana, products):
    kitchen = _list(world, world.ana, world.anas_customer, "Kitchen")
    gifts = _list(world, world.ana, world.anas_customer, "Gifts")

    response = ana.post("/widget/save", {"list_ids": [kitchen.pk, gifts.pk], "sku": "LIN-1", "room": "Living room",
                                         "quantity": "2", "note": "The ochre one"})

    assert response.status_code == 201
    items = ListItem.objects.filter(product__sku="LIN-1").order_by("list_id")
    assert [(i.list_id, i.room.name, i.quantity, i.note) for i in items] == [
        (kitchen.pk, "Living room", 2, "The ochre one"), (gifts.pk, "Living room", 2, "The ochre one"),
    ]
    assert {entry["id"]: entry["rooms"] for entry in response.json()["lists"]} == {
        kitchen.pk: ["Living room"], gifts.pk: ["Living room"],
    }


def test_saving_into_another_associates_list_is_404_and_writes_nothing(world, ana, products):
    mine = _list(world, world.ana, world.anas_customer, "Mine")
    brunos = _list(world, world.bruno, world.brunos_customer, "Bruno's")

    response = ana.post("/widget/save", {"list_ids": [mine.pk, brunos.pk], "sku": "LIN-1", "room": "Hall"})

    assert response.status_code == 404
    assert not ListItem.objects.exists()


@pytest.mark.parametrize("change, field", [
    ({"list_ids": []}, "list_ids"),
    ({"list_ids": "1"}, "list_ids"),
    ({"list_ids": ["x"]}, "list_ids"),
    ({"sku": ""}, "sku"),
    ({"sku": "NOPE"}, "sku"),
    ({"room": " "}, "room"),
    ({"quantity": 0}, "quantity"),
    ({"quantity": "lots"}, "quantity"),
    ({"quantity": 10**9}, "quantity"),
    ({"note": {"a": 1}}, "note"),
])
def test_bad_save_input_is_422_naming_the_field(world, ana, products, change, field):
    kitchen = _list(world, world.ana, world.anas_customer, "Kitchen")
    body = {"list_ids": [kitchen.pk], "sku": "LIN-1", "room": "Hall", "quantity": 1, **change}

    response = ana.post("/widget/save", body)

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", field]
    assert not ListItem.objects.exists()


def test_save_answers_only_post(world, ana):
    assert ana.get("/widget/save").status_code == 405


# Personas ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("store_name, email, status", [
    ("north", "bruno@example.com", 200),  # the customer's associate
    ("north", "ana@example.com", 404),  # a colleague, associate mode
    ("north", "nora@example.com", 200),  # the store's manager
    ("south", "tom@example.com", 404),  # another store
    ("south", "sam@example.com", 404),  # another store's manager
])
def test_who_may_open_a_customers_lists_from_the_panel(world, widget_as, store_name, email, status):
    client = widget_as(getattr(world, store_name), email=email)

    assert client.get(f"/widget/customers/{world.brunos_customer.pk}/lists").status_code == status
    created = client.post(f"/widget/customers/{world.brunos_customer.pk}/lists", {"name": "Spring"})
    assert created.status_code == (201 if status == 200 else 404)
    assert CustomerList.objects.filter(customer=world.brunos_customer).count() == (1 if status == 200 else 0)


def test_in_a_team_mode_store_the_panel_finds_and_saves_for_every_customer_of_the_store(world, widget_as, products):
    tom = widget_as(world.south, email="tom@example.com")

    found = [c["name"] for c in tom.get("/widget/customers", q="Eva").json()["items"]]
    created = tom.post(f"/widget/customers/{world.tinas_customer.pk}/lists", {"name": "Tina's customer, by Tom"})
    saved = tom.post("/widget/save", {"list_ids": [created.json()["id"]], "sku": "CER-2", "room": "Kitchen"})

    assert found == ["Eva Esteves"]
    assert created.status_code == 201
    assert saved.status_code == 201
    assert ListItem.objects.get().list.customer == world.tinas_customer
