"""Issue 4's journey in real Chromium: an associate signs in to the demo shop, the associate panel
appears, they pick a customer, create a list, save a product from a collection page and one from a
product page into two rooms, comment on the list and on an item, and notify the customer; the customer
opens the emailed link in a browser of their own, comments and changes a quantity; the associate sees
the alert. Screenshots of the panel and its modals (desktop and phone) land in test-artifacts/."""

import http.server
import re
import threading
import time

import pytest
from playwright.sync_api import expect

from shopfloor.access import actor_for
from shopfloor.accounts.models import Associate
from shopfloor.catalog.models import Product
from shopfloor.comms.models import Notification
from shopfloor.demo.seed import DEMO_PASSWORD, seed_demo
from shopfloor.lists.models import CustomerList, ListComment, ListItem
from shopfloor.lists.services import create_list
from shopfloor.widget.models import WidgetSettings
from shopfloor.widget.services import sign_identity
from tests.browser.conftest import ARTIFACTS, screenshot
from tests.factories import make_associate, make_customer, make_store

ASSOCIATE_EMAIL = "ana.ribeiro@shopfloor.demo"
CUSTOMER_EMAIL = "leonor.quaresma.lists-journey@example.com"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def demo(transactional_db):
    seed_demo()
    ana = Associate.objects.select_related("store").get(user__email=ASSOCIATE_EMAIL)
    customer = make_customer(ana.store, "Leonor", "Quaresma", primary=ana, email=CUSTOMER_EMAIL)
    return ana, customer


def sign_in_to_the_shop(page, email):
    page.goto("/shop/account/login/")
    form = page.locator("main")  # the widget's own forms (live chat) live outside the page's main
    form.get_by_label("Email").fill(email)
    form.get_by_label("Password").fill(DEMO_PASSWORD)
    form.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/shop/account/")


def panel(page):
    return page.get_by_role("region", name="Shopfloor associate panel")


def collaboration_link(recipient: str, after: float, timeout: float = 10.0) -> str:
    """The list link in the newest email to `recipient` written since `after` (others' mail shares the folder)."""
    deadline = time.monotonic() + timeout
    pattern = re.compile(r"https?://[^\s\"'<>]+/c/list/[^\s\"'<>]+/")
    while time.monotonic() < deadline:
        for path in sorted((ARTIFACTS / "mail").glob("*"), key=lambda p: p.stat().st_mtime, reverse=True):
            if path.stat().st_mtime < after - 1:
                continue
            text = path.read_text(errors="replace")
            for message in text.split("-" * 79):
                if re.search(rf"^To: .*{re.escape(recipient)}", message, re.MULTILINE | re.IGNORECASE):
                    found = pattern.search(message.replace("=\n", ""))
                    if found:
                        return found.group(0)
        time.sleep(0.2)
    raise AssertionError(f"no list link emailed to {recipient}")


