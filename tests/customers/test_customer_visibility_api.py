"""Who sees which customer through the API (DESIGN.md §3), in both selling modes."""

import pytest

from shopfloor.accounts.models import Associate
from tests.api.conftest import API, snapshot
from tests.conftest import PERSONAS

# What each persona gets when opening the record's owner's customer (ana's in North, tom's in South).
OPEN = {
    "associate": {
        "owner": 200,
        "colleague": 404,
        "other_store": 404,
        "manager": 200,
        "other_manager": 404,
        "admin": 200,
        "customer": 403,
        "anonymous": 401,
    },
    "team": {
        "owner": 200,
        "colleague": 200,
        "other_store": 404,
        "manager": 200,
        "other_manager": 404,
        "admin": 200,
        "customer": 403,
        "anonymous": 401,
    },
}

NORTH = ["Alice Almeida", "Filipa Faria"]
LISTS = {
    "ana": ["Alice Almeida", "Filipa Faria"],
    "bruno": ["Beatriz Brito"],
    "nora": ["Alice Almeida", "Beatriz Brito", "Filipa Faria"],
    "tom": ["Carla Costa", "Daniel Duarte", "Eva Esteves"],
    "tina": ["Carla Costa", "Daniel Duarte", "Eva Esteves"],
    "sam": ["Carla Costa", "Daniel Duarte", "Eva Esteves"],
    "admin": [
        "Alice Almeida",
        "Beatriz Brito",
        "Carla Costa",
        "Daniel Duarte",
        "Eva Esteves",
        "Filipa Faria",
    ],
}


def record(world, mode):
    return world.anas_customer if mode == "associate" else world.toms_customer


def names(response):
    return [f"{item['first_name']} {item['last_name']}" for item in response.json()["items"]]


@pytest.mark.parametrize("who", sorted(LISTS))
def test_each_person_lists_exactly_the_customers_their_role_and_selling_mode_allow(world, api_as, who):
    user = world.admin if who == "admin" else getattr(world, who).user
    response = api_as(user).get(f"{API}/customers")
    assert response.status_code == 200
    assert names(response) == LISTS[who]
    assert response.json()["count"] == len(LISTS[who])


@pytest.mark.parametrize("mode", ["associate", "team"])
@pytest.mark.parametrize("persona", PERSONAS)
def test_opening_a_customer_answers_by_persona_and_selling_mode(world, client_for, mode, persona):
    customer = record(world, mode)
    response = client_for(mode, persona).get(f"{API}/customers/{customer.pk}")
    assert response.status_code == OPEN[mode][persona]
    if response.status_code == 200:
        assert response.json()["id"] == customer.pk
        assert response.json()["last_name"] == customer.last_name


@pytest.mark.parametrize("mode", ["associate", "team"])
@pytest.mark.parametrize("persona", PERSONAS)
def test_searching_finds_the_customer_only_for_those_who_may_see_it(world, client_for, mode, persona):
    customer = record(world, mode)
    response = client_for(mode, persona).get(f"{API}/customers", {"q": customer.last_name[:4].lower()})
    expected = OPEN[mode][persona]
    if expected in (401, 403):
        assert response.status_code == expected
        return
    assert response.status_code == 200
    found = [item["id"] for item in response.json()["items"]]
    assert found == ([customer.pk] if expected == 200 else [])
    assert response.json()["count"] == len(found)


@pytest.mark.parametrize("mode", ["associate", "team"])
@pytest.mark.parametrize("persona", PERSONAS)
def test_changing_a_customer_answers_like_opening_it_and_a_refusal_writes_nothing(
    world, client_for, mode, persona
):
    customer = record(world, mode)
    api = client_for(mode, persona)
    before = snapshot()
    response = api.patch(
        f"{API}/customers/{customer.pk}", {"first_name": "Changed"}, content_type="application/json"
    )
    assert response.status_code == OPEN[mode][persona]
    customer.refresh_from_db()
    if response.status_code == 200:
        assert response.json()["first_name"] == customer.first_name == "Changed"
    else:
        assert snapshot() == before


