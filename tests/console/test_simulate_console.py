"""The console's "What would I earn?" (commissions.simulation.simulate_for): what a sale would pay,
with its breakdown, as each person may see it; it writes nothing."""

import re
from decimal import Decimal

import pytest

from shopfloor.catalog.models import Product
from shopfloor.commissions.models import LedgerEntry
from shopfloor.orders.models import Order
from tests.commissions.conftest import make_rule, set_levels


@pytest.fixture
def catalog(world):
    Product.objects.create(sku="CH-1", name="Oak chair", price=Decimal("149.50"))
    Product.objects.create(sku="LAMP-2", name="Brass lamp", price=Decimal("80.00"))
    make_rule("10", name="Ten percent")
    return world


def sale(*lines, **fields):
    """A submitted form: lines are (sku, quantity, unit price or "" for the catalog price)."""
    return {"sku": [sku for sku, _, _ in lines], "quantity": [str(q) for _, q, _ in lines],
            "unit_price": [price for _, _, price in lines], **fields}


def total(html: str) -> str:
    return re.search(r'data-total><span class="sim-total__amount">([^<]+)<', html).group(1)


def nothing_written():
    return LedgerEntry.objects.count() == 0 and Order.objects.count() == 0


def test_an_associate_sees_the_exact_commission_a_ten_percent_rule_would_pay(client_as, catalog):
    response = client_as(catalog.ana.user).post("/console/simulate/", sale(("CH-1", 2, "")))
    html = response.content.decode()
    assert response.status_code == 200
    assert total(html) == "29.90"  # 10% of 2 × 149.50, the catalog price
    assert html.count("data-earning") == 1
    assert "Ten percent (version 1)" in html
    assert "<dt>Base</dt><dd>299.00</dd>" in html
    assert "<dt>Rate</dt><dd>10%</dd>" in html
    assert "<dt>Level</dt><dd>0 (seller)</dd>" in html
    assert "credited to you" in html
    assert nothing_written()


def test_a_typed_unit_price_replaces_the_catalog_price(client_as, catalog):
    response = client_as(catalog.ana.user).post(
        "/console/simulate/", sale(("CH-1", 1, "100.00"), ("LAMP-2", 3, "")))
    assert response.status_code == 200
    assert total(response.content.decode()) == "34.00"  # 10% of 100.00 + 10% of 240.00


def test_an_associate_sees_the_override_they_would_earn_on_their_subagents_sale(client_as, catalog):
    set_levels("5")
    catalog.bruno.parent = catalog.ana
    catalog.bruno.save()
    nora = client_as(catalog.nora.user)
    response = nora.post("/console/simulate/", sale(("LAMP-2", 1, ""), associate=catalog.bruno.pk))
    html = response.content.decode()
    assert total(html) == "12.00"  # Bruno 8.00 + Ana's level-1 override 4.00
    assert "Level 1 override" in html and "Ana Pop" in html
    # Bruno himself sees only his own earning, never his upline's override.
    response = client_as(catalog.bruno.user).post("/console/simulate/", sale(("LAMP-2", 1, "")))
    html = response.content.decode()
    assert total(html) == "8.00"
    assert "override" not in html.split('data-result')[1]


def test_an_associate_is_always_credited_themselves(client_as, catalog):
    response = client_as(catalog.ana.user).post(
        "/console/simulate/", sale(("CH-1", 1, "100.00"), associate=catalog.bruno.pk))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="associate"' not in html
    assert "credited to you" in html and "Bruno" not in html


def test_a_customer_the_user_may_not_see_is_refused(client_as, catalog):
    response = client_as(catalog.ana.user).post(
        "/console/simulate/", sale(("CH-1", 1, ""), customer=catalog.brunos_customer.pk))
    assert response.status_code == 422
    assert "Choose one of the listed customers." in response.content.decode()
    assert "Beatriz" not in response.content.decode()


def test_a_manager_may_credit_only_associates_of_their_store(client_as, catalog):
    response = client_as(catalog.nora.user).post(
        "/console/simulate/", sale(("CH-1", 1, ""), associate=catalog.tom.pk))
    assert response.status_code == 422
    assert "Choose one of the listed associates." in response.content.decode()