def test_an_associate_builds_a_list_in_the_shop_and_the_customer_collaborates(new_page, demo):
    ana, customer = demo
    page = new_page()
    sign_in_to_the_shop(page, ASSOCIATE_EMAIL)

    # The panel is there on the first page, without waiting for anything else.
    collection = Product.objects.exclude(category=None).select_related("category").order_by("category__name",
                                                                                            "name").first().category
    page.goto(f"/shop/collections/{collection.slug}/")
    expect(panel(page)).to_be_visible()
    expect(panel(page)).to_contain_text("None selected")

    # Pick the customer: search, radio, Select & Proceed.
    panel(page).get_by_role("button", name=re.compile("Customer")).click()
    dialog = page.get_by_role("dialog", name="Customer and lists")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_text("Your recent customers")).to_be_visible()
    dialog.get_by_label("Search your customers").fill("Leonor")
    dialog.get_by_role("radio", name=re.compile("Leonor Quaresma")).check()
    page.screenshot(path=str(ARTIFACTS / "lists-journey-1-customer-modal.png"))
    dialog.get_by_role("button", name="Select & Proceed").click()

    # Create a list; it is selected at once.
    expect(dialog.get_by_role("heading", name="Customer: Leonor Quaresma")).to_be_visible()
    dialog.get_by_label("New list").fill("Lisbon flat")
    dialog.get_by_role("button", name="Create list").click()
    expect(dialog.get_by_role("checkbox", name=re.compile("Lisbon flat"))).to_be_checked()
    page.screenshot(path=str(ARTIFACTS / "lists-journey-2-lists-modal.png"))
    dialog.get_by_role("button", name="Done").click()
    expect(dialog).to_be_hidden()
    expect(panel(page)).to_contain_text("Leonor Quaresma")
    expect(panel(page)).to_contain_text("Lisbon flat")
    customer_list = CustomerList.objects.get(customer=customer, name="Lisbon flat")

    # Save from the collection page into a new room.
    first = Product.objects.filter(category=collection).order_by("-in_stock", "name", "id").first()
    page.get_by_role("button", name=f"Save {first.name} to a list").click()
    save_dialog = page.get_by_role("dialog", name=f"Save “{first.name}”")
    expect(save_dialog).to_be_visible()
    save_dialog.get_by_label("New room").fill("Living room")
    save_dialog.get_by_label("Quantity").fill("2")
    save_dialog.get_by_label("Note").fill("The natural linen one")
    page.screenshot(path=str(ARTIFACTS / "lists-journey-3-save-modal.png"))
    save_dialog.get_by_role("button", name="Save", exact=True).click()
    expect(save_dialog).to_be_hidden()
    expect(page.get_by_role("status").filter(has_text="saved to")).to_contain_text("Living room")
    screenshot(page, "lists-journey-4-collection-with-save-buttons")

    # Save from a product page (another collection) into a second room.
    second = Product.objects.exclude(category=collection).exclude(category=None).order_by("name").first()
    page.goto(f"/shop/products/{second.sku}/")
    expect(panel(page)).to_contain_text("Lisbon flat")  # the selection followed the associate
    page.get_by_role("button", name=f"Save {second.name} to a list").first.click()
    save_dialog = page.get_by_role("dialog", name=f"Save “{second.name}”")
    expect(save_dialog.get_by_label("Room", exact=True)).to_have_value("Living room")
    save_dialog.get_by_label("Room", exact=True).select_option(label="New room…")
    save_dialog.get_by_label("New room").fill("Bedroom")
    save_dialog.get_by_role("button", name="Save", exact=True).click()
    expect(save_dialog).to_be_hidden()
    page.screenshot(path=str(ARTIFACTS / "lists-journey-5-product-page.png"))

    items = ListItem.objects.filter(list=customer_list).select_related("room", "product").order_by("id")
    assert [(i.product.sku, i.room.name, i.quantity, i.note) for i in items] == [
        (first.sku, "Living room", 2, "The natural linen one"), (second.sku, "Bedroom", 1, ""),
    ]

    # The heart opens the list in the console, in a new tab.
    with page.context.expect_page() as opened:
        panel(page).get_by_role("link", name="Open the list Lisbon flat (new tab)").click()
    console = opened.value
    console.wait_for_load_state()
    expect(console.get_by_role("heading", level=1, name="Lisbon flat")).to_be_visible()

    # Comment on the list and on an item, then notify the customer.
    console.get_by_label("Comment on the list").fill("Two rooms to start with — tell me what you think.")
    console.locator("#comments").get_by_role("button", name="Comment").click()
    expect(console.locator("#comments")).to_contain_text("Two rooms to start with")
    item = console.locator(f"li.list-item[data-item='{second.sku}']")
    item.locator("details.thread > summary").click()
    item.get_by_label(f"Comment on {second.name}").fill("This one also comes in oak.")
    item.get_by_role("button", name="Comment").click()
    expect(console.locator(f"li.list-item[data-item='{second.sku}']")).to_contain_text("This one also comes in oak.")

    # Edit opens the item's form (read when it opens) and saves its quantity and note.
    first_item = console.locator(f"li.list-item[data-item='{first.sku}']")
    first_item.locator("details.list-item__edit > summary").click()
    first_item.get_by_label("Quantity", exact=True).fill("4")
    first_item.get_by_label("Note").fill("The natural linen one, four of them")
    screenshot(console, "lists-journey-5b-console-edit-item")
    first_item.get_by_role("button", name="Save", exact=True).click()
    expect(console.locator(f"li.list-item[data-item='{first.sku}'] [data-quantity]")).to_have_text("4")
    expect(console.locator(f"li.list-item[data-item='{first.sku}']")).to_contain_text("four of them")
    notified_at = time.time()
    console.locator(".share-notify").get_by_role("button", name="Notify customer").click()
    expect(console.get_by_label("Collaboration link")).to_be_visible()
    assert ListComment.objects.filter(list=customer_list).count() == 2

    # The customer, in a browser of their own, opens the emailed link, comments and changes a quantity.
    link = collaboration_link(CUSTOMER_EMAIL, notified_at)
    shopper = new_page()
    shopper.goto(link)
    expect(shopper.get_by_role("heading", level=1, name="Lisbon flat")).to_be_visible()
    expect(shopper.get_by_role("heading", name="Living room")).to_be_visible()
    expect(shopper.get_by_role("heading", name="Bedroom")).to_be_visible()
    shopper.get_by_label("Comment on the list").fill("Love the linen! Could we see it in grey?")
    shopper.locator("#comments").get_by_role("button", name="Post comment").click()
    expect(shopper.locator("#comments")).to_contain_text("Could we see it in grey?")
    quantity = shopper.locator(f"li[data-item='{second.sku}']").get_by_label("Quantity", exact=True)
    quantity.fill("3")
    shopper.locator(f"li[data-item='{second.sku}']").get_by_role("button", name=re.compile("^Update")).click()
    expect(shopper.locator(f"li[data-item='{second.sku}']").get_by_label("Quantity", exact=True)).to_have_value("3")
    assert ListItem.objects.get(list=customer_list, product=second).quantity == 3

    # The associate sees the alert: the bell counts it and the list shows the customer's comment.
    assert Notification.objects.filter(user=ana.user, kind="list_comment").exists()
    console.reload()
    expect(console.locator("#comments")).to_contain_text("Could we see it in grey?")
    expect(console.locator(f"li.list-item[data-item='{second.sku}'] [data-quantity]")).to_have_text("3")
    screenshot(console, "lists-journey-6-console-list-after-customer")
    console.get_by_role("link", name=re.compile(r"^Notifications, \d+ unread")).click()
    expect(console.get_by_text("Leonor Quaresma commented in “Lisbon flat”").first).to_be_visible()


