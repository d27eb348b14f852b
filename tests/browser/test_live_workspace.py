"""In real Chromium: shoppers browse the demo shop (which embeds /widget.js, and so /widget/live.js) while an
associate watches /console/live; chat both ways through a reconnect; Navigate moves the shopper's page."""

import json
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.factories import PASSWORD

NARROW = {"width": 390, "height": 844}


@pytest.fixture
def shop(transactional_db, world):
    return world


def sign_in(page, email, live=True):
    page.goto("/console/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/console/**")
    page.goto("/console/live/")
    if live:
        expect(page.locator("[data-connection]")).to_have_class(re.compile("is-live"))


def shopper(new_page, path="/shop/"):
    page = new_page()
    page.goto(path)
    # The widget drew its launcher: the live feature started and said hello.
    expect(page.locator("[data-sfl-launcher]")).to_be_visible()
    return page


def visitor_rows(page):
    return page.locator("[data-visitor]")


def test_the_workspace_says_it_is_live_once_it_has_drawn_the_snapshot(new_page, shop):
    associate = new_page()
    held = {"frames": [], "holding": True, "socket": None}

    def hold_back_the_servers_frames(socket):
        server = socket.connect_to_server()
        held["socket"] = socket

        def from_server(frame):
            if held["holding"]:
                held["frames"].append(frame)
            else:
                socket.send(frame)

        server.on_message(from_server)

    associate.route_web_socket(re.compile(r"/ws/live/associate/$"), hold_back_the_servers_frames)
    sign_in(associate, "ana@example.com", live=False)
    for _ in range(200):  # the socket is open and the snapshot has come (held back here)
        if held["frames"]:
            break
        associate.wait_for_timeout(50)
    assert json.loads(held["frames"][0])["type"] == "snapshot"
    # Until the snapshot is drawn, a click (on Available, say) could still be undone by it: not live yet.
    expect(associate.locator("[data-connection]")).not_to_have_class(re.compile("is-live"))
    held["holding"] = False
    for frame in held["frames"]:
        held["socket"].send(frame)
    expect(associate.locator("[data-connection]")).to_have_class(re.compile("is-live"))


def test_the_workspace_shows_shoppers_live_longest_on_site_first(new_page, shop, live_server_url):
    associate = new_page()
    sign_in(associate, "ana@example.com")
    expect(associate.locator("[data-empty]")).to_be_visible()

    first = shopper(new_page, "/shop/")
    expect(visitor_rows(associate)).to_have_count(1)
    second = shopper(new_page, "/shop/bag/")
    first.goto("/shop/products/")
    # The widget must have started on a page to report it (a page left sooner is never seen).
    expect(first.locator("[data-sfl-launcher]")).to_be_visible()
    first.goto("/shop/search/?q=chair")
    expect(first.locator("[data-sfl-launcher]")).to_be_visible()
    # A single-page-app navigation counts as a page view too.
    first.evaluate("history.pushState({}, '', '/shop/search/?q=lamp'); document.title = 'Lamps'")

    # Input keeps the first shopper active (on a slow machine a minute without any would make them idle).
    first.mouse.move(20, 20)
    rows = visitor_rows(associate)
    expect(rows).to_have_count(2)
    expect(rows.nth(0).locator("[data-current-page]")).to_have_attribute(
        "href", f"{live_server_url}/shop/search/?q=lamp")
    expect(rows.nth(1).locator("[data-current-page]")).to_have_attribute("href", f"{live_server_url}/shop/bag/")
    expect(rows.nth(0)).to_have_attribute("data-status", "active")
    expect(rows.nth(0).locator("[data-visit-count]")).to_have_text("1")

    # Opening the first shopper shows their browsing history, newest first.
    rows.nth(0).get_by_role("button").click()
    history = associate.locator("[data-history] li")
    expect(history).to_have_count(4)
    expect(history.nth(0)).to_contain_text("Lamps")
    expect(associate.locator("[data-history-summary]")).to_contain_text("1 visit, 4 page views")
    screenshot(associate, "live-workspace-desktop")

    # The second shopper closes their tab: offline, still listed for a while.
    second.context.close()
    expect(rows.nth(1)).to_have_attribute("data-status", "offline", timeout=15_000)

    narrow = new_page(viewport=NARROW)
    sign_in(narrow, "ana@example.com")
    expect(visitor_rows(narrow)).to_have_count(2)
    screenshot(narrow, "live-workspace-narrow")


