"""GET /api/v1/notifications and POST /api/v1/notifications/{id}/read: a user only ever sees their own."""

import pytest

from shopfloor.comms.models import Notification, NotificationKind
from shopfloor.comms.services import notify


@pytest.fixture
def inbox(world):
    first = notify(world.ana.user, NotificationKind.SALE, "New sale: 10.00 EUR", "Order A", "/console/dashboard/")
    second = notify(world.ana.user, NotificationKind.SALE, "New sale: 20.00 EUR", "Order B")
    brunos = notify(world.bruno.user, NotificationKind.SALE, "New sale: 30.00 EUR", "Order C")
    return first, second, brunos


def test_a_user_lists_their_own_notifications_newest_first(world, inbox, api_as):
    response = api_as(world.ana.user).get("/api/v1/notifications")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert body["unread"] == 2
    assert [item["title"] for item in body["items"]] == ["New sale: 20.00 EUR", "New sale: 10.00 EUR"]
    assert body["items"][1] == {
        "id": inbox[0].pk, "kind": "sale", "title": "New sale: 10.00 EUR", "body": "Order A",
        "url": "/console/dashboard/", "created_at": body["items"][1]["created_at"], "read_at": None,
    }


def test_marking_read_is_once_and_counts_drop(world, inbox, api_as):
    client = api_as(world.ana.user)
    response = client.post(f"/api/v1/notifications/{inbox[0].pk}/read")
    assert response.status_code == 200
    read_at = response.json()["read_at"]
    assert read_at is not None
    # Again: nothing changes, the first time stays.
    assert client.post(f"/api/v1/notifications/{inbox[0].pk}/read").json()["read_at"] == read_at
    unread = client.get("/api/v1/notifications", {"unread": "true"}).json()
    assert unread["count"] == 1 and unread["unread"] == 1
    assert [item["id"] for item in unread["items"]] == [inbox[1].pk]


def test_someone_elses_notification_is_not_found_and_stays_unread(world, inbox, api_as):
    response = api_as(world.ana.user).post(f"/api/v1/notifications/{inbox[2].pk}/read")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    assert Notification.objects.get(pk=inbox[2].pk).read_at is None
    assert api_as(world.ana.user).post("/api/v1/notifications/999999/read").status_code == 404


def test_the_session_needs_csrf_and_anonymous_callers_are_refused(client, world, inbox):
    assert client.get("/api/v1/notifications").status_code == 401
    assert client.post(f"/api/v1/notifications/{inbox[0].pk}/read").status_code == 401
    from django.test import Client

    session = Client(enforce_csrf_checks=True)
    session.force_login(world.ana.user)
    assert session.get("/api/v1/notifications").json()["count"] == 2
    assert session.post(f"/api/v1/notifications/{inbox[0].pk}/read").status_code == 403
    assert Notification.objects.get(pk=inbox[0].pk).read_at is None


def test_the_list_takes_limit_and_offset(world, inbox, api_as):
    body = api_as(world.ana.user).get("/api/v1/notifications", {"limit": 1, "offset": 1}).json()
    assert body["count"] == 2
    assert [item["id"] for item in body["items"]] == [inbox[0].pk]
