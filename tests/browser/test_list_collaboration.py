"""In real Chromium: the associate notifies the customer from the console list page; the customer opens the
emailed link, comments and changes a quantity; the console list page shows both. Desktop and phone."""

import re
import time
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from shopfloor.access import actor_for
from shopfloor.catalog.models import Product
from shopfloor.lists import services
from shopfloor.lists.models import ListComment
from tests.browser.conftest import ARTIFACTS, screenshot
from tests.factories import PASSWORD

MOBILE = {"width": 390, "height": 844}


@pytest.fixture
def shared_list(transactional_db, world):
    for sku, name, price in [("LAMP-1", "Cork Table Lamp", "89.00"), ("THROW-2", "Linen Sofa Throw", "59.50"),
                             ("BOWL-3", "Stoneware Serving Bowl", "34.00")]:
        Product.objects.create(sku=sku, name=name, price=Decimal(price))
    ana = actor_for(world.ana.user)
    customer_list = services.create_list(ana, world.anas_customer, f"Living room {uuid.uuid4().hex[:6]}")
    services.save_product(ana, [customer_list], "LAMP-1", "Living room", 2, "By the reading chair")
    services.save_product(ana, [customer_list], "THROW-2", "Living room")
    services.save_product(ana, [customer_list], "BOWL-3", "Kitchen", 4)
    services.add_comment(ana, customer_list, "A first selection after your visit on Tuesday.")
    return customer_list


def emailed_link(address: str, subject_part: str, timeout: float = 10) -> str:
    """The collaboration link in the email to `address` about `subject_part` (others write mail here too)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in sorted(Path(ARTIFACTS / "mail").glob("*.log")):
            for message in path.read_text(errors="replace").split("-" * 79):
                if f"To: {address}" in message and subject_part in message:
                    return re.search(r"https?://\S+/c/list/[\w-]+/", message).group(0)
        time.sleep(0.2)
    raise AssertionError(f"No email to {address} about {subject_part}")


def sign_in(page, email):
    page.goto("/console/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/console/dashboard/")


def test_the_customer_collaborates_through_the_emailed_link_and_the_console_shows_it(new_page, world, shared_list):
    associate = new_page()
    sign_in(associate, "ana@example.com")
    associate.goto(f"/console/lists/{shared_list.pk}/")
    associate.get_by_text("List actions").click()
    associate.get_by_role("button", name="Notify customer").first.click()
    expect(associate.get_by_text("was emailed a link to the list")).to_be_visible()
    link = emailed_link(world.anas_customer.email, shared_list.name)

    # The customer, in their own browser, without signing in.
    customer = new_page()
    customer.goto(link)
    expect(customer.get_by_role("heading", name=shared_list.name)).to_be_visible()
    expect(customer.get_by_role("heading", name="Kitchen")).to_be_visible()
    customer.get_by_label("Comment on the list").fill("Lovely! Could the throw come in olive?\nThanks, Alice")
    customer.get_by_role("button", name="Post comment").last.click()
    expect(customer.get_by_text("your comment is posted")).to_be_visible()
    bowl = customer.locator('[data-item="BOWL-3"]')
    bowl.get_by_label("Quantity").fill("6")
    bowl.get_by_role("button", name="Update").click()
    expect(customer.get_by_text("Stoneware Serving Bowl: quantity saved.")).to_be_visible()
    assert customer.locator('[data-item="BOWL-3"]').get_by_label("Quantity").input_value() == "6"
    customer.evaluate("window.scrollTo(0, 0)")
    screenshot(customer, "list-collaborate-desktop")
    customer.set_viewport_size(MOBILE)
    customer.reload()
    screenshot(customer, "list-collaborate-mobile")

    comment = ListComment.objects.get(author_customer=world.anas_customer)
    assert comment.body == "Lovely! Could the throw come in olive?\nThanks, Alice"

    # The associate's page shows the customer's comment and the new quantity; her bell counts it.
    associate.reload()
    expect(associate.get_by_text("Lovely! Could the throw come in olive?")).to_be_visible()
    assert associate.locator('[data-item="BOWL-3"] [data-quantity]').inner_text() == "6"
    expect(associate.locator(".bell__count")).to_have_text("1")
    screenshot(associate, "list-console-desktop")
    associate.set_viewport_size(MOBILE)
    associate.reload()
    expect(associate.get_by_text("Lovely! Could the throw come in olive?")).to_be_visible()
    screenshot(associate, "list-console-mobile")

    # The lists index and the duplicate page, on the phone.
    associate.goto("/console/lists/")
    expect(associate.get_by_role("link", name=shared_list.name)).to_be_visible()
    screenshot(associate, "list-index-mobile")
    associate.goto(f"/console/lists/{shared_list.pk}/duplicate/?q=filipa")
    expect(associate.get_by_text("Filipa Faria")).to_be_visible()
    screenshot(associate, "list-duplicate-mobile")

    # A tampered link is a clear 404 page, never an error.
    response = customer.goto(link[:-2] + ("0/" if link[-2] != "0" else "1/"))
    assert response.status == 404
    expect(customer.get_by_role("heading", name="This link does not open a list")).to_be_visible()
    screenshot(customer, "list-link-refused-mobile")
