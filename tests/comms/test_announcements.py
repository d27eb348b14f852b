"""Announcements: audiences (all, stores, agent groups), scheduling, sanitised Markdown, read receipts."""

import json
import re
from datetime import timedelta

import pytest
from django.core import mail

from shopfloor.accounts.models import AgentGroup
from shopfloor.comms.models import Announcement, AnnouncementRead, Notification, NotificationKind
from shopfloor.comms.services import deliver_due_announcements, set_email_preference


def publish(admin_api, **fields):
    payload = {"title": "New spring catalogue", "body": "It is **out**.", **fields}
    for key, value in list(payload.items()):
        if hasattr(value, "isoformat"):
            payload[key] = value.isoformat()
    return admin_api.post("/api/v1/announcements", json.dumps(payload), content_type="application/json")


def titles(client) -> list[str]:
    response = client.get("/api/v1/announcements")
    assert response.status_code == 200
    return [item["title"] for item in response.json()["items"]]


@pytest.fixture
def north_agents(world):
    group = AgentGroup.objects.create(name="Independent agents")
    group.associates.set([world.bruno, world.tina])
    return group


def test_an_announcement_to_all_reaches_every_associate_and_manager(world, admin_api, api_as):
    response = publish(admin_api)
    assert response.status_code == 201
    assert response.json()["delivered"] is True
    for person in (world.ana, world.bruno, world.nora, world.tom, world.tina, world.sam):
        assert titles(api_as(person.user)) == ["New spring catalogue"]
    assert Notification.objects.filter(kind=NotificationKind.ANNOUNCEMENT).count() == 6


def test_an_announcement_to_some_stores_reaches_only_their_associates(world, admin_api, api_as):
    response = publish(admin_api, title="North only", audience="stores", store_ids=[world.north.pk])
    assert response.status_code == 201
    assert response.json()["store_ids"] == [world.north.pk]
    for person in (world.ana, world.bruno, world.nora):
        assert titles(api_as(person.user)) == ["North only"]
    for person in (world.tom, world.tina, world.sam):
        assert titles(api_as(person.user)) == []
        assert api_as(person.user).get(f"/api/v1/announcements/{response.json()['id']}").status_code == 404
    notified = set(Notification.objects.filter(kind="announcement").values_list("user__email", flat=True))
    assert notified == {"ana@example.com", "bruno@example.com", "nora@example.com"}


def test_an_announcement_to_agent_groups_reaches_only_their_members(world, admin_api, api_as, north_agents):
    response = publish(admin_api, title="For agents", audience="groups", agent_group_ids=[north_agents.pk])
    assert response.status_code == 201
    assert titles(api_as(world.bruno.user)) == ["For agents"]
    assert titles(api_as(world.tina.user)) == ["For agents"]
    for person in (world.ana, world.nora, world.tom, world.sam):
        assert titles(api_as(person.user)) == []


def test_a_scheduled_announcement_is_invisible_and_silent_until_its_time(world, admin_api, api_as, clock):
    later = clock.now + timedelta(hours=2)
    response = publish(admin_api, title="Sale starts", publish_at=later)
    assert response.status_code == 201
    assert response.json()["delivered"] is False
    announcement_id = response.json()["id"]
    ana = api_as(world.ana.user)
    assert titles(ana) == []
    assert ana.get(f"/api/v1/announcements/{announcement_id}").status_code == 404
    assert ana.post(f"/api/v1/announcements/{announcement_id}/read").status_code == 404
    # The admin sees it waiting.
    assert titles(admin_api) == ["Sale starts"]
    assert deliver_due_announcements() == 0
    assert not Notification.objects.exists()

    clock.advance(hours=2)
    assert deliver_due_announcements() == 6
    assert titles(ana) == ["Sale starts"]
    # The job is idempotent: a second run (or a second worker) sends nothing more.
    assert deliver_due_announcements() == 0
    assert Notification.objects.filter(kind="announcement").count() == 6


def test_the_body_is_markdown_sanitised(world, admin_api):
    body = "Hello **team**\n\n<script>alert(1)</script>\n\n[promo](javascript:alert(1)) [site](https://example.com)" \
           "\n\n<img src=https://tracker.example/p.gif>"
    response = publish(admin_api, body=body)
    html = response.json()["body_html"]
    assert "<strong>team</strong>" in html
    assert "<script" not in html and "javascript:" not in html and "<img" not in html
    assert '<a href="https://example.com" rel="noopener noreferrer">site</a>' in html


