"""In real Chromium: an associate works a customer's record — preferences, a pinned note, a task completed with
its outcome — and sees it all on the timeline; then the tasks page and the KPIs, on a phone too."""

from datetime import date

import pytest
from playwright.sync_api import expect

from shopfloor.clienteling import rules
from shopfloor.clienteling.models import Task, TaskRule
from tests.browser.conftest import screenshot
from tests.factories import PASSWORD

MOBILE = {"width": 390, "height": 844}


def sign_in(page, email):
    page.goto("/console/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/console/**")


@pytest.fixture
def record(transactional_db, world, place_order):
    place_order(world.anas_customer, "120.00", external_id="W-RECORD-1")
    world.anas_customer.birthday = date.today()
    world.anas_customer.save()
    rules.ensure_rules()
    TaskRule.objects.filter(key="birthday").update(enabled=True)
    rules.run_rules()
    return world.anas_customer


def test_an_associate_works_a_customers_record(new_page, world, record):
    page = new_page()
    sign_in(page, "ana@example.com")
    page.goto(f"/console/customers/{record.pk}/")

    page.get_by_text("Edit preferences").click()
    page.get_by_label("Sizes").fill("tops: M, shoes: 38")
    page.get_by_label("Brands").fill("Linho, Sol")
    page.get_by_role("button", name="Save preferences").click()
    expect(page.get_by_text("Preferences saved.")).to_be_visible()
    expect(page.locator("[data-preferences]")).to_contain_text("Shoes: 38")

    page.get_by_label("New note").fill("Getting married in June; wants a linen suit.")
    page.get_by_label("Pin to the top").check()
    page.get_by_role("button", name="Add note").click()
    expect(page.locator("[data-notes]")).to_contain_text("Getting married in June")
    expect(page.locator(".note--pinned")).to_have_count(1)

    # The birthday rule's task is on the record, with its suggested message.
    page.locator("[data-customer-tasks]").get_by_role("link", name="Birthday: Alice Almeida").click()
    expect(page.locator("#suggested-message")).to_have_value("Happy birthday, Alice! Everyone at North Store "
                                                              "wishes you a wonderful day. Come and see us this "
                                                              "month for a small gift. — Ana Pop")
    screenshot(page, "task-detail")
    page.get_by_label("Outcome").fill("Sent the wishes by SMS; she will visit on Saturday.")
    page.get_by_role("button", name="Mark done").click()
    expect(page.get_by_text("Done: Birthday: Alice Almeida")).to_be_visible()
    assert Task.objects.get().outcome == "Sent the wishes by SMS; she will visit on Saturday."

    page.goto(f"/console/customers/{record.pk}/")
    timeline = page.locator("[data-timeline]")
    expect(timeline).to_contain_text("Done: Birthday: Alice Almeida")
    expect(timeline).to_contain_text("Note by Ana Pop")
    expect(timeline).to_contain_text("Order W-RECORD-1")
    screenshot(page, "customer-record-desktop")

    phone = new_page(viewport=MOBILE)
    sign_in(phone, "ana@example.com")
    phone.goto(f"/console/customers/{record.pk}/")
    expect(phone.locator("[data-timeline]")).to_be_visible()
    screenshot(phone, "customer-record-mobile")
    phone.goto("/console/tasks/?view=done")
    expect(phone.locator("[data-tasks]")).to_contain_text("Birthday: Alice Almeida")
    screenshot(phone, "tasks-mobile")
    phone.goto("/console/kpis/")
    expect(phone.locator('[data-kpi="tasks-done"]')).to_contain_text("1")
    screenshot(phone, "kpis-mobile")


def test_an_admin_enables_a_rule_and_runs_it(new_page, world, record):
    page = new_page()
    sign_in(page, world.admin.email)
    page.goto("/console/task-rules/")
    rule = page.locator("#rule-win_back")
    rule.get_by_text("Tune").click()
    rule.get_by_label("Enabled").check()
    rule.get_by_label("N (days)").fill("60")
    rule.get_by_role("button", name="Save win back").click()
    expect(page.get_by_text("Win back saved.")).to_be_visible()
    page.get_by_role("button", name="Run the enabled rules now").click()
    expect(page.get_by_text("The rules ran: 0 new tasks.")).to_be_visible()
    assert TaskRule.objects.get(key="win_back").days == 60
    screenshot(page, "task-rules-admin")
    page.goto("/console/tasks/?view=today")
    expect(page.locator("[data-tasks]")).to_contain_text("Birthday: Alice Almeida")
    screenshot(page, "tasks-admin-desktop")
