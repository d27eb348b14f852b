"""Per-kind channel preferences: in the console always, by email when the user chose it; notify() obeys."""

import json

import pytest
from django.core import mail

from shopfloor.comms.models import Notification, NotificationKind, NotificationPreference
from shopfloor.comms.services import notify, set_email_preference


@pytest.fixture
def emails(run_tasks):
    def send(*args, **kwargs):
        notify(*args, **kwargs)
        run_tasks()
        return [(m.to[0], m.subject) for m in mail.outbox]

    return send


def test_notify_emails_only_the_kinds_the_user_wants_by_email(world, emails):
    user = world.ana.user
    assert emails(user, NotificationKind.SALE, "New sale", email=True) == []  # sales by email are off by default
    set_email_preference(user, NotificationKind.SALE, True)
    assert emails(user, NotificationKind.SALE, "Second sale") == [("ana@example.com", "Second sale")]
    mail.outbox.clear()
    assert emails(user, NotificationKind.TASK, "A task") == []
    # Every one of them is in the console.
    assert Notification.objects.filter(user=user).count() == 3


def test_messages_and_agents_come_by_email_unless_turned_off(world, emails):
    user = world.ana.user
    assert emails(user, NotificationKind.AGENT, "A recruit joined") == [("ana@example.com", "A recruit joined")]
    mail.outbox.clear()
    set_email_preference(user, NotificationKind.AGENT, False)
    assert emails(user, NotificationKind.AGENT, "Another one") == []


def test_email_false_keeps_it_in_the_console(world, emails):
    set_email_preference(world.ana.user, NotificationKind.LIST_COMMENT, True)
    assert emails(world.ana.user, NotificationKind.LIST_COMMENT, "Comment", email=False) == []
    assert Notification.objects.count() == 1


def test_the_api_reads_and_changes_preferences(world, api_as):
    client = api_as(world.ana.user)
    defaults = client.get("/api/v1/notification-preferences").json()["email"]
    assert set(defaults) == set(NotificationKind.values)
    assert [kind for kind, on in defaults.items() if on] == ["message", "agent"]
    response = client.put("/api/v1/notification-preferences", json.dumps({"email": {"sale": True, "agent": False}}),
                          content_type="application/json")
    assert response.status_code == 200
    assert [kind for kind, on in response.json()["email"].items() if on] == ["sale", "message"]
    refused = client.put("/api/v1/notification-preferences", json.dumps({"email": {"weather": True}}),
                         content_type="application/json")
    assert refused.status_code == 422
    assert NotificationPreference.objects.get(user=world.ana.user, kind="sale").email is True


def test_the_api_filters_notifications_by_kind(world, api_as):
    notify(world.ana.user, NotificationKind.SALE, "Sale")
    notify(world.ana.user, NotificationKind.MESSAGE, "Message", email=False)
    items = api_as(world.ana.user).get("/api/v1/notifications?kind=message").json()["items"]
    assert [item["title"] for item in items] == ["Message"]
    assert api_as(world.ana.user).get("/api/v1/notifications?kind=nope").status_code == 422


def test_the_console_saves_every_kinds_choice_and_filters_by_kind(world, console_as):
    client = console_as(world.ana.user)
    assert client.post("/console/notifications/email/", {"email": ["sale", "announcement"]}).status_code == 302
    chosen = dict(NotificationPreference.objects.filter(user=world.ana.user).values_list("kind", "email"))
    assert [kind for kind, on in chosen.items() if on] == ["sale", "announcement"]
    assert len(chosen) == len(NotificationKind.values)
    html = client.get("/console/notifications/").content.decode()
    assert 'value="announcement" id="email-announcement" checked' in html
    assert 'value="message" id="email-message">' in html
    notify(world.ana.user, NotificationKind.TASK, "Call Alice back")
    notify(world.ana.user, NotificationKind.SALE, "Sale of the day")
    filtered = client.get("/console/notifications/?kind=task").content.decode()
    assert "Call Alice back" in filtered and "Sale of the day" not in filtered
