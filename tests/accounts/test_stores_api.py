"""/stores: staff read their store, admins read and write all of them."""

import pytest

from shopfloor.accounts.models import Store
from tests.api.conftest import API, snapshot
from tests.conftest import bearer_client


def store_body(**fields):
    return {
        "code": "east",
        "name": "East Store",
        "selling_mode": "team",
        "currency": "gbp",
        "timezone": "Europe/London",
        "country": "gb",
        "approve_new_customers": True,
        **fields,
    }


def test_an_admin_creates_a_store(world, admin_api):
    response = admin_api.post(f"{API}/stores", store_body(), content_type="application/json")
    assert response.status_code == 201
    body = response.json()
    assert {
        key: body[key]
        for key in (
            "code",
            "name",
            "selling_mode",
            "currency",
            "timezone",
            "country",
            "approve_new_customers",
        )
    } == {
        "code": "east",
        "name": "East Store",
        "selling_mode": "team",
        "currency": "GBP",
        "timezone": "Europe/London",
        "country": "GB",
        "approve_new_customers": True,
    }
    assert body["widget_key"] == Store.objects.get(code="east").widget_key


def test_an_admin_changes_a_stores_selling_mode(world, admin_api):
    response = admin_api.patch(
        f"{API}/stores/{world.north.pk}", {"selling_mode": "team"}, content_type="application/json"
    )
    assert response.json()["selling_mode"] == "team"
    # bruno saw only his own customer; in team mode he sees the whole store.
    assert bearer_client(world.bruno.user).get(f"{API}/customers").json()["count"] == 3


@pytest.mark.parametrize(
    ("fields", "loc"),
    [
        ({"code": "north"}, ["body", "code"]),
        ({"code": "has space"}, ["body", "code"]),
        ({"timezone": "Mars/Olympus"}, ["body", "timezone"]),
        ({"timezone": "America"}, ["body", "timezone"]),
        ({"timezone": "../../etc/passwd"}, ["body", "timezone"]),
        ({"selling_mode": "solo"}, ["body", "selling_mode"]),
        ({"currency": "EURO"}, ["body", "currency"]),
        ({"country": "PRT"}, ["body", "country"]),
        ({"name": ""}, ["body", "name"]),
    ],
)
def test_an_invalid_store_is_refused_naming_the_field(world, admin_api, fields, loc):
    before = snapshot()
    response = admin_api.post(f"{API}/stores", store_body(**fields), content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == loc
    assert snapshot() == before


@pytest.mark.parametrize("who", ["nora", "ana", "shopper"])
def test_only_admins_write_stores(world, api_as, who):
    api = api_as(getattr(world, who).user)
    before = snapshot()
    assert api.post(f"{API}/stores", store_body(), content_type="application/json").status_code == 403
    assert (
        api.patch(
            f"{API}/stores/{world.north.pk}", {"name": "Mine"}, content_type="application/json"
        ).status_code
        == 403
    )
    assert snapshot() == before


def test_anonymous_callers_cannot_write_stores(world, client):
    assert client.post(f"{API}/stores", store_body(), content_type="application/json").status_code == 401
    assert Store.objects.count() == 2


def test_staff_see_only_their_own_store_and_admins_every_store(world, api_as, admin_api):
    tina = api_as(world.tina.user)
    assert [s["code"] for s in tina.get(f"{API}/stores").json()["items"]] == ["south"]
    assert tina.get(f"{API}/stores/{world.south.pk}").status_code == 200
    assert tina.get(f"{API}/stores/{world.north.pk}").status_code == 404
    assert [s["code"] for s in admin_api.get(f"{API}/stores").json()["items"]] == ["north", "south"]
