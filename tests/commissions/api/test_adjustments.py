"""POST /adjustments: an admin's correction of a balance, with a required reason."""

import pytest

from shopfloor.commissions.models import LedgerEntry
from tests.commissions.api.conftest import API, CAST, PERSONAS, snapshot, user_for


def adjust(api, body):
    return api.post(f"{API}/adjustments", body, content_type="application/json")


def test_an_admin_adjusts_a_balance_either_way(world, admin_api):
    response = adjust(admin_api, {"associate_id": world.ana.pk, "amount": "-2.5", "reason": "Returned sample"})
    assert response.status_code == 201
    body = response.json()
    assert (body["kind"], body["status"], body["amount"], body["reason"], body["associate_id"]) == (
        "adjustment", "approved", "-2.50", "Returned sample", world.ana.pk)
    assert adjust(admin_api, {"associate_id": world.ana.pk, "amount": "12.00", "reason": "Bonus"}).status_code \
        == 201
    assert admin_api.get(f"{API}/associates/{world.ana.pk}/balance").json()["balance"] == "9.50"


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"amount": "5.00"}, ["body", "reason"]),
        ({"amount": "5.00", "reason": ""}, ["body", "reason"]),
        ({"amount": "5.00", "reason": "   "}, ["body", "reason"]),
        ({"amount": "0", "reason": "Nothing"}, ["body", "amount"]),
        ({"amount": "1.005", "reason": "Fractions"}, ["body", "amount"]),
        ({"amount": "NaN", "reason": "Not a number"}, ["body", "amount"]),
        ({"reason": "No amount"}, ["body", "amount"]),
    ],
)
def test_an_adjustment_without_a_reason_or_a_valid_amount_is_422_and_writes_nothing(world, admin_api, body, loc):
    before = snapshot()
    response = adjust(admin_api, {"associate_id": world.ana.pk, **body})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == loc
    assert snapshot() == before


def test_an_unknown_associate_is_422_naming_the_field(world, admin_api):
    response = adjust(admin_api, {"associate_id": 987654, "amount": "1.00", "reason": "Who?"})
    assert response.status_code == 422
    assert response.json()["detail"][0] == {"loc": ["body", "associate_id"], "msg": "Unknown associate.",
                                            "type": "value_error"}


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "admin"])
def test_only_admins_adjust_and_a_refusal_writes_nothing(world, client_for, persona):
    api = client_for("associate", persona)
    before = snapshot()
    target = getattr(world, CAST["associate"]["owner"])
    response = adjust(api, {"associate_id": target.pk, "amount": "100.00", "reason": "Please"})
    assert response.status_code == (401 if user_for(world, "associate", persona) is None else 403)
    assert snapshot() == before
    assert LedgerEntry.objects.count() == 0
