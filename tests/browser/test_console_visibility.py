"""In real Chromium: associates sign in to the console and see exactly the customers their mode gives them."""

from decimal import Decimal

import pytest

from shopfloor.access import actor_for
from shopfloor.customers.models import CustomerGroup, CustomerStatus
from shopfloor.orders.services import record_order
from tests.browser.conftest import ARTIFACTS, screenshot
from tests.factories import PASSWORD, make_customer

MOBILE = {"width": 390, "height": 844}


def sign_in(page, email):
    page.goto("/console/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    # Associates and managers land on their dashboard; these journeys start from the customers.
    page.wait_for_url("**/console/dashboard/")
    page.goto("/console/customers/")


def customer_names(page) -> set[str]:
    return set(page.locator("a.person__name").all_inner_texts())


@pytest.fixture
def shop(transactional_db, world):
    world.anas_customer.tags = ["vip", "wedding"]
    world.anas_customer.phone = "+351912345678"
    world.anas_customer.email_opt_in = True
    world.anas_customer.save()
    record_order(actor_for(world.admin), {
        "external_id": "W-1001", "customer_id": world.anas_customer.pk,
        "lines": [{"sku": "CH-1", "quantity": 2, "unit_price": Decimal("149.50")}],
    })
    group = CustomerGroup.objects.create(name="Wholesale North")
    group.associates.add(world.bruno)
    make_customer(
        world.north, "Paula", "Pinto", status=CustomerStatus.PENDING, group=group, phone="+351934000111"
    )
    return world


def test_an_associate_in_an_associate_mode_store_sees_only_their_own_customers(page, shop):
    sign_in(page, "ana@example.com")
    assert customer_names(page) == {"Alice Almeida", "Filipa Faria"}
    assert page.get_by_text("Associate mode").first.is_visible()
    assert page.get_by_role("link", name="Approvals").count() == 0
    screenshot(page, "console-customers-associate-mode")

    page.get_by_label("Search").fill("alm")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/console/customers/?q=alm*")
    assert customer_names(page) == {"Alice Almeida"}

    page.get_by_role("link", name="Alice Almeida").click()
    page.wait_for_url("**/console/customers/*/")
    assert page.get_by_role("heading", name="Your sales representatives").is_visible()
    assert page.locator(".orders-card").get_by_text("W-1001").is_visible()
    assert page.get_by_text("Ana Pop is Alice Almeida's primary associate.").is_visible()
    screenshot(page, "console-customer-page")

    # Bruno's customer is not hers: its page answers 404, with nothing about the customer.
    response = page.goto(f"/console/customers/{shop.brunos_customer.pk}/")
    assert response.status == 404
    assert "Brito" not in page.content()
    assert page.get_by_role("heading", name="Nothing here").is_visible()
    screenshot(page, "console-not-found")


def test_keyboard_users_can_skip_to_the_content_and_see_where_focus_is(page, shop):
    sign_in(page, "ana@example.com")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    assert skip.evaluate("element => element === document.activeElement")
    assert skip.is_visible()
    page.keyboard.press("Tab")  # the brand
    page.keyboard.press("Tab")  # the notification bell
    # The shop's order W-1001 was credited to Ana: one unread sale.
    assert page.evaluate("() => document.activeElement.getAttribute('href')") == "/console/notifications/"
    assert page.get_by_role("link", name="Notifications, 1 unread").is_visible()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.textContent.trim()")
    assert focused == "Live"
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
    screenshot(page, "console-focus")


def test_an_associate_in_a_team_mode_store_sees_every_customer_of_the_store(page, shop):
    sign_in(page, "tom@example.com")
    assert customer_names(page) == {"Carla Costa", "Daniel Duarte", "Eva Esteves"}
    assert page.get_by_text("Team mode").first.is_visible()
    assert page.get_by_text("3 customers").is_visible()
    screenshot(page, "console-customers-team-mode")


def test_the_console_on_a_phone(new_page, shop):
    page = new_page(viewport=MOBILE)
    page.goto("/console/login/")
    screenshot(page, "console-login-mobile")
    sign_in(page, "ana@example.com")
    assert customer_names(page) == {"Alice Almeida", "Filipa Faria"}
    menu = page.get_by_role("button", name="Menu")
    assert menu.is_visible()
    assert not page.get_by_role("link", name="Customers").is_visible()
    screenshot(page, "console-customers-mobile")
    menu.click()
    assert page.get_by_role("link", name="Customers").is_visible()
    screenshot(page, "console-menu-mobile")
    page.keyboard.press("Escape")
    page.get_by_role("link", name="Alice Almeida").click()
    page.wait_for_url("**/console/customers/*/")
    screenshot(page, "console-customer-page-mobile")


MENU_SECTIONS = ["Sell", "Customers", "Money", "Team", "Settings"]


def test_the_menu_is_grouped_under_headed_sections_on_a_desktop_and_a_phone(new_page, shop):
    for name, viewport in (("desktop", None), ("mobile", MOBILE)):
        page = new_page(viewport=viewport)
        sign_in(page, "nora@example.com")
        page.goto("/console/reports/")
        if name == "mobile":
            page.get_by_role("button", name="Menu").click()
        menu = page.get_by_role("navigation", name="Console")
        assert menu.get_by_role("heading").all_text_contents() == MENU_SECTIONS
        # Each group is a list named by its heading, so a screen reader announces "Money, list".
        money = menu.get_by_role("list", name="Money")
        assert [label.strip() for label in money.locator(".nav__label").all_text_contents()] == [
            "What would I earn?", "Coupons", "Reports", "KPIs", "Payout details",
        ]
        current = menu.locator('[aria-current="page"]')
        assert current.count() == 1 and current.locator(".nav__label").inner_text() == "Reports"
        assert menu.get_by_role("list", name="Customers").get_by_role("link", name="Approvals 1 waiting").is_visible()
        screenshot(page, f"console-menu-grouped-{name}")
        # A long menu scrolls on its own: its end (Settings, who is signed in, Log out) is reachable.
        scroller = page.locator(".sidebar")
        scroller.evaluate("element => { element.scrollTop = element.scrollHeight; }")
        assert menu.get_by_role("list", name="Settings").get_by_role("link", name="Settings").is_visible()
        assert page.get_by_role("button", name="Log out").is_visible()
        page.screenshot(path=str(ARTIFACTS / f"console-menu-grouped-{name}-end.png"))


def test_a_manager_approves_a_registration(new_page, shop):
    for name, viewport in (("desktop", None), ("mobile", MOBILE)):
        page = new_page(viewport=viewport)
        page.goto("/console/login/")
        if name == "desktop":
            screenshot(page, "console-login")
        sign_in(page, "nora@example.com")
        page.get_by_role("link", name="Approvals").first.click() if name == "desktop" else page.goto(
            "/console/approvals/")
        page.wait_for_url("**/console/approvals/")
        assert page.get_by_role("heading", name="Paula Pinto").is_visible()
        assert page.get_by_label("Assign to").input_value() == str(shop.bruno.pk)
        group = page.get_by_label("Customer group")
        assert group.locator("option:checked").inner_text() == "Wholesale North"
        screenshot(page, f"console-approvals-{name}")
    page.get_by_label("Assign to").select_option(label="Ana Pop")
    page.get_by_role("button", name="Approve Paula Pinto").click()
    page.wait_for_url("**/console/approvals/")
    assert page.get_by_text("Paula Pinto is approved, assigned to Ana Pop.").is_visible()
    screenshot(page, "console-approvals-done-mobile")


def test_a_staff_member_creates_an_api_token(page, shop):
    sign_in(page, "nora@example.com")
    page.goto("/console/settings/")
    page.get_by_label("Token name").fill("ERP sync")
    page.get_by_role("button", name="Create token").click()
    token = page.get_by_label("New API token").input_value()
    assert token.startswith("sf_")
    screenshot(page, "console-settings-token")


def test_picking_another_group_hands_the_choice_to_that_groups_associate(page, shop):
    trade = CustomerGroup.objects.create(name="North Trade")
    trade.associates.add(shop.ana)
    sign_in(page, "nora@example.com")
    page.goto("/console/approvals/")
    assert page.get_by_label("Assign to").input_value() == str(shop.bruno.pk)
    page.get_by_label("Customer group").select_option(label="North Trade")
    # Bruno was Wholesale North's associate; the new group's associate is assigned instead.
    assert page.get_by_label("Assign to").input_value() == ""
    assert page.get_by_label("Assign to").locator("option:checked").inner_text() == "The group's associate"
    page.get_by_role("button", name="Approve Paula Pinto").click()
    page.wait_for_url("**/console/approvals/")
    assert page.get_by_text("Paula Pinto is approved into North Trade, assigned to Ana Pop.").is_visible()