def test_chat_both_ways_survives_a_reconnect_without_lost_or_doubled_messages(new_page, shop, live_server_url):
    associate = new_page()
    sign_in(associate, "ana@example.com")
    associate.get_by_label("Available", exact=True).check()

    visitor = shopper(new_page, "/shop/")
    launcher = visitor.locator("[data-sfl-launcher]")
    expect(launcher).to_have_text("Talk to us")
    launcher.click()
    visitor.locator("[data-sfl-input]").fill("Hello, is the oak table in stock?")
    visitor.locator("[data-sfl-input]").press("Enter")

    row = visitor_rows(associate).first
    expect(row.locator("[data-unread]")).to_be_visible()
    row.get_by_role("button").click()
    associate.locator("[data-take]").click()
    messages = associate.locator("[data-messages] li")
    expect(messages.first).to_contain_text("Hello, is the oak table in stock?")
    associate.get_by_label("Message to the visitor").fill("Yes, two left.")
    associate.get_by_label("Message to the visitor").press("Enter")

    visitor_messages = visitor.locator("[data-sfl-messages] li")
    expect(visitor_messages.last).to_contain_text("Yes, two left.")
    expect(visitor.locator("[data-sfl-status]")).to_contain_text("You are talking to Ana Pop")
    # Rows already shown stay as they are when more arrive (the list is aria-live: only new ones are read out).
    visitor_messages.first.evaluate("row => row.setAttribute('data-shown-before', '')")

    # The shopper's connection drops; the associate writes while it is down; it comes back by itself.
    visitor.evaluate("window.shopfloorLive.socket.close()")
    associate.get_by_label("Message to the visitor").fill("Shall I reserve one?")
    associate.get_by_label("Message to the visitor").press("Enter")
    expect(visitor_messages.last).to_contain_text("Shall I reserve one?", timeout=15_000)
    visitor.locator("[data-sfl-input]").fill("Yes please!")
    visitor.locator("[data-sfl-input]").press("Enter")
    expect(messages.last).to_contain_text("Yes please!")

    # The visitor's own message shows once the server has numbered it and sent it back to the visitor's
    # tab, which may be a moment after the associate's tab shows it.
    expect(visitor_messages).to_have_text(["Hello, is the oak table in stock?", "Ana Pop joined the chat.",
                                           "Ana Pop\nYes, two left.", "Ana Pop\nShall I reserve one?", "Yes please!"],
                                          use_inner_text=True)
    seqs = [int(seq) for seq in visitor_messages.evaluate_all("items => items.map(i => i.dataset.seq)")]
    assert seqs == [1, 2, 3, 4, 5]
    expect(visitor_messages.first).to_have_attribute("data-shown-before", "")
    screenshot(visitor, "live-widget-chat")
    screenshot(associate, "live-workspace-chat")


def test_navigate_moves_the_shoppers_page(new_page, shop, live_server_url):
    associate = new_page()
    sign_in(associate, "ana@example.com")
    visitor = shopper(new_page, "/shop/")
    visitor_rows(associate).first.get_by_role("button").click()
    associate.locator("[data-start-chat]").click()
    expect(associate.locator("[data-navigate]")).to_be_visible()

    associate.get_by_label("Show the visitor a page").fill("https://evil.example/phish")
    associate.get_by_role("button", name="Navigate").click()
    expect(associate.locator("[data-navigate-error]")).to_contain_text("Only pages of this store's own storefront")

    associate.get_by_label("Show the visitor a page").fill(f"{live_server_url}/shop/products/")
    associate.get_by_role("button", name="Navigate").click()
    visitor.wait_for_url(f"{live_server_url}/shop/products/")
    expect(visitor_rows(associate).first.locator("[data-current-page]")).to_have_attribute(
        "href", f"{live_server_url}/shop/products/")