def test_the_panel_and_its_modals_fit_a_phone(new_page, demo):
    page = new_page(viewport=PHONE)
    sign_in_to_the_shop(page, ASSOCIATE_EMAIL)
    page.goto("/shop/products/")

    expect(panel(page)).to_be_visible()
    box = panel(page).bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    page.screenshot(path=str(ARTIFACTS / "lists-journey-phone-panel.png"))
    panel(page).get_by_role("button", name=re.compile("Customer")).click()
    dialog = page.get_by_role("dialog", name="Customer and lists")
    expect(dialog.get_by_role("radio").first).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "lists-journey-phone-customer-modal.png"))
    dialog.get_by_role("button", name="Create New Customer").click()
    expect(dialog.get_by_label("First name")).to_be_focused()
    page.screenshot(path=str(ARTIFACTS / "lists-journey-phone-new-customer.png"))
    # Tab and Shift+Tab stay inside the modal.
    for key in ["Tab"] * 12 + ["Shift+Tab"] * 14:
        page.keyboard.press(key)
        assert page.evaluate(
            "document.querySelector('#shopfloor-widget').shadowRoot.activeElement?.closest('dialog') != null"
        ), f"focus left the modal after {key}"
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    # Save without a customer explains what to do first.
    page.get_by_role("button", name=re.compile(r"^Save .* to a list$")).first.click()
    save_dialog = page.get_by_role("dialog", name=re.compile("^Save "))
    expect(save_dialog.get_by_role("alert")).to_have_text("Select a customer first, then one or more of their lists.")
    page.screenshot(path=str(ARTIFACTS / "lists-journey-phone-save-without-customer.png"))
    save_dialog.get_by_role("button", name="Choose a customer").click()
    expect(page.get_by_role("dialog", name="Customer and lists")).to_be_visible()


@pytest.fixture
def outside_shop():
    """A storefront of the retailer's own on another origin (another port), served by the test: it embeds
    the widget by the README's recipe. Yields (origin, set_html)."""
    pages = {"html": ""}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the standard library's name)
            body = pages["html"].encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", pages
    server.shutdown()
    server.server_close()


def embed(pages, live_server_url, store, email):
    identity, signature = sign_identity(store, email=email)
    pages["html"] = f"""<!doctype html><html lang="en"><head><title>Outside shop</title>
        <style>button {{ background: hotpink !important; font-size: 40px !important; }} * {{ color: lime; }}</style>
        </head><body><h1>Outside shop</h1>
        <article data-shopfloor-sku="LAMP-1" data-shopfloor-name="Oak lamp"><h2>Oak lamp</h2></article>
        <script type="module" src="{live_server_url}/widget.js" data-store="{store.widget_key}"
                data-identity="{identity}" data-signature="{signature}"></script></body></html>"""