def test_search_matches_name_email_and_phone_within_what_the_associate_sees(world, api_as):
    ana = api_as(world.ana.user)
    world.anas_customer.phone = "+351912345678"
    world.anas_customer.search_phone = "912345678"
    world.anas_customer.save()
    assert names(ana.get(f"{API}/customers", {"q": "alice"})) == ["Alice Almeida"]
    assert names(ana.get(f"{API}/customers", {"q": "Alice Alm"})) == ["Alice Almeida"]
    assert names(ana.get(f"{API}/customers", {"q": world.shopper.email})) == ["Filipa Faria"]
    assert names(ana.get(f"{API}/customers", {"q": "912 345"})) == ["Alice Almeida"]
    # Beatriz is bruno's: ana's search does not find her, even by her exact email.
    assert names(ana.get(f"{API}/customers", {"q": world.brunos_customer.email})) == []
    assert names(ana.get(f"{API}/customers", {"q": "beatriz"})) == []


def test_a_hidden_customer_and_a_missing_one_answer_the_same_404(world, api_as):
    ana = api_as(world.ana.user)
    hidden = ana.get(f"{API}/customers/{world.brunos_customer.pk}")
    missing = ana.get(f"{API}/customers/987654321")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json() == {"detail": "Not found."}


def test_a_customer_sees_their_own_sales_representatives_and_nobody_elses(world, api_as):
    filipa = api_as(world.shopper.user)
    own = filipa.get(f"{API}/customers/{world.shopper.pk}/reps")
    assert own.status_code == 200
    assert [rep["name"] for rep in own.json()] == ["Ana Pop"]
    assert filipa.get(f"{API}/customers/{world.anas_customer.pk}/reps").status_code == 404
    assert filipa.get(f"{API}/customers/{world.toms_customer.pk}/reps").status_code == 404


@pytest.mark.parametrize("mode", ["associate", "team"])
@pytest.mark.parametrize("persona", PERSONAS)
def test_staff_see_a_customers_reps_exactly_when_they_see_the_customer(world, client_for, mode, persona):
    customer = record(world, mode)
    response = client_for(mode, persona).get(f"{API}/customers/{customer.pk}/reps")
    # The reps page is not a staff-only endpoint: a customer asking about someone else gets 404.
    expected = {403: 404}.get(OPEN[mode][persona], OPEN[mode][persona])
    assert response.status_code == expected


@pytest.mark.parametrize(
    "path",
    [
        "/customers",
        "/customers/{own}",
        "/orders",
        "/stores",
        "/associates",
        "/customer-groups",
        "/businesses",
        "/agencies",
        "/products",
    ],
)
def test_a_customer_is_refused_every_staff_endpoint(world, api_as, path):
    response = api_as(world.shopper.user).get(API + path.format(own=world.shopper.pk))
    assert response.status_code == 403


@pytest.mark.parametrize(
    "path",
    [
        "/me",
        "/customers",
        "/customers/1",
        "/customers/1/reps",
        "/orders",
        "/stores",
        "/associates",
        "/products",
    ],
)
def test_anonymous_callers_and_bad_tokens_get_401(world, client, path):
    assert client.get(API + path).status_code == 401
    assert client.get(API + path, headers={"Authorization": "Bearer sf_not-a-token"}).status_code == 401


def test_a_deactivated_associate_sees_no_customer(world, api_as):
    tom = api_as(world.tom.user)
    assert tom.get(f"{API}/customers").json()["count"] == 3
    Associate.objects.filter(pk=world.tom.pk).update(active=False)
    assert tom.get(f"{API}/customers").status_code == 403
    assert tom.get(f"{API}/me").json()["role"] == "none"


def test_an_associate_also_sees_a_customer_of_another_store_assigned_to_them(world, api_as):
    from shopfloor.customers.models import CustomerAssignment

    CustomerAssignment.objects.create(customer=world.unassigned_south, associate=world.bruno)
    response = api_as(world.bruno.user).get(f"{API}/customers")
    assert names(response) == ["Beatriz Brito", "Eva Esteves"]
    assert api_as(world.bruno.user).get(f"{API}/customers/{world.unassigned_south.pk}").status_code == 200
