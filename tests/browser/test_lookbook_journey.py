"""In real Chromium (issue 6): an associate creates a look and shares it with three customers; one customer
opens their lookbook from the email, clicks a product, buys it on the demo shop; the associate sees the sale
notification and the KPI change. The sale is credited through the lookbook's referral."""

import email
import re
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from shopfloor.catalog.services import upsert_product
from shopfloor.customers.models import Customer
from shopfloor.orders.models import Order
from tests.browser.conftest import ARTIFACTS, screenshot
from tests.factories import PASSWORD, make_customer

MOBILE = {"width": 390, "height": 844}


def sign_in(page, email_address, lands_on):
    page.goto("/console/login/")
    page.get_by_label("Email").fill(email_address)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**{lands_on}")


def mail_to(recipient: str, subject: str) -> email.message.Message:
    """The message to `recipient` with `subject` among the server's mail files (others' tests write there too)."""
    for path in sorted(Path(ARTIFACTS / "mail").glob("*.log"), key=lambda p: p.stat().st_mtime, reverse=True):
        for raw in path.read_text(errors="replace").split("-" * 79):
            message = email.message_from_string(raw.strip())
            if message["To"] == recipient and message["Subject"] == subject:
                return message
    raise AssertionError(f"No mail to {recipient} about {subject!r}")


def body_of(message) -> str:
    part = message.get_payload(decode=True)
    return part.decode() if isinstance(part, bytes) else str(message.get_payload())


@pytest.fixture
def shop(transactional_db, world):
    for sku, name, price in (("LGT-9", "Alfama table lamp", "122.50"), ("TAB-9", "Sintra serving bowl", "38.00"),
                             ("TEX-9", "Minho linen throw", "89.00")):
        upsert_product(None, {"sku": sku, "name": name, "price": Decimal(price),
                              "url": f"/shop/products/{sku}/"})
    gil = make_customer(world.north, "Gil", "Gomes", primary=world.ana)
    customers = [world.anas_customer, world.shopper, gil]
    Customer.objects.filter(pk__in=[c.pk for c in customers]).update(email_opt_in=True)
    return customers


