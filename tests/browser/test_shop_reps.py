"""The demo shop in real Chromium: a customer signs in and reaches their sales representatives;
the catalog pages hold together at desktop and phone widths. Screenshots land in test-artifacts/."""

import re
from decimal import Decimal

import phonenumbers
import pytest
from playwright.sync_api import expect

from shopfloor.accounts.models import Associate, SellingMode
from shopfloor.customers.models import Customer, CustomerStatus
from shopfloor.demo.seed import DEMO_PASSWORD, SHOPPER_EMAIL, seed_demo
from tests.browser.conftest import screenshot
from tests.factories import make_store

DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 390, "height": 844}


def load_every_image(page):
    """Scroll through the page so lazy images load, then wait until every image has pixels."""
    page.evaluate("""async () => {
        for (let y = 0; y < document.body.scrollHeight; y += 600) {
            window.scrollTo(0, y);
            await new Promise(r => setTimeout(r, 30));
        }
        window.scrollTo(0, 0);
    }""")
    page.wait_for_function("[...document.images].every(img => img.complete && img.naturalWidth > 0)")


def assert_fits_the_screen(page):
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"


@pytest.fixture
def demo(transactional_db):
    seed_demo()


def test_a_customer_signs_in_and_sees_their_reps_with_call_and_email_links(page, demo):
    page.goto("/shop/")
    page.get_by_role("link", name="Sign in").first.click()
    page.locator("main").get_by_label("Email").fill(SHOPPER_EMAIL)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/shop/account/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Carolina")

    reps = page.get_by_role("region", name="Your sales representatives")
    names = ["Tiago Moreira", "Ana Ribeiro", "Sofia Lopes"]
    expect(reps.locator(".rep-name")).to_have_text(names)
    associates = {a.name: a for a in Associate.objects.filter(name__in=names)}
    tel = reps.locator("a[href^='tel:']")
    mailto = reps.locator("a[href^='mailto:']")
    expect(tel).to_have_count(3)
    expect(mailto).to_have_count(3)
    for index, name in enumerate(names):
        associate = associates[name]
        tel_href = tel.nth(index).get_attribute("href")
        assert tel_href == f"tel:{associate.phone}"
        assert phonenumbers.is_valid_number(phonenumbers.parse(tel_href.removeprefix("tel:")))
        assert mailto.nth(index).get_attribute("href") == f"mailto:{associate.email}"
        # The links say who they call, for screen readers too.
        expect(tel.nth(index)).to_have_accessible_name(re.compile(f"^Call {name}"))
        expect(mailto.nth(index)).to_have_accessible_name(re.compile(f"^Email {name}"))
    assert associates["Tiago Moreira"].email == "tiago.moreira@shopfloor.demo"
    expect(reps.locator("a[href='tel:+351912480103']")).to_contain_text("+351 912 480 103")
    load_every_image(page)
    assert page.evaluate("[...document.querySelectorAll('.rep-photo')].every(i => i.naturalWidth > 0)")
    expect(page.get_by_role("region", name="Recent orders").locator("tbody tr")).to_have_count(
        min(5, Customer.objects.get(email=SHOPPER_EMAIL).orders.count()))
    screenshot(page, "shop-account-reps-desktop")

    page.set_viewport_size(PHONE)
    load_every_image(page)
    assert_fits_the_screen(page)
    screenshot(page, "shop-account-reps-phone")

    # Signing out ends the session: the account page asks to sign in again.
    page.set_viewport_size(DESKTOP)
    page.get_by_role("button", name="Sign out").click()
    page.goto("/shop/account/")
    expect(page).to_have_url(re.compile(r"/shop/account/login/\?next=/shop/account/$"))


def test_the_catalog_pages_look_finished_at_desktop_and_phone_widths(new_page, demo):
    for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        browse_the_catalog(new_page(viewport=viewport), label)


def browse_the_catalog(page, label):
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)

    page.goto("/shop/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Made in Portugal, chosen with you")
    expect(page.locator(".collection-card")).to_have_count(8)
    load_every_image(page)
    assert_fits_the_screen(page)
    screenshot(page, f"shop-home-{label}")

    page.get_by_role("navigation", name="Collections").get_by_role("link", name="Lighting").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lighting")
    cards = page.locator("[data-shopfloor-sku]")
    expect(cards).to_have_count(13)
    page.get_by_label("Sort by").select_option("price-asc")
    page.wait_for_url("**sort=price-asc")
    prices = [Decimal(text.replace("€", "").replace(",", ""))
              for text in page.locator(".product-card .price").all_inner_texts()]
    assert len(prices) == 13 and prices == sorted(prices)
    load_every_image(page)
    assert_fits_the_screen(page)
    screenshot(page, f"shop-collection-{label}")

    first_sku = cards.first.get_attribute("data-shopfloor-sku")
    cards.first.get_by_role("link").click()
    expect(page.locator(f"article[data-shopfloor-sku='{first_sku}']")).to_be_visible()
    add = page.get_by_role("button", name="Add to bag")
    if add.count():
        add.click()
        expect(page.locator("[data-toast]")).to_contain_text("is in your bag")
        expect(page.locator("[data-bag-count]").first).to_contain_text("1")
    load_every_image(page)
    assert_fits_the_screen(page)
    screenshot(page, f"shop-product-{label}")
    assert errors == []


def test_a_shopper_registering_where_the_store_approves_accounts_waits_for_approval(page, transactional_db):
    make_store("chiado", "Lisbon Chiado", SellingMode.ASSOCIATE, country="PT", approve_new_customers=True)
    page.goto("/shop/account/register/")
    expect(page.get_by_text("reviewed by our team")).to_be_visible()
    page.get_by_label("First name").fill("Rita")
    page.get_by_label("Last name").fill("Neves")
    page.locator("main").get_by_label("Email", exact=True).fill("rita.neves@example.com")
    page.get_by_label("Phone").fill("912 345 678")
    page.get_by_label("Password").fill("a-long-enough-secret-9")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/shop/account/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account is awaiting approval")
    expect(page.get_by_role("heading", name="Your sales representatives")).to_have_count(0)
    customer = Customer.objects.get(email="rita.neves@example.com")
    assert (customer.status, customer.phone) == (CustomerStatus.PENDING, "+351912345678")
    screenshot(page, "shop-register-pending")
