"""Admins record payouts in the console (commissions.payouts.record_payout): the balance drops at once,
over-balance needs the explicit confirmation, and nobody else may pay anybody."""

import itertools
import re
from decimal import Decimal

import pytest

from shopfloor.commissions.models import LedgerEntry, Payout
from shopfloor.commissions.payouts import record_adjustment
from shopfloor.commissions.selectors import balance


@pytest.fixture
def owed(world):
    """Ana is owed 100.00 (an approved adjustment, so the balance is payable now)."""
    record_adjustment(world.admin, world.ana, "100.00", "Commission from the old system")
    return world


def shown_balance(html: str, associate) -> str:
    return re.search(rf'data-balance-of="{associate.pk}">([^<]+)<', html).group(1)


_keys = itertools.count(1)


def payout(associate, amount, **fields):
    """A submitted payout form; each call is a freshly rendered form with its own request key."""
    return {"associate": associate.pk, "amount": amount, "method": "bank", "reference": "TR-1",
            "request_key": f"form-{next(_keys)}", **fields}


def test_an_admin_records_a_payout_and_the_balance_drops(client_as, owed):
    client = client_as(owed.admin)
    page = client.get("/console/payouts/")
    assert page.status_code == 200
    assert shown_balance(page.content.decode(), owed.ana) == "100.00 EUR"
    response = client.post("/console/payouts/", payout(owed.ana, "40.00", note="March"), follow=True)
    assert response.redirect_chain == [(f"/console/payouts/?associate={owed.ana.pk}", 302)]
    html = response.content.decode()
    assert "Payout of 40.00 EUR to Ana Pop recorded. Their balance is now 60.00 EUR." in html
    assert shown_balance(html, owed.ana) == "60.00 EUR"
    stored = Payout.objects.get()
    assert (stored.associate, stored.amount, stored.method, stored.reference, stored.note, stored.created_by) == (
        owed.ana, Decimal("40.00"), "bank", "TR-1", "March", owed.admin)
    assert balance(owed.ana)["balance"] == Decimal("60.00")
    # The history lists it.
    assert "TR-1" in html and "Bank transfer" in html


def test_paying_more_than_the_balance_needs_the_confirmation(client_as, owed):
    client = client_as(owed.admin)
    refused = client.post("/console/payouts/", payout(owed.ana, "150.00"))
    assert refused.status_code == 409
    assert "more than the balance of 100.00; confirm it to pay anyway." in refused.content.decode()
    assert not Payout.objects.exists()
    confirmed = client.post("/console/payouts/", payout(owed.ana, "150.00", confirm_over_balance="on"))
    assert confirmed.status_code == 302
    assert balance(owed.ana)["balance"] == Decimal("-50.00")


@pytest.mark.parametrize("fields, field_error", [
    ({"amount": "0"}, "Ensure this value is greater than or equal to 0.01."),
    ({"amount": "abc"}, "Enter a number."),
    ({"amount": "1.234"}, "Ensure that there are no more than 2 decimal places."),
    ({"method": "crypto"}, "Select a valid choice."),
    ({"reference": "x" * 201}, "Ensure this value has at most 200 characters"),
])
def test_bad_input_is_refused_and_nothing_is_written(client_as, owed, fields, field_error):
    response = client_as(owed.admin).post("/console/payouts/", payout(owed.ana, "10.00") | fields)
    assert response.status_code == 422
    assert field_error in response.content.decode()
    assert not Payout.objects.exists()
    assert LedgerEntry.objects.filter(kind="payout").count() == 0


def test_an_unknown_associate_is_refused(client_as, owed):
    response = client_as(owed.admin).post("/console/payouts/", {**payout(owed.ana, "10.00"), "associate": 999999})
    assert response.status_code == 422
    assert "Choose one of the listed associates." in response.content.decode()
    assert not Payout.objects.exists()


@pytest.mark.parametrize("person", ["ana", "nora", "tom", "sam"])
def test_only_admins_may_record_payouts(client_as, owed, person):
    client = client_as(getattr(owed, person).user)
    assert client.get("/console/payouts/").status_code == 403
    assert client.post("/console/payouts/", payout(owed.ana, "10.00")).status_code == 403
    assert not Payout.objects.exists()


def test_payouts_need_csrf_and_a_login(client, client_as, owed):
    assert client.get("/console/payouts/").status_code == 302
    strict = client_as(owed.admin, enforce_csrf_checks=True)
    assert strict.post("/console/payouts/", payout(owed.ana, "10.00")).status_code == 403
    assert not Payout.objects.exists()


def test_choosing_an_associate_shows_their_balance(client_as, owed):
    html = client_as(owed.admin).get("/console/payouts/", {"associate": owed.ana.pk}).content.decode()
    assert "Ana Pop's balance: <strong>100.00 EUR</strong>" in html
    assert f'<option value="{owed.ana.pk}" selected>' in html


def test_the_balances_match_the_ledger(client_as, owed, ten_percent, place_order):
    place_order(owed.anas_customer, "200.00")  # 20.00 pending
    html = client_as(owed.admin).get("/console/payouts/").content.decode()
    assert shown_balance(html, owed.ana) == "100.00 EUR"
    assert "pending 20.00" in html
    assert shown_balance(html, owed.bruno) == "0.00 EUR"


def test_submitting_the_same_form_twice_records_one_payout(client_as, owed):
    client = client_as(owed.admin)
    form = payout(owed.ana, "40.00")
    assert 'name="request_key"' in client.get("/console/payouts/").content.decode()
    for _ in range(2):
        assert client.post("/console/payouts/", form).status_code == 302
    assert Payout.objects.count() == 1
    assert balance(owed.ana)["balance"] == Decimal("60.00")


def test_the_page_title_is_plain_text(client_as, owed):
    html = client_as(owed.admin).get("/console/payouts/").content.decode()
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert "<" not in title and "Payouts" in title
    assert html.count('id="history-title"') == 1
