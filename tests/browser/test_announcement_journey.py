"""In real Chromium: an admin publishes an announcement to a store; an associate there sees the badge, reads it;
the admin sees the read receipt. The associate's page also reads well on a phone."""

import pytest
from playwright.sync_api import expect

from shopfloor.comms.models import AnnouncementRead
from tests.browser.conftest import screenshot
from tests.factories import PASSWORD

MOBILE = {"width": 390, "height": 844}


def sign_in(page, email, landing="**/console/**"):
    page.goto("/console/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(landing)


@pytest.fixture
def team(transactional_db, world):
    return world


def test_an_announcement_is_published_read_and_its_receipt_seen(new_page, team):
    admin = new_page()
    sign_in(admin, "admin@example.com")
    admin.goto("/console/announcements/")
    admin.get_by_label("Title").fill("Spring window displays")
    admin.get_by_label("Message").fill("New displays arrive **Monday**.\n\n- Unpack by noon\n- Photos in Messages")
    admin.get_by_label("Some stores").check()
    admin.get_by_label("North Store").check()
    expect(admin.get_by_label("South Store")).to_be_visible()
    expect(admin.locator('[data-audience="groups"]')).to_be_hidden()
    screenshot(admin, "announcement-form")
    admin.get_by_role("button", name="Publish").click()
    admin.wait_for_url("**/console/announcements/*/")
    expect(admin.get_by_text("Read by 0 of 3")).to_be_visible()
    # The list beside the form: the audience and the read count on each announcement.
    admin.goto("/console/announcements/")
    item = admin.get_by_role("list", name="Announcements").get_by_role("listitem")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("Some stores: North Store · 0 read")
    screenshot(admin, "announcements-list-desktop")
    admin.go_back()

    ana = new_page(viewport=MOBILE)
    sign_in(ana, "ana@example.com")
    ana.get_by_role("button", name="Menu").click()
    link = ana.get_by_role("link", name="Announcements")
    expect(link.locator(".nav__badge")).to_have_text("1 waiting")
    screenshot(ana, "announcement-badge-mobile")
    link.click()
    ana.get_by_role("link", name="Spring window displays").click()
    expect(ana.locator("article strong")).to_have_text("Monday")
    screenshot(ana, "announcement-read-mobile")
    ana.reload()
    ana.get_by_role("button", name="Menu").click()
    expect(ana.get_by_role("link", name="Announcements").locator(".nav__badge")).to_have_count(0)
    assert AnnouncementRead.objects.filter(associate=team.ana).count() == 1

    # Tom (South) never sees it.
    tom = new_page()
    sign_in(tom, "tom@example.com")
    tom.goto("/console/announcements/")
    expect(tom.get_by_text("No announcements yet")).to_be_visible()

    # The messages page shares the announcements' list frame: Ana starts a conversation from its form.
    ana.goto("/console/messages/")
    expect(ana.get_by_text("No conversations yet")).to_be_visible()
    ana.get_by_label("Subject").fill("Display stand for the window")
    ana.get_by_label("Message").fill("Could we get one more stand?")
    ana.get_by_role("button", name="Send").click()
    ana.wait_for_url("**/console/messages/*/")
    ana.goto("/console/messages/")
    conversation = ana.get_by_role("list", name="Conversations").get_by_role("listitem")
    expect(conversation).to_have_count(1)
    expect(conversation).to_contain_text("Ana Pop and the retailer")
    screenshot(ana, "messages-list-mobile")

    admin.reload()
    expect(admin.get_by_text("Read by 1 of 3")).to_be_visible()
    expect(admin.locator('[data-receipt="Ana Pop"]')).to_contain_text("Read")
    expect(admin.locator('[data-receipt="Bruno Dias"]')).to_contain_text("Not yet")
    screenshot(admin, "announcement-receipts")