def test_a_shared_look_becomes_a_sale_credited_to_the_associate(new_page, world, shop):
    alice, filipa, gil = shop
    ana = new_page()
    sign_in(ana, "ana@example.com", "/console/dashboard/")
    sales_before = ana.locator('[data-kpi="sales-this-month"]').inner_text()
    assert sales_before == "0.00"

    # The associate makes a look from the catalog, with a note.
    ana.get_by_role("link", name="My Looks").click()
    ana.wait_for_url("**/console/looks/")
    ana.get_by_role("link", name="New look").first.click()
    ana.get_by_label("Title").fill("Summer table")
    ana.get_by_label("Message to each customer").fill("Hello {{first_name}}, a few pieces for long evenings outside.")
    ana.get_by_label("Find in the catalog").fill("lamp")
    ana.get_by_role("checkbox", name=re.compile("^Alfama table lamp")).check()
    ana.get_by_label("Your note on Alfama table lamp").fill("Warm brass light for the terrace.")
    ana.get_by_label("Find in the catalog").fill("")
    ana.get_by_role("checkbox", name=re.compile("^Sintra serving bowl")).check()
    screenshot(ana, "lookbook-look-form-desktop")
    ana.get_by_role("button", name="Create look").click()
    expect(ana.get_by_role("heading", level=1)).to_have_text("Summer table")

    # ... and shares it with three of her customers.
    share = ana.locator("[data-share]")
    for customer in shop:
        share.get_by_label(customer.full_name).check()
    screenshot(ana, "lookbook-share-desktop")
    share.get_by_role("button", name="Share look").click()
    ana.wait_for_url("**/console/lookbooks/")
    expect(ana.get_by_text("3 lookbooks made from \u201cSummer table\u201d.")).to_be_visible()
    for customer in shop:
        expect(ana.get_by_role("cell", name=customer.full_name, exact=True)).to_be_visible()
    screenshot(ana, "lookbook-list-desktop")

    # Filipa opens her lookbook from the email (found by recipient and subject).
    message = mail_to(filipa.email, "Summer table: picked for you")
    link = re.search(r"http://\S+/o/l/\S+", body_of(message)).group(0)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    customer = new_page()
    customer.goto(link)
    customer.wait_for_url("**/c/lookbook/**")
    expect(customer.get_by_role("heading", level=1)).to_have_text("Summer table")
    expect(customer.get_by_text("For Filipa")).to_be_visible()
    expect(customer.get_by_text("Warm brass light for the terrace.")).to_be_visible()
    customer.wait_for_function("[...document.images].every(img => img.complete && img.naturalWidth > 0)")
    screenshot(customer, "lookbook-customer-desktop")
    lookbook_url = customer.url
    phone = new_page(viewport=MOBILE)
    phone.goto(lookbook_url)
    overflow = phone.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    screenshot(phone, "lookbook-customer-mobile")

    # She clicks the lamp, lands on the shop's product page, signs in and buys it.
    customer.get_by_role("link", name=re.compile("^View in the shop.*Alfama table lamp")).click()
    customer.wait_for_url("**/shop/products/LGT-9/")
    customer.get_by_role("button", name="Add to bag").click()
    expect(customer.locator("[data-bag-count]")).to_contain_text("1")
    customer.goto("/shop/bag/")
    customer.get_by_role("link", name="Sign in to order").click()
    # Scoped to the page's main content: the shop's widget has fields of its own.
    sign_in_form = customer.locator("main")
    sign_in_form.get_by_label("Email").fill("filipa@example.com")
    sign_in_form.get_by_label("Password").fill(PASSWORD)
    sign_in_form.get_by_role("button", name="Sign in").click()
    customer.wait_for_url("**/shop/bag/")
    customer.get_by_role("button", name="Place order").click()
    customer.wait_for_url("**/shop/account/")
    order = Order.objects.get(customer=filipa)
    assert (order.total, order.attributed_associate_id, order.attribution_rule) == (
        Decimal("122.50"), world.ana.pk, "referral")

    # The associate hears about the open and the sale, and the month's sales grew by the lamp.
    ana.goto("/console/dashboard/")
    expect(ana.locator('[data-kpi="sales-this-month"]')).to_have_text("122.50")
    screenshot(ana, "lookbook-dashboard-after-sale")
    ana.get_by_role("link", name=re.compile(r"^Notifications, \d+ unread")).click()
    ana.wait_for_url("**/console/notifications/")
    expect(ana.locator(".notice__title", has_text="New sale: 122.50 EUR")).to_be_visible()
    expect(ana.locator(".notice__title", has_text="Filipa Faria opened \u201cSummer table\u201d")).to_be_visible()
    screenshot(ana, "lookbook-notifications-desktop")

    # Filipa's page shows her lookbook and the "Compose message" form.
    ana.goto(f"/console/customers/{filipa.pk}/")
    expect(ana.locator("[data-customer-lookbooks]")).to_contain_text("Summer table")
    expect(ana.locator("[data-compose]").get_by_role("button", name="Send")).to_be_visible()
    screenshot(ana, "lookbook-customer-record-desktop")

    # The lookbook's page in the console shows the open and the click.
    ana.goto("/console/lookbooks/")
    ana.get_by_role("row", name=re.compile("Filipa Faria")).get_by_role("link", name="Summer table").click()
    expect(ana.locator(".lookbook-stats")).to_contain_text("1 product click")
    expect(ana.locator(".events")).to_contain_text("Clicked Alfama table lamp")
    screenshot(ana, "lookbook-editor-desktop")
    ana.goto("/console/social/?q=lamp")
    ana.get_by_role("link", name="Alfama table lamp").click()
    expect(ana.get_by_label("Text to post")).to_have_value(re.compile(f"/r/{world.ana.referral_code}"))
    screenshot(ana, "lookbook-social-desktop")

    mobile = new_page(viewport=MOBILE)
    sign_in(mobile, "ana@example.com", "/console/dashboard/")
    mobile.goto("/console/lookbooks/")
    screenshot(mobile, "lookbook-list-mobile")
    mobile.goto("/console/looks/")
    mobile.get_by_role("link", name="Summer table").click()
    assert mobile.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    screenshot(mobile, "lookbook-look-mobile")
