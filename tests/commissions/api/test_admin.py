"""Django admin for commissions: the ledger read-only; payouts, rules and settings through their services."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from shopfloor.commissions.models import (
    CommissionRule,
    CommissionSettings,
    LedgerEntry,
    OrderAccrual,
    Payout,
    PayoutProfile,
)
from tests.commissions.api.conftest import snapshot


@pytest.fixture
def browser(world):
    client = Client()
    client.force_login(world.admin)
    return client


def url(model, action, *args):
    return reverse(f"admin:commissions_{model}_{action}", args=args)


@pytest.mark.parametrize(("model", "entry"), [("ledgerentry", "a1_earning"), ("orderaccrual", None)])
def test_the_ledger_and_accruals_are_looked_at_never_written(world, ledger, browser, model, entry):
    obj = getattr(ledger, entry) if entry else OrderAccrual.objects.get(order=ledger.a1)
    assert browser.get(url(model, "changelist")).status_code == 200
    page = browser.get(url(model, "change", obj.pk))
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    before = snapshot()
    assert browser.get(url(model, "add")).status_code == 403
    assert browser.post(url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
    assert browser.post(url(model, "change", obj.pk), {"status": "reversed"}).status_code == 403
    assert snapshot() == before


def payout_form(world, amount, **extra):
    return {"associate": world.ana.pk, "amount": amount, "method": "bank", "reference": "T-9", "note": "",
            **extra}


def test_a_payout_over_the_balance_needs_the_confirm_box(world, ledger, browser):
    before = snapshot()
    page = browser.post(url("payout", "add"), payout_form(world, "15.01"))
    assert page.status_code == 200
    assert b"more than the balance of 15.00" in page.content
    assert snapshot() == before
    done = browser.post(url("payout", "add"), payout_form(world, "15.01", confirm_over_balance="on"))
    assert done.status_code == 302
    payout = Payout.objects.get()
    assert (payout.amount, payout.created_by, payout.ledger_entry.amount) == (
        Decimal("15.01"), world.admin, Decimal("-15.01"))


def test_a_payout_within_the_balance_is_recorded_with_its_ledger_entry(world, ledger, browser):
    assert browser.post(url("payout", "add"), payout_form(world, "15.00")).status_code == 302
    assert LedgerEntry.objects.filter(kind="payout", amount=Decimal("-15.00")).count() == 1
    payout = Payout.objects.get()
    assert browser.get(url("payout", "change", payout.pk)).status_code == 200
    assert browser.post(url("payout", "delete", payout.pk), {"post": "yes"}).status_code == 403


def rule_form(**fields):
    return {"name": "Admin rule", "active": "on", "priority": "0", "kind": "percentage", "value": "10",
            "currency": "", "product_skus": "[]", "min_subtotal": "", "max_subtotal": "", "starts_at_0": "",
            "starts_at_1": "", "ends_at_0": "", "ends_at_1": "", "customers": "", **fields}


def test_a_rule_saved_in_the_admin_goes_through_the_service_and_versions(world, browser):
    assert browser.post(url("commissionrule", "add"), rule_form(associates=[world.ana.pk])).status_code == 302
    rule = CommissionRule.objects.get()
    assert (rule.version, list(rule.associates.all())) == (1, [world.ana])
    assert browser.post(url("commissionrule", "change", rule.pk),
                        rule_form(value="12.5", associates=[world.ana.pk])).status_code == 302
    rule.refresh_from_db()
    assert (rule.value, rule.version) == (Decimal("12.5"), 2)
    assert browser.post(url("commissionrule", "change", rule.pk),
                        rule_form(value="12.5", associates=[world.ana.pk])).status_code == 302
    rule.refresh_from_db()
    assert rule.version == 2


def test_an_invalid_rule_is_shown_on_the_form_and_writes_nothing(world, browser):
    before = snapshot()
    page = browser.post(url("commissionrule", "add"), rule_form(value="150"))
    assert page.status_code == 200
    assert b"A percentage is at most 100." in page.content
    assert snapshot() == before


def test_the_settings_are_added_once_and_saved_through_the_service(world, browser):
    form = {"hold_days": "3", "override_levels": '[{"level": 1, "rate": "2"}]',
            "override_basis": "commissionable_amount", "agent_override_rates": "[]"}
    assert browser.post(url("commissionsettings", "add"), form).status_code == 302
    settings = CommissionSettings.objects.get()
    assert (settings.pk, settings.hold_days, settings.override_levels) == (1, 3, [{"level": 1, "rate": "2"}])
    assert browser.get(url("commissionsettings", "add")).status_code == 403
    bad = browser.post(url("commissionsettings", "change", 1), {**form, "override_levels": '[{"level": 0}]'})
    assert bad.status_code == 200
    assert CommissionSettings.objects.get().override_levels == [{"level": 1, "rate": "2"}]


def test_payout_details_are_validated_by_the_service(world, browser):
    form = {"associate": world.ana.pk, "method": "bank", "account_holder": "Ana Pop", "iban": "PT50 1234",
            "bic": "", "paypal_email": "", "instructions": ""}
    assert browser.post(url("payoutprofile", "add"), form).status_code == 200
    assert PayoutProfile.objects.count() == 0
    form["iban"] = "PT50 0002 0123 1234 5678 9015 4"
    assert browser.post(url("payoutprofile", "add"), form).status_code == 302
    assert PayoutProfile.objects.get().iban == "PT50000201231234567890154"