def test_an_admin_credits_any_associate(client_as, catalog):
    response = client_as(catalog.admin).post(
        "/console/simulate/", sale(("CH-1", 1, "50.00"), associate=catalog.bruno.pk))
    assert response.status_code == 200
    assert total(response.content.decode()) == "5.00"


def test_an_admin_without_customer_or_associate_is_asked_for_one(client_as, catalog):
    response = client_as(catalog.admin).post("/console/simulate/", sale(("CH-1", 1, "")))
    assert response.status_code == 422
    assert "Choose a customer, or an associate to credit." in response.content.decode()


def test_a_team_mode_associate_earns_nothing(client_as, catalog):
    response = client_as(catalog.tom.user).post("/console/simulate/", sale(("CH-1", 1, "")))
    html = response.content.decode()
    assert response.status_code == 200
    assert total(html) == "0.00"
    assert "team mode" in html


@pytest.mark.parametrize("lines, message", [
    ((("NOPE-9", 1, ""),), "No product in the catalog has the SKU NOPE-9."),
    ((("CH-1", 0, ""),), "A whole number, at least 1."),
    ((("CH-1", 1, "-3"),), "An amount of zero or more"),
    ((), "Add at least one product."),
])
def test_invalid_lines_come_back_with_the_error_on_the_field(client_as, catalog, lines, message):
    response = client_as(catalog.ana.user).post("/console/simulate/", sale(*lines))
    assert response.status_code == 422
    assert message in response.content.decode()
    assert nothing_written()


def test_the_form_offers_the_catalog_and_the_page_is_in_the_navigation(client_as, catalog):
    for person in (catalog.ana, catalog.nora, catalog.tom):
        html = client_as(person.user).get("/console/simulate/").content.decode()
        assert '<option value="CH-1" data-price="149.50">' in html
        assert 'href="/console/simulate/"' in html
    html = client_as(catalog.admin).get("/console/simulate/").content.decode()
    assert 'href="/console/simulate/"' in html


def test_it_needs_csrf_and_a_signed_in_staff_member(client_as, catalog):
    assert client_as(catalog.ana.user, enforce_csrf_checks=True).post(
        "/console/simulate/", sale(("CH-1", 1, ""))).status_code == 403
    anonymous = client_as(None).get("/console/simulate/")
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    assert client_as(catalog.shopper.user).get("/console/simulate/").status_code == 403


def test_a_rule_for_a_customer_applies_when_the_customer_is_picked(client_as, catalog):
    make_rule("25", name="Alice's rate", priority=5, customers=[catalog.anas_customer])
    ana = client_as(catalog.ana.user)
    html = ana.get("/console/simulate/").content.decode()
    assert f'<option value="{catalog.anas_customer.pk}">Alice Almeida</option>' in html
    assert "Beatriz" not in html  # Bruno's customer is not Ana's to pick
    response = ana.post("/console/simulate/", sale(("LAMP-2", 1, ""), customer=catalog.anas_customer.pk))
    html = response.content.decode()
    assert total(html) == "20.00"  # 25% of 80.00
    assert "Alice&#x27;s rate (version 1)" in html and "for Alice Almeida" in html
    assert nothing_written()


def test_each_earning_lists_the_rules_that_matched_and_did_not_pay(client_as, catalog):
    make_rule("5", name="Everything 5%", priority=-1)
    make_rule("1.00", "fixed_per_unit", name="A euro a chair", product_skus=["CH-1"])
    make_rule("0.50", "fixed_per_unit", name="Fifty cents a unit", priority=-1)
    response = client_as(catalog.ana.user).post("/console/simulate/", sale(("CH-1", 2, "")))
    html = response.content.decode()
    # 10% of 299.00 and 1.00 a chair: both pay on the line.
    assert total(html) == "31.90"
    assert html.count("data-earning") == 2
    assert ("<dt>Did not pay</dt><dd>Everything 5%: a higher-priority percentage rule, &#x27;Ten percent&#x27;, "
            "applied</dd>") in html
    assert ("<dt>Did not pay</dt><dd>Fifty cents a unit: a higher-priority per-unit rule, &#x27;A euro a "
            "chair&#x27;, applied</dd>") in html
    assert nothing_written()
