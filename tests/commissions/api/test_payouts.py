"""/payouts: admins record money paid (never over the balance unless confirmed); staff read their own."""

import pytest

from shopfloor.commissions.models import LedgerEntry, Payout
from shopfloor.commissions.payouts import record_payout
from tests.commissions.api.conftest import API, MONEY_MATRIX, PERSONAS, owner, snapshot, user_for


def pay(api, body, **headers):
    return api.post(f"{API}/payouts", body, content_type="application/json", headers=headers)


def test_an_admin_records_a_payout_and_the_balance_goes_down(world, ledger, admin_api):
    response = pay(admin_api, {"associate_id": world.ana.pk, "amount": "12.5", "method": "paypal",
                               "reference": "PP-77", "note": "March"})
    assert response.status_code == 201
    body = response.json()
    payout = Payout.objects.get()
    assert body == {"id": payout.pk, "associate_id": world.ana.pk, "amount": "12.50", "currency": "EUR",
                    "method": "paypal", "reference": "PP-77", "note": "March", "created_by_id": world.admin.pk,
                    "created_at": body["created_at"]}
    entry = LedgerEntry.objects.get(kind="payout")
    assert (entry.amount, entry.payout_id, entry.status) == (-12.5, payout.pk, "approved")
    assert admin_api.get(f"{API}/associates/{world.ana.pk}/balance").json()["balance"] == "2.50"


def test_a_payout_over_the_balance_is_409_with_a_clear_message_and_writes_nothing(world, ledger, admin_api):
    before = snapshot()
    response = pay(admin_api, {"associate_id": world.ana.pk, "amount": "15.01", "method": "bank"})
    assert response.status_code == 409
    assert response.json()["detail"] == (
        "The payout of 15.01 is more than the balance of 15.00; confirm it to pay anyway. "
        'To record it anyway, send it again with "confirm_over_balance": true.'
    )
    assert snapshot() == before


def test_a_confirmed_payout_over_the_balance_leaves_it_negative(world, ledger, admin_api):
    response = pay(admin_api, {"associate_id": world.ana.pk, "amount": "20.00", "method": "custom",
                               "note": "Advance", "confirm_over_balance": True})
    assert response.status_code == 201
    assert admin_api.get(f"{API}/associates/{world.ana.pk}/balance").json()["balance"] == "-5.00"
    assert LedgerEntry.objects.get(kind="payout").breakdown["over_balance"] is True


def test_the_same_idempotency_key_again_answers_the_first_payout_and_writes_one(world, ledger, admin_api):
    body = {"associate_id": world.ana.pk, "amount": "5.00", "method": "bank", "reference": "T-1"}
    first = pay(admin_api, body, **{"Idempotency-Key": "payout-ana-1"})
    again = pay(admin_api, body, **{"Idempotency-Key": "payout-ana-1"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Payout.objects.count() == 1 and LedgerEntry.objects.filter(kind="payout").count() == 1
    assert admin_api.get(f"{API}/associates/{world.ana.pk}/balance").json()["balance"] == "10.00"
    other = pay(admin_api, {**body, "amount": "6.00"}, **{"Idempotency-Key": "payout-ana-1"})
    assert other.status_code == 422
    assert Payout.objects.count() == 1


def test_a_refused_payout_releases_its_idempotency_key(world, ledger, admin_api):
    body = {"associate_id": world.ana.pk, "amount": "16.00", "method": "bank"}
    assert pay(admin_api, body, **{"Idempotency-Key": "k-1"}).status_code == 409
    confirmed = {**body, "confirm_over_balance": True}
    assert pay(admin_api, confirmed, **{"Idempotency-Key": "k-2"}).status_code == 201
    assert Payout.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"amount": "0", "method": "bank"}, ["body", "amount"]),
        ({"amount": "-1", "method": "bank"}, ["body", "amount"]),
        ({"amount": "1.001", "method": "bank"}, ["body", "amount"]),
        ({"amount": "1.00", "method": "cash"}, ["body", "method"]),
        ({"amount": "1.00"}, ["body", "method"]),
        ({"amount": "1.00", "method": "bank", "reference": "x" * 201}, ["body", "reference"]),
        ({"amount": "1.00", "method": "bank", "associate_id": 987654}, ["body", "associate_id"]),
    ],
)
def test_an_invalid_payout_is_422_naming_the_field_and_writes_nothing(world, ledger, admin_api, body, loc):
    before = snapshot()
    response = pay(admin_api, {"associate_id": world.ana.pk, **body})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == loc
    assert snapshot() == before


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "admin"])
def test_only_admins_record_payouts_and_a_refusal_writes_nothing(world, ledger, client_for, persona):
    api = client_for("associate", persona)
    before = snapshot()
    response = pay(api, {"associate_id": world.ana.pk, "amount": "1.00", "method": "bank"})
    assert response.status_code == (401 if user_for(world, "associate", persona) is None else 403)
    assert snapshot() == before


@pytest.fixture
def payouts(world, ledger):
    return {
        "ana": record_payout(world.admin, world.ana, "3.00", "bank"),
        "bruno": record_payout(world.admin, world.bruno, "1.00", "paypal", confirm_over_balance=True),
        "tom": record_payout(world.admin, world.tom, "2.00", "custom"),
    }


@pytest.mark.parametrize("who", ["ana", "bruno", "nora", "tom", "sam", "admin"])
def test_each_person_lists_the_payouts_whose_money_they_see(world, payouts, api_as, who):
    user = world.admin if who == "admin" else getattr(world, who).user
    expected = {"ana": ["ana"], "bruno": ["bruno"], "nora": ["bruno", "ana"], "tom": ["tom"], "sam": ["tom"],
                "admin": ["tom", "bruno", "ana"]}[who]
    response = api_as(user).get(f"{API}/payouts")
    assert response.status_code == 200
    assert [item["id"] for item in response.json()["items"]] == [payouts[name].pk for name in expected]


@pytest.mark.parametrize("mode", ["associate", "team"])
@pytest.mark.parametrize("persona", PERSONAS)
def test_who_sees_a_payout_and_an_associates_payouts(world, payouts, client_for, mode, persona):
    payout = payouts[{"associate": "ana", "team": "tom"}[mode]]
    api = client_for(mode, persona)
    one = api.get(f"{API}/payouts/{payout.pk}")
    listed = api.get(f"{API}/payouts", {"associate_id": owner(world, mode).pk})
    assert one.status_code == listed.status_code == MONEY_MATRIX[persona]
    if one.status_code == 200:
        assert one.json()["amount"] == ("3.00" if mode == "associate" else "2.00")
        assert [item["id"] for item in listed.json()["items"]] == [payout.pk]
