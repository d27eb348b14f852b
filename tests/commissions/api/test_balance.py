"""GET /associates/{id}/balance: what an associate is owed, for them, their manager and admins only."""

import pytest

from shopfloor.commissions.payouts import record_payout
from tests.commissions.api.conftest import API, MONEY_MATRIX, PERSONAS, owner


def test_the_balance_adds_approved_earnings_and_adjustments_less_payouts(world, ledger, admin_api):
    record_payout(world.admin, world.ana, "4.00", "bank")
    response = admin_api.get(f"{API}/associates/{world.ana.pk}/balance")
    assert response.status_code == 200
    assert response.json() == {"associate_id": world.ana.pk, "currency": "EUR", "pending": "2.00",
                               "approved": "5.00", "adjustments": "10.00", "paid": "4.00", "balance": "11.00"}


def test_another_currency_has_its_own_balance(world, ledger, admin_api):
    response = admin_api.get(f"{API}/associates/{world.ana.pk}/balance", {"currency": "usd"})
    assert response.json() == {"associate_id": world.ana.pk, "currency": "USD", "pending": "0.00",
                               "approved": "0.00", "adjustments": "0.00", "paid": "0.00", "balance": "0.00"}
    assert admin_api.get(f"{API}/associates/{world.ana.pk}/balance", {"currency": "EURO"}).status_code == 422


@pytest.mark.parametrize("mode", ["associate", "team"])
@pytest.mark.parametrize("persona", PERSONAS)
def test_who_sees_a_balance(world, ledger, client_for, mode, persona):
    response = client_for(mode, persona).get(f"{API}/associates/{owner(world, mode).pk}/balance")
    assert response.status_code == MONEY_MATRIX[persona]
    if response.status_code == 200:
        assert response.json()["balance"] == ("15.00" if mode == "associate" else "7.00")


def test_an_unknown_associate_is_404_and_a_bad_id_422(world, admin_api):
    assert admin_api.get(f"{API}/associates/987654/balance").status_code == 404
    assert admin_api.get(f"{API}/associates/0/balance").status_code == 422
    assert admin_api.get(f"{API}/associates/{2**63}/balance").status_code == 422