def test_an_outside_storefront_on_a_listed_origin_gets_the_panel_and_save_buttons(new_page, live_server_url,
                                                                                  outside_shop, transactional_db):
    origin, pages = outside_shop
    store = make_store("outside", "Outside Store")
    ana = make_associate(store, "Ana Outside", "ana.outside@example.com")
    Product.objects.create(sku="LAMP-1", name="Oak lamp", price="120.00")
    embed(pages, live_server_url, store, ana.user.email)

    refused = new_page()
    with refused.expect_console_message(lambda message: "/widget/session" in message.text) as refusal:
        refused.goto(f"{origin}/lamps")
    assert "CORS" in refusal.value.text  # the origin is not listed yet: the browser is refused the session
    expect(panel(refused)).to_have_count(0)

    WidgetSettings.objects.create(store=store, allowed_origins=origin)
    page = new_page()
    page.goto(f"{origin}/lamps")
    expect(panel(page)).to_be_visible()
    save = page.get_by_role("button", name="Save Oak lamp to a list")
    expect(save).to_be_visible()
    # The storefront's own CSS does not reach inside the widget's shadow roots.
    assert save.evaluate("button => getComputedStyle(button).backgroundColor") != "rgb(255, 105, 180)"
    save.click()
    expect(page.get_by_role("dialog", name="Save “Oak lamp”").get_by_role("alert")).to_contain_text(
        "Select a customer first")
    page.screenshot(path=str(ARTIFACTS / "lists-journey-outside-storefront.png"))
    page.keyboard.press("Escape")
    expect(save).to_be_focused()  # focus returns to the button that opened the modal


def test_a_list_created_before_the_lists_answer_arrives_stays_listed_and_selected(new_page, demo):
    """The panel asks for the customer's lists as the step opens. If the associate creates a list before
    that answer arrives, the answer (read before the list existed) must not drop the new list."""
    ana, customer = demo
    create_list(actor_for(ana.user), customer, "Lisbon flat")
    page = new_page()
    sign_in_to_the_shop(page, ASSOCIATE_EMAIL)
    held = []

    def hold_the_first_read(route):
        if route.request.method == "GET" and not held:
            held.append((route, route.fetch()))  # read now, answered only after the create
        else:
            route.continue_()

    page.route(re.compile(rf"/widget/customers/{customer.pk}/lists$"), hold_the_first_read)
    page.goto("/shop/")
    panel(page).get_by_role("button", name=re.compile("Customer")).click()
    dialog = page.get_by_role("dialog", name="Customer and lists")
    dialog.get_by_label("Search your customers").fill("Leonor")
    dialog.get_by_role("radio", name=re.compile("Leonor Quaresma")).check()
    dialog.get_by_role("button", name="Select & Proceed").click()
    expect(dialog.get_by_role("heading", name="Customer: Leonor Quaresma")).to_be_visible()
    deadline = time.monotonic() + 10
    while not held and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    assert held, "the panel did not ask for the customer's lists"

    dialog.get_by_label("New list").fill("Porto house")
    dialog.get_by_role("button", name="Create list").click()
    expect(dialog.get_by_role("checkbox", name=re.compile("Porto house"))).to_be_checked()
    route, stale = held[0]
    assert "Porto house" not in stale.text()
    route.fulfill(response=stale)

    # The late answer is shown (it brings the older list) and the new one is still there, still chosen.
    older = dialog.get_by_role("checkbox", name=re.compile("Lisbon flat"))
    expect(older).to_be_visible()
    expect(older).not_to_be_checked()
    expect(dialog.get_by_role("checkbox", name=re.compile("Porto house"))).to_be_checked()
    dialog.get_by_role("button", name="Done").click()
    expect(panel(page)).to_contain_text("Porto house")
    assert CustomerList.objects.filter(customer=customer, name="Porto house").count() == 1


def test_a_customer_picked_while_a_search_is_on_its_way_stays_picked(new_page, demo):
    """The associate picks a recent customer while a search they typed is still on its way: the search's
    answer redraws the choices and must keep the pick when the customer is among them."""
    page = new_page()
    sign_in_to_the_shop(page, ASSOCIATE_EMAIL)
    held = []

    def hold_the_search(route):
        if "q=" in route.request.url and not held:
            held.append((route, route.fetch()))
        else:
            route.continue_()

    page.route(re.compile(r"/widget/customers(\?.*)?$"), hold_the_search)
    page.goto("/shop/")
    panel(page).get_by_role("button", name=re.compile("Customer")).click()
    dialog = page.get_by_role("dialog", name="Customer and lists")
    first_recent = dialog.get_by_role("radio").first
    expect(first_recent).to_be_visible()
    name = first_recent.get_attribute("data-name")
    dialog.get_by_label("Search your customers").fill(name.split()[0])
    deadline = time.monotonic() + 10
    while not held and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    assert held, "the panel did not search"
    first_recent.check()
    route, answer = held[0]
    route.fulfill(response=answer)
    expect(dialog.get_by_text(f"matching “{name.split()[0]}”")).to_be_visible()
    expect(dialog.get_by_role("radio", name=re.compile(re.escape(name)))).to_be_checked()
    dialog.get_by_role("button", name="Select & Proceed").click()
    expect(dialog.get_by_role("heading", name=f"Customer: {name}")).to_be_visible()
