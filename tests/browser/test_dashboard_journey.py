"""In real Chromium: an associate sees a new sale's commission on their dashboard and hears about it;
an admin records a payout and the balance drops; a manager reads the sales report; the KPIs show the report's
store total."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from shopfloor.access import actor_for
from shopfloor.commissions.models import CommissionRule
from shopfloor.commissions.payouts import record_adjustment
from shopfloor.orders.services import record_order
from tests.browser.conftest import screenshot
from tests.factories import PASSWORD

MOBILE = {"width": 390, "height": 844}


def sign_in(page, email, lands_on):
    page.goto("/console/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**{lands_on}")


def kpi(page, name) -> str:
    return page.locator(f'[data-kpi="{name}"]').inner_text()


@pytest.fixture
def sale(transactional_db, world):
    CommissionRule.objects.create(name="Ten percent", kind="percentage", value=Decimal("10"))
    world.bruno.parent = world.ana
    world.bruno.save()
    order, _ = record_order(actor_for(world.admin), {
        "external_id": "W-2001", "customer_id": world.anas_customer.pk,
        "lines": [{"sku": "CH-1", "quantity": 2, "unit_price": Decimal("149.50")}],
    })
    record_order(actor_for(world.admin), {
        "external_id": "W-2002", "customer_id": world.brunos_customer.pk,
        "lines": [{"sku": "LAMP-2", "quantity": 1, "unit_price": Decimal("80.00")}],
    })
    return order


def test_an_associate_sees_a_new_sales_commission_on_the_dashboard(new_page, world, sale):
    for name, viewport in (("desktop", None), ("mobile", MOBILE)):
        page = new_page(viewport=viewport)
        sign_in(page, "ana@example.com", "/console/dashboard/")
        assert page.get_by_role("heading", name="Hello, Ana Pop").is_visible()
        assert kpi(page, "sales-this-month") == "299.00"
        assert kpi(page, "pending") == "33.90"  # 10% of 299.00, plus 5% override on Bruno's 80.00
        assert kpi(page, "balance") == "0.00"
        assert page.get_by_text("W-2001").first.is_visible()
        screenshot(page, f"dashboard-associate-{name}")

    # Each earning opens to show how it was computed.
    earning = page.locator(".ledger__details", has_text="W-2001")
    earning.locator("summary").click()
    assert earning.get_by_text("Ten percent (version 1)").is_visible()
    assert earning.get_by_text("10%").is_visible()
    screenshot(page, "dashboard-earning-open-mobile")

    # The sale arrived as a notification: the bell counts it, the page lists it, reading it clears the count.
    page = new_page()
    sign_in(page, "ana@example.com", "/console/dashboard/")
    bell = page.get_by_role("link", name="Notifications, 1 unread")
    assert bell.is_visible()
    page.get_by_role("button", name="Copy").click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    bell.click()
    page.wait_for_url("**/console/notifications/")
    assert page.locator(".notice__title", has_text="New sale: 299.00 EUR").is_visible()
    screenshot(page, "notifications-desktop")
    page.get_by_role("button", name="Mark read New sale: 299.00 EUR").click()
    page.wait_for_url("**/console/notifications/")
    assert page.get_by_role("link", name="Notifications", exact=True).is_visible()

    # Bruno, in the same associate-mode store, sees none of Ana's figures.
    other = new_page()
    sign_in(other, "bruno@example.com", "/console/dashboard/")
    assert kpi(other, "sales-this-month") == "80.00"
    assert other.get_by_text("W-2001").count() == 0


def test_the_recent_sales_fit_their_card_with_long_order_codes_and_statuses(new_page, world, transactional_db):
    for index, status in enumerate(["pending_payment", "placed", "completed"]):
        record_order(actor_for(world.admin), {
            "external_id": f"WEBSHOP-ORDER-{index:06d}", "customer_id": world.anas_customer.pk, "status": status,
            "lines": [{"sku": "CH-1", "quantity": 20, "unit_price": Decimal("1499.50")}],
        })
    page = new_page()
    sign_in(page, "ana@example.com", "/console/dashboard/")
    sales = page.get_by_role("region", name="Recent sales")
    expect(sales.get_by_text("WEBSHOP-ORDER-000000")).to_be_visible()
    screenshot(page, "dashboard-recent-sales-long-codes")
    card = sales.bounding_box()
    for header in ("Order", "Customer", "Status", "Total"):
        cell = sales.get_by_role("columnheader", name=header).bounding_box()
        assert card["x"] <= cell["x"] and cell["x"] + cell["width"] <= card["x"] + card["width"] + 0.5, header


def test_an_admin_records_a_payout_and_the_balance_drops(new_page, world, transactional_db):
    record_adjustment(world.admin, world.ana, "120.00", "Commission from the old system")
    page = new_page()
    sign_in(page, "admin@example.com", "/console/customers/")
    page.get_by_role("link", name="Payouts").click()
    page.wait_for_url("**/console/payouts/")
    balance = page.locator(f'[data-balance-of="{world.ana.pk}"]')
    assert balance.inner_text() == "120.00 EUR"
    screenshot(page, "payouts-desktop")

    page.get_by_label("Associate").select_option(label="Ana Pop · North Store")
    page.get_by_label("Amount").fill("45.50")
    page.get_by_label("Method").select_option(label="Bank transfer")
    page.get_by_label("Reference").fill("TR-2026-001")
    page.get_by_role("button", name="Record payout").click()
    page.wait_for_url(f"**/console/payouts/?associate={world.ana.pk}")
    assert page.get_by_text("Payout of 45.50 EUR to Ana Pop recorded. Their balance is now 74.50 EUR.").is_visible()
    assert balance.inner_text() == "74.50 EUR"
    assert page.get_by_role("cell", name="TR-2026-001").is_visible()

    # More than the balance: refused until the admin ticks the confirmation.
    page.get_by_label("Amount").fill("100.00")
    page.get_by_role("button", name="Record payout").click()
    assert page.get_by_text("confirm it to pay anyway").is_visible()
    assert balance.inner_text() == "74.50 EUR"
    screenshot(page, "payouts-over-balance")
    page.get_by_label("Pay more than the balance").check()
    page.get_by_role("button", name="Record payout").click()
    page.wait_for_url(f"**/console/payouts/?associate={world.ana.pk}")
    assert balance.inner_text() == "-25.50 EUR"

    mobile = new_page(viewport=MOBILE)
    sign_in(mobile, "admin@example.com", "/console/customers/")
    mobile.goto("/console/payouts/")
    screenshot(mobile, "payouts-mobile")

    # Ana's dashboard shows the payouts and the balance that is left.
    ana = new_page()
    sign_in(ana, "ana@example.com", "/console/dashboard/")
    assert kpi(ana, "balance") == "-25.50"
    assert ana.locator(".payout-list").get_by_text("TR-2026-001").first.is_visible()


def test_a_manager_reads_the_sales_report(new_page, world, sale):
    for name, viewport in (("desktop", None), ("mobile", MOBILE)):
        page = new_page(viewport=viewport)
        sign_in(page, "nora@example.com", "/console/dashboard/")
        page.goto("/console/reports/")
        assert page.get_by_role("heading", name="Sales reports").is_visible()
        assert page.locator("svg.chart__svg").is_visible()
        assert page.get_by_role("cell", name="Ana Pop").is_visible()
        screenshot(page, f"reports-{name}")
    page.get_by_text("Show the numbers as a table").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    assert download.value.suggested_filename.startswith("sales-")


def test_an_admin_sees_the_same_store_sales_in_the_report_and_the_kpis(new_page, world, sale):
    page = new_page()
    sign_in(page, "admin@example.com", "/console/customers/")
    page.goto(f"/console/reports/?store={world.north.pk}")
    total = page.locator('[data-total="sales"]').inner_text()
    assert total == "379.00"
    page.goto("/console/kpis/")
    page.get_by_label("Store").select_option(label="North Store")
    page.get_by_role("button", name="Show").click()
    expect(page.locator(".kpi__label").first).to_have_text("Sales credited to North Store")
    assert kpi(page, "sales").startswith(total)
    # The shop an order came through is a filter on the store credited; no North sale came through South.
    page.get_by_label("Came through").select_option(label="South Store")
    page.get_by_role("button", name="Show").click()
    expect(page.locator(".kpi__label").first).to_have_text("Sales credited to North Store, through South Store")
    assert kpi(page, "sales") == "0.00"
    screenshot(page, "kpis-through-store-desktop")
