"""In real Chromium: an associate shops as a customer and places a pending-payment order; the customer
opens the emailed payment link in another browser and pays with the test card; the associate's
dashboard shows the pending commission."""

import re
import time
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from shopfloor.catalog.models import Product
from shopfloor.commissions.models import CommissionRule
from shopfloor.orders.models import Order, OrderStatus
from tests.browser.conftest import ARTIFACTS, screenshot
from tests.browser.test_dashboard_journey import MOBILE, kpi, sign_in
from tests.factories import make_customer

PAY_LINK = re.compile(r"https?://[^\s/]+(/pay/[^\s/]+/)")


def emailed_payment_path(recipient: str, timeout: float = 10.0) -> str:
    """The payment link in the mail the server wrote for `recipient` (several people share the outbox)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in sorted(Path(ARTIFACTS / "mail").glob("*.log")):
            text = path.read_text(errors="replace")
            for message in text.split("-" * 79):
                if f"To: {recipient}" in message and "is ready to pay" in message:
                    match = PAY_LINK.search(message)
                    if match:
                        return match.group(1)
        time.sleep(0.2)
    raise AssertionError(f"No payment link mailed to {recipient}")


@pytest.fixture
def marta(transactional_db, world):
    CommissionRule.objects.create(name="Ten percent", kind="percentage", value=Decimal("10"))
    Product.objects.create(sku="LAMP-1", name="Cork table lamp", price=Decimal("89.00"))
    return make_customer(world.north, "Marta", "Lopes", primary=world.ana,
                         email=f"marta.{uuid.uuid4().hex[:10]}@example.com")


def test_an_associate_shops_as_a_customer_who_pays_the_emailed_link(new_page, world, marta):
    agent = new_page()
    sign_in(agent, "ana@example.com", "/console/dashboard/")
    assert kpi(agent, "pending") == "0.00"
    agent.goto(f"/console/customers/{marta.pk}/")
    screenshot(agent, "shop-as-console-customer")
    agent.get_by_role("button", name="Shop as customer").click()
    agent.wait_for_url("**/shop/")
    banner = agent.get_by_role("region", name="Shopping as a customer")
    expect(banner).to_contain_text("Shopping as Marta Lopes")

    agent.goto("/shop/products/LAMP-1/")
    expect(banner).to_be_visible()
    screenshot(agent, "shop-as-banner-desktop")
    agent.set_viewport_size(MOBILE)
    screenshot(agent, "shop-as-banner-mobile")
    agent.set_viewport_size({"width": 1280, "height": 860})
    agent.get_by_role("button", name="Add to bag").click()
    expect(agent.locator("[data-bag-count]")).to_contain_text("1")
    agent.goto("/shop/bag/")
    expect(banner).to_be_visible()
    agent.get_by_role("button", name="Place order and send payment link").click()
    agent.wait_for_url("**/shop/shop-as/orders/*/")
    order = Order.objects.get(customer=marta)
    expect(agent.get_by_role("heading", name="Waiting for payment")).to_be_visible()
    expect(agent.get_by_text(f"Order {order.external_id}", exact=True)).to_be_visible()
    assert order.status == OrderStatus.PENDING_PAYMENT and order.placed_by_associate == world.ana
    screenshot(agent, "shop-as-placed-desktop")

    # The customer, in their own browser, opens the link from the email.
    path = emailed_payment_path(marta.email)
    phone = new_page(viewport=MOBILE)
    phone.goto(path)
    expect(phone.get_by_role("heading", name="Review and pay your order")).to_be_visible()
    expect(phone.get_by_role("region", name="Shopping as a customer")).to_have_count(0)
    screenshot(phone, "pay-link-mobile")
    customer = new_page()
    customer.goto(path)
    expect(customer.get_by_text("Cork table lamp")).to_be_visible()
    screenshot(customer, "pay-link-desktop")
    customer.get_by_label("Card number").fill("4000 0000 0000 0002")
    customer.get_by_role("button", name="Pay €89.00").click()
    expect(customer.get_by_role("alert")).to_contain_text("Your card was declined.")
    customer.get_by_label("Card number").fill("4242 4242 4242 4242")
    customer.get_by_role("button", name="Pay €89.00").click()
    expect(customer.get_by_role("heading", name="Thank you, your order is paid")).to_be_visible()
    screenshot(customer, "pay-link-paid-desktop")
    order.refresh_from_db()
    assert order.status == OrderStatus.PLACED
    # The link is dead once paid, and a changed link says so plainly.
    phone.reload()
    expect(phone.get_by_role("heading", name="Thank you, your order is paid")).to_be_visible()
    phone.goto(path.replace("/pay/", "/pay/x", 1))
    expect(phone.get_by_role("heading", name="This payment link is not valid")).to_be_visible()
    screenshot(phone, "pay-link-invalid-mobile")

    # Back in the console (after leaving the shop), the commission is pending on Ana's dashboard.
    agent.get_by_role("button", name="Exit to the console").click()
    agent.wait_for_url(f"**/console/customers/{marta.pk}/")
    agent.goto("/console/dashboard/")
    assert kpi(agent, "pending") == "8.90"
    screenshot(agent, "shop-as-dashboard-after-payment")