def test_read_receipts_show_who_read_and_when(world, admin_api, api_as):
    announcement_id = publish(admin_api, audience="stores", store_ids=[world.north.pk]).json()["id"]
    ana = api_as(world.ana.user)
    first = ana.post(f"/api/v1/announcements/{announcement_id}/read")
    assert first.status_code == 200
    assert first.json()["read_at"] is not None
    # Reading again keeps the first time.
    assert ana.post(f"/api/v1/announcements/{announcement_id}/read").json()["read_at"] == first.json()["read_at"]
    assert AnnouncementRead.objects.count() == 1
    # Ana's notification about it is read too.
    assert not Notification.objects.filter(user=world.ana.user, read_at__isnull=True).exists()

    receipts = admin_api.get(f"/api/v1/announcements/{announcement_id}/receipts").json()
    assert receipts["count"] == 3 and receipts["read"] == 1
    assert [(row["name"], row["read_at"] is not None) for row in receipts["items"]] == [
        ("Ana Pop", True), ("Bruno Dias", False), ("Nora Manager", False),
    ]
    assert admin_api.get("/api/v1/announcements").json()["items"][0]["read_count"] == 1
    # Receipts are for admins only.
    assert api_as(world.nora.user).get(f"/api/v1/announcements/{announcement_id}/receipts").status_code == 403


@pytest.mark.parametrize("who", ["ana", "nora"])
def test_only_admins_publish_and_a_refusal_writes_nothing(world, api_as, who):
    client = api_as(getattr(world, who).user)
    response = client.post("/api/v1/announcements", json.dumps({"title": "Hi", "body": "x"}),
                           content_type="application/json")
    assert response.status_code == 403
    assert not Announcement.objects.exists()


@pytest.mark.parametrize(("fields", "loc"), [
    ({"title": ""}, "title"),
    ({"body": "  "}, "body"),
    ({"audience": "stores", "store_ids": []}, "store_ids"),
    ({"audience": "stores", "store_ids": [999999]}, "store_ids"),
    ({"audience": "groups", "agent_group_ids": []}, "agent_group_ids"),
    ({"publish_at": "2030-01-01T10:00:00"}, "publish_at"),
])
def test_bad_input_is_a_422_naming_the_field_and_writes_nothing(world, admin_api, fields, loc):
    response = publish(admin_api, **fields)
    assert response.status_code == 422
    assert ["body", loc] in [item["loc"] for item in response.json()["detail"]]
    assert not Announcement.objects.exists()


def test_the_email_goes_to_those_who_asked_for_announcements_by_email(world, admin_api, run_tasks):
    set_email_preference(world.ana.user, NotificationKind.ANNOUNCEMENT, True)
    publish(admin_api, title="Inventory day", audience="stores", store_ids=[world.north.pk])
    run_tasks()
    assert [(m.to, m.subject) for m in mail.outbox] == [(["ana@example.com"], "Inventory day")]


def test_the_console_shows_the_badge_the_page_and_the_receipts(world, admin_api, console_as):
    announcement_id = publish(admin_api, title="Team dinner", body="Friday *8pm*").json()["id"]
    ana = console_as(world.ana.user)
    html = ana.get("/console/announcements/").content.decode()
    assert re.search(r'Announcements</span>\s*<span class="nav__badge">1<', html)
    assert "Team dinner" in html
    page = ana.get(f"/console/announcements/{announcement_id}/").content.decode()
    assert "<em>8pm</em>" in page
    # Opening it is reading it: the badge is gone.
    assert 'class="nav__badge">1<' not in ana.get("/console/announcements/").content.decode().split("Messages")[0]
    admin_page = console_as(world.admin).get(f"/console/announcements/{announcement_id}/").content.decode()
    assert "Read by 1 of 6" in admin_page


def test_an_admin_publishes_from_the_console(world, console_as, api_as):
    admin = console_as(world.admin)
    response = admin.post("/console/announcements/", {
        "title": "South news", "body": "Hello", "audience": "stores", "stores": [world.south.pk],
    })
    assert response.status_code == 302
    assert titles(api_as(world.tom.user)) == ["South news"]
    assert titles(api_as(world.ana.user)) == []
    refused = admin.post("/console/announcements/", {"title": "", "body": "Hello", "audience": "all"})
    assert refused.status_code == 422
    assert console_as(world.ana.user).post("/console/announcements/", {
        "title": "x", "body": "y", "audience": "all"}).status_code == 403
    assert Announcement.objects.count() == 1
