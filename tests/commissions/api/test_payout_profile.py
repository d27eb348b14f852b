"""/associates/{id}/payout-profile: where an associate is paid; the associate themself and admins only."""

import pytest

from shopfloor.commissions.models import PayoutProfile
from tests.commissions.api.conftest import API, CAST, PERSONAS, snapshot

# Payout details are more private than earnings: not even the manager.
PROFILE_MATRIX = {
    "owner": 200, "colleague": 404, "other_store": 404, "manager": 404, "other_manager": 404, "admin": 200,
    "customer": 403, "anonymous": 401,
}
IBAN = "PT50 0002 0123 1234 5678 9015 4"


def put(api, associate, body):
    return api.put(f"{API}/associates/{associate.pk}/payout-profile", body, content_type="application/json")


def test_a_profile_nobody_set_is_empty_and_reading_it_writes_nothing(world, api_as):
    api = api_as(world.ana.user)
    before = snapshot()
    response = api.get(f"{API}/associates/{world.ana.pk}/payout-profile")
    assert response.status_code == 200
    assert response.json() == {"associate_id": world.ana.pk, "method": None, "paypal_email": "",
                               "account_holder": "", "iban": "", "bic": "", "instructions": "",
                               "updated_at": None}
    assert snapshot() == before


def test_an_associate_sets_their_bank_details_and_reads_them_back(world, api_as):
    api = api_as(world.ana.user)
    response = put(api, world.ana, {"method": "bank", "account_holder": "Ana Pop", "iban": IBAN,
                                    "bic": "cgdiptpl"})
    assert response.status_code == 200
    body = api.get(f"{API}/associates/{world.ana.pk}/payout-profile").json()
    assert {k: body[k] for k in ("method", "account_holder", "iban", "bic", "paypal_email")} == {
        "method": "bank", "account_holder": "Ana Pop", "iban": "PT50000201231234567890154", "bic": "CGDIPTPL",
        "paypal_email": ""}
    assert PayoutProfile.objects.get().updated_by == world.ana.user


def test_put_replaces_the_whole_profile(world, admin_api):
    put(admin_api, world.ana, {"method": "bank", "account_holder": "Ana Pop", "iban": IBAN})
    response = put(admin_api, world.ana, {"method": "paypal", "paypal_email": "ana@paypal.example"})
    assert response.status_code == 200
    assert (response.json()["iban"], response.json()["paypal_email"]) == ("", "ana@paypal.example")
    assert PayoutProfile.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"method": "paypal"}, ["body", "paypal_email"]),
        ({"method": "paypal", "paypal_email": "not-an-email"}, ["body", "paypal_email"]),
        ({"method": "bank", "account_holder": "Ana"}, ["body", "iban"]),
        ({"method": "bank", "account_holder": "Ana", "iban": "PT50 0002 0123 1234 5678 9015 5"}, ["body", "iban"]),
        ({"method": "bank", "iban": IBAN}, ["body", "account_holder"]),
        ({"method": "bank", "account_holder": "Ana", "iban": IBAN, "bic": "12"}, ["body", "bic"]),
        ({"method": "custom"}, ["body", "instructions"]),
        ({"method": "cash"}, ["body", "method"]),
    ],
)
def test_missing_or_invalid_details_are_422_and_write_nothing(world, api_as, body, loc):
    api = api_as(world.ana.user)
    before = snapshot()
    response = put(api, world.ana, body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == loc
    assert snapshot() == before


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_reads_and_changes_payout_details(world, client_for, persona):
    owner = getattr(world, CAST["associate"]["owner"])
    api = client_for("associate", persona)
    before = snapshot()
    response = put(api, owner, {"method": "custom", "instructions": "Cash at the till"})
    assert response.status_code == PROFILE_MATRIX[persona]
    if response.status_code != 200:
        assert snapshot() == before
    assert api.get(f"{API}/associates/{owner.pk}/payout-profile").status_code == PROFILE_MATRIX[persona]
    assert PayoutProfile.objects.count() == (1 if PROFILE_MATRIX[persona] == 200 else 0)


def test_an_unknown_associate_is_404(world, admin_api):
    assert admin_api.get(f"{API}/associates/987654/payout-profile").status_code == 404
    response = admin_api.put(f"{API}/associates/987654/payout-profile", {"method": None},
                             content_type="application/json")
    assert response.status_code == 404
