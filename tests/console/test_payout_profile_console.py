"""Payout details in the console (commissions.payout_profiles): the associate keeps theirs, admins any
associate's; managers and colleagues never see them. Plus the statement CSV (commissions.statements)."""

import re
from decimal import Decimal

import pytest

from shopfloor.commissions.models import PayoutProfile
from shopfloor.commissions.payouts import record_adjustment

IBAN = "DE89370400440532013000"


def bank(**fields):
    return {"method": "bank", "paypal_email": "", "account_holder": "Ana Pop", "iban": "de89 3704 0044 0532 0130 00",
            "bic": "cobadeffxxx", "instructions": "", **fields}


def test_an_associate_saves_bank_details_and_sees_them_again(client_as, world):
    ana = client_as(world.ana.user)
    response = ana.post("/console/payout-profile/", bank(), follow=True)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Your payout details are saved." in html
    profile = PayoutProfile.objects.get(associate=world.ana)
    assert (profile.method, profile.account_holder, profile.iban, profile.bic) == (
        "bank", "Ana Pop", IBAN, "COBADEFFXXX")
    assert f'value="{IBAN}"' in html
    assert re.search(r'<input type="radio" name="method" value="bank"[^>]*checked>', html)


def test_an_associate_switches_to_paypal(client_as, world):
    ana = client_as(world.ana.user)
    ana.post("/console/payout-profile/", bank())
    ana.post("/console/payout-profile/", {"method": "paypal", "paypal_email": "ana@pay.example"})
    profile = PayoutProfile.objects.get(associate=world.ana)
    assert (profile.method, profile.paypal_email, profile.iban) == ("paypal", "ana@pay.example", "")


@pytest.mark.parametrize("fields, message", [
    ({"iban": "DE00 1234"}, "Not a valid IBAN."),
    ({"account_holder": ""}, "Required to be paid by bank."),
    ({"bic": "X1"}, "Not a valid BIC"),
    ({"method": "paypal", "paypal_email": "not-an-email"}, "Enter a valid email address."),
    ({"method": "cheque"}, "Select a valid choice."),
])
def test_invalid_details_come_back_with_the_field_named_and_nothing_saved(client_as, world, fields, message):
    response = client_as(world.ana.user).post("/console/payout-profile/", bank(**fields))
    assert response.status_code == 422
    assert message in response.content.decode()
    assert '<p class="field__error">' in response.content.decode()
    assert PayoutProfile.objects.count() == 0


@pytest.mark.parametrize("person", ["bruno", "nora", "sam"])
def test_nobody_else_reads_or_changes_an_associates_details(client_as, world, person):
    client_as(world.ana.user).post("/console/payout-profile/", bank())
    other = client_as(getattr(world, person).user)
    assert other.get(f"/console/payout-profile/?associate={world.ana.pk}").status_code == 404
    response = other.post("/console/payout-profile/", {**bank(account_holder="Mallory"), "associate": world.ana.pk})
    assert response.status_code == 404
    assert PayoutProfile.objects.get(associate=world.ana).account_holder == "Ana Pop"
    # Their own page never shows Ana's details.
    assert IBAN not in other.get("/console/payout-profile/").content.decode()


def test_an_admin_picks_an_associate_and_changes_their_details(client_as, world):
    admin = client_as(world.admin)
    html = admin.get("/console/payout-profile/").content.decode()
    assert "Choose an associate to see and change where they are paid." in html
    assert admin.get(f"/console/payout-profile/?associate={world.tom.pk}").status_code == 200
    response = admin.post("/console/payout-profile/", {"associate": world.tom.pk, "method": "custom",
                                                        "instructions": "Payroll, monthly"})
    assert response.status_code == 302
    assert response["Location"] == f"/console/payout-profile/?associate={world.tom.pk}"
    profile = PayoutProfile.objects.get(associate=world.tom)
    assert (profile.method, profile.instructions, profile.updated_by) == ("custom", "Payroll, monthly", world.admin)
    assert admin.post("/console/payout-profile/", {"method": "custom", "instructions": "x"}).status_code == 404


def test_the_page_is_in_the_navigation_and_needs_csrf(client_as, world):
    assert 'href="/console/payout-profile/"' in client_as(world.ana.user).get(
        "/console/payout-profile/").content.decode()
    response = client_as(world.ana.user, enforce_csrf_checks=True).post("/console/payout-profile/", bank())
    assert response.status_code == 403
    assert PayoutProfile.objects.count() == 0
    assert client_as(world.shopper.user).get("/console/payout-profile/").status_code == 403


@pytest.fixture
def owed(world):
    record_adjustment(world.admin, world.ana, Decimal("100.00"), "Welcome bonus")
    record_adjustment(world.admin, world.bruno, Decimal("7.00"), "Bruno's bonus")
    return world


def csv_rows(response) -> list[list[str]]:
    return [line.split(",") for line in response.content.decode().strip().split("\r\n")]


def test_an_associate_downloads_their_statement(client_as, owed):
    response = client_as(owed.ana.user).get("/console/payout-profile/statement.csv?start=2020-01-01&end=2099-12-31")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="statement-{owed.ana.pk}-2020-01-01-to-2099-12-31.csv"')
    rows = csv_rows(response)
    assert rows[0][:3] == ["date", "entry_id", "kind"]
    assert rows[1][2] == "opening_balance" and rows[1][-1] == "0.00"
    assert rows[2][2] == "adjustment" and rows[2][7] == "Adjustment: Welcome bonus" and rows[2][8] == "100.00"
    assert rows[-1][2] == "closing_balance" and rows[-1][-1] == "100.00"
    assert len(rows) == 4


def test_a_statement_with_to_before_from_comes_back_with_the_error(client_as, owed):
    response = client_as(owed.ana.user).get("/console/payout-profile/statement.csv?start=2026-05-01&end=2026-04-01")
    assert response.status_code == 422
    assert "Must not be before From." in response.content.decode()


def test_an_associate_cannot_download_a_colleagues_statement(client_as, owed):
    response = client_as(owed.ana.user).get(f"/console/payout-profile/statement.csv?associate={owed.bruno.pk}")
    assert response.status_code == 404
    assert "Bruno's bonus" not in response.content.decode()


def test_an_admin_picks_whose_statement(client_as, owed):
    admin = client_as(owed.admin)
    assert admin.get("/console/payout-profile/statement.csv").status_code == 422
    response = admin.get(f"/console/payout-profile/statement.csv?associate={owed.bruno.pk}")
    assert response.status_code == 200
    assert csv_rows(response)[-1][-1] == "7.00"
