"""GET /earnings: the ledger entries each person may see, and whose `associate_id` is 404."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shopfloor.commissions.payouts import record_adjustment
from tests.commissions.api.conftest import API, MONEY_MATRIX, PERSONAS, owner


def ids(response):
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def test_an_entry_shows_its_amount_status_rule_and_breakdown(world, ledger, admin_api):
    item = admin_api.get(f"{API}/earnings", {"order_id": ledger.a1.pk}).json()["items"][0]
    assert item == {
        "id": ledger.a1_earning.pk, "associate_id": world.ana.pk, "order_id": ledger.a1.pk, "amount": "5.00",
        "currency": "EUR", "status": "approved", "kind": "earning", "level": 0, "rule_id": ledger.rule.pk,
        "rule_version": 1, "reverses_id": None, "refund_id": None, "payout_id": None, "reason": "",
        "breakdown": item["breakdown"], "created_at": item["created_at"], "approved_at": item["approved_at"],
    }
    assert item["breakdown"]["rule"] == {"id": ledger.rule.pk, "name": "Ten percent", "version": 1,
                                         "kind": "percentage", "value": "10.0000", "priority": 0}
    assert (item["breakdown"]["base"], item["breakdown"]["rate"]) == ("50.00", "10.0000")
    assert item["approved_at"] is not None


@pytest.mark.parametrize("who", ["ana", "bruno", "nora", "tom", "sam", "admin"])
def test_each_person_sees_their_own_entries_a_manager_the_stores_and_an_admin_all(world, ledger, api_as, who):
    user = world.admin if who == "admin" else getattr(world, who).user
    expected = {
        "ana": [ledger.ana_adjustment.pk, ledger.a2_earning.pk, ledger.a1_earning.pk],
        "bruno": [ledger.b1_earning.pk],
        "nora": [ledger.ana_adjustment.pk, ledger.b1_earning.pk, ledger.a2_earning.pk, ledger.a1_earning.pk],
        "tom": [ledger.tom_adjustment.pk],
        "sam": [ledger.tom_adjustment.pk],
        "admin": [ledger.tom_adjustment.pk, ledger.ana_adjustment.pk, ledger.b1_earning.pk,
                  ledger.a2_earning.pk, ledger.a1_earning.pk],
    }[who]
    response = api_as(user).get(f"{API}/earnings")
    assert ids(response) == expected
    assert response.json()["count"] == len(expected)


@pytest.mark.parametrize("mode", ["associate", "team"])
@pytest.mark.parametrize("persona", PERSONAS)
def test_filtering_by_an_associate_follows_the_money_matrix(world, ledger, client_for, mode, persona):
    response = client_for(mode, persona).get(f"{API}/earnings", {"associate_id": owner(world, mode).pk})
    assert response.status_code == MONEY_MATRIX[persona]
    if response.status_code == 200:
        expected = 3 if mode == "associate" else 1
        assert response.json()["count"] == expected
        assert {item["associate_id"] for item in response.json()["items"]} == {owner(world, mode).pk}


def test_an_unknown_associate_is_404_like_a_hidden_one(world, ledger, admin_api, api_as):
    assert admin_api.get(f"{API}/earnings", {"associate_id": 987654}).status_code == 404
    assert api_as(world.ana.user).get(f"{API}/earnings", {"associate_id": world.bruno.pk}).status_code == 404


def test_entries_filter_by_status_and_kind(world, ledger, api_as):
    nora = api_as(world.nora.user)
    assert ids(nora.get(f"{API}/earnings", {"status": "pending"})) == [ledger.b1_earning.pk, ledger.a2_earning.pk]
    assert ids(nora.get(f"{API}/earnings", {"status": "approved", "kind": "earning"})) == [ledger.a1_earning.pk]
    assert ids(nora.get(f"{API}/earnings", {"kind": "adjustment"})) == [ledger.ana_adjustment.pk]
    assert nora.get(f"{API}/earnings", {"status": "paid"}).status_code == 422
    assert nora.get(f"{API}/earnings", {"kind": "bonus"}).status_code == 422


def test_a_reversal_is_its_own_negative_entry_pointing_at_the_earning(world, ledger, admin_api):
    response = admin_api.post(f"{API}/orders/{ledger.a2.pk}/refunds", {"external_id": "RF-1", "amount": "5.00"},
                              content_type="application/json")
    assert response.status_code == 201
    reversal = admin_api.get(f"{API}/earnings", {"kind": "reversal"}).json()["items"][0]
    assert (reversal["amount"], reversal["status"], reversal["reverses_id"], reversal["associate_id"]) == (
        "-0.50", "pending", ledger.a2_earning.pk, world.ana.pk)
    assert reversal["refund_id"] is not None


@pytest.mark.parametrize("params", [{"associate_id": 0}, {"associate_id": "x"}, {"order_id": -1},
                                    {"limit": 0}, {"offset": -1}])
def test_bad_filters_are_422(world, ledger, admin_api, params):
    assert admin_api.get(f"{API}/earnings", params).status_code == 422


def queries(api, params=None):
    api.get(f"{API}/earnings", params)  # the token's first use stamps it; measure the steady state
    with CaptureQueriesContext(connection) as captured:
        response = api.get(f"{API}/earnings", params)
    assert response.status_code == 200
    return len(captured), response.json()["count"]


@pytest.mark.parametrize("who", ["admin", "nora", "ana"])
def test_the_earnings_page_costs_the_same_queries_for_2_or_40_entries(world, ledger, api_as, who):
    user = world.admin if who == "admin" else getattr(world, who).user
    api = api_as(user)
    few, count_before = queries(api, {"associate_id": world.ana.pk})
    for n in range(20):
        record_adjustment(world.admin, world.ana, "1.00", f"Bonus {n}")
        record_adjustment(world.admin, world.bruno, "1.00", f"Bonus {n}")
    many, count_after = queries(api, {"associate_id": world.ana.pk})
    assert count_after == count_before + 20
    assert many == few
    assert queries(api)[0] <= few
