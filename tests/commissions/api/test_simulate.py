"""POST /commissions/simulate: the earnings an order would create, written nowhere.

Ana's parent is Bruno here, so her sales pay him a 5% override (the default level 1).
"""

import pytest

from shopfloor.commissions.models import CommissionRule
from tests.commissions.api.conftest import API, MONEY_MATRIX, PERSONAS, snapshot

LINES = [{"sku": "SKU-1", "quantity": 2, "unit_price": "25.00"}]


@pytest.fixture
def plan(world):
    world.ana.parent = world.bruno
    world.ana.save()
    return CommissionRule.objects.create(name="Ten percent", value="10")


def simulate(api, body):
    return api.post(f"{API}/commissions/simulate", body, content_type="application/json")


def summary(response):
    assert response.status_code == 200, response.content
    body = response.json()
    return [(e["associate_id"], e["kind"], e["level"], e["amount"]) for e in body["earnings"]], body["total"]


def test_an_admin_simulates_an_order_attributed_like_a_real_one_and_nothing_is_written(world, plan, admin_api):
    before = snapshot()
    response = simulate(admin_api, {"customer_id": world.anas_customer.pk, "lines": LINES, "discount": "10"})
    assert summary(response) == ([(world.ana.pk, "earning", 0, "4.00"), (world.bruno.pk, "override", 1, "2.00")],
                                 "6.00")
    earning = response.json()["earnings"][0]
    assert (earning["status"], earning["currency"], earning["rule_id"], earning["rule_version"], earning["sku"],
            earning["line_index"]) == ("pending", "EUR", plan.pk, 1, "SKU-1", 0)
    assert earning["breakdown"]["line"]["eligible_amount"] == "40.00"
    assert snapshot() == before


def test_an_admin_may_credit_anyone(world, plan, admin_api):
    response = simulate(admin_api, {"store_id": world.north.pk, "associate_id": world.nora.pk, "lines": LINES})
    assert summary(response) == ([(world.nora.pk, "earning", 0, "5.00")], "5.00")


def test_an_associate_simulates_their_own_earning_without_their_uplines_override(world, plan, api_as):
    response = simulate(api_as(world.ana.user), {"customer_id": world.anas_customer.pk, "lines": LINES})
    assert summary(response) == ([(world.ana.pk, "earning", 0, "5.00")], "5.00")


def test_an_associate_is_credited_whatever_the_attribution_fields_say(world, plan, api_as):
    body = {"store_id": world.north.pk, "lines": LINES, "placed_by_associate_id": world.bruno.pk}
    assert summary(simulate(api_as(world.ana.user), body)) == ([(world.ana.pk, "earning", 0, "5.00")], "5.00")


def test_a_manager_simulates_for_their_stores_associates_and_sees_the_override(world, plan, api_as):
    response = simulate(api_as(world.nora.user), {"associate_id": world.ana.pk, "store_id": world.north.pk,
                                                  "lines": LINES})
    assert summary(response) == ([(world.ana.pk, "earning", 0, "5.00"), (world.bruno.pk, "override", 1, "2.50")],
                                 "7.50")


def test_a_team_mode_associate_earns_nothing_the_store_is_credited(world, plan, api_as, admin_api):
    body = {"customer_id": world.toms_customer.pk, "lines": LINES}
    assert summary(simulate(api_as(world.tom.user), body)) == ([], "0.00")
    assert summary(simulate(admin_api, body)) == ([], "0.00")


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_simulate_an_order_credited_to_ana(world, plan, client_for, persona):
    api = client_for("associate", persona)
    before = snapshot()
    response = simulate(api, {"associate_id": world.ana.pk, "store_id": world.north.pk, "lines": LINES})
    # An associate named in the body whose money the caller may not see is an unknown id to them (422).
    expected = MONEY_MATRIX[persona]
    assert response.status_code == (422 if expected == 404 else expected)
    if response.status_code == 422:
        assert response.json()["detail"][0]["loc"] == ["body", "associate_id"]
    assert snapshot() == before


@pytest.mark.parametrize(
    ("who", "body", "field"),
    [
        ("ana", {"customer_id": "brunos_customer"}, "customer_id"),
        ("ana", {"customer_external_id": "hidden"}, "customer_external_id"),
        ("ana", {"associate_id": "bruno", "store_id": "north"}, "associate_id"),
        ("ana", {"store_id": "south"}, "store_id"),
        ("nora", {"associate_id": "tom", "store_id": "north"}, "associate_id"),
        ("admin", {"associate_id": 987654, "store_id": "north"}, "associate_id"),
        ("admin", {"customer_id": 987654}, "customer_id"),
    ],
)
def test_a_customer_store_or_associate_you_may_not_see_is_refused_like_an_unknown_one(world, plan, api_as, who,
                                                                                      body, field):
    world.brunos_customer.external_id = "hidden"
    world.brunos_customer.save()
    names = {"brunos_customer": world.brunos_customer.pk, "bruno": world.bruno.pk, "tom": world.tom.pk,
             "north": world.north.pk, "south": world.south.pk}
    body = {key: names.get(value, value) for key, value in body.items()}
    user = world.admin if who == "admin" else getattr(world, who).user
    response = simulate(api_as(user), {**body, "lines": LINES})
    assert response.status_code == 422
    assert [item["loc"] for item in response.json()["detail"]] == [["body", field]]


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"store_id": "north", "lines": []}, ["body", "lines"]),
        ({"store_id": "north", "lines": [{"sku": "A", "quantity": 0, "unit_price": "1"}]},
         ["body", "lines", 0, "quantity"]),
        ({"store_id": "north", "lines": LINES, "discount": "60"}, ["body", "discount"]),
        ({"lines": LINES}, ["body", "store_id"]),
        ({"store_id": "north", "lines": LINES, "associate_id": 0}, ["body", "associate_id"]),
    ],
)
def test_an_invalid_payload_is_422_naming_the_field(world, plan, admin_api, body, loc):
    body = {key: (world.north.pk if value == "north" else value) for key, value in body.items()}
    response = simulate(admin_api, body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == loc
