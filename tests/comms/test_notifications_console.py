"""The bell, the notifications page, marking read and the email preference, through HTTP."""

import re

import pytest
from django.test import Client

from shopfloor.comms.models import Notification, NotificationKind, NotificationPreference
from shopfloor.comms.services import notify


def client_for(user, enforce_csrf_checks=False) -> Client:
    client = Client(enforce_csrf_checks=enforce_csrf_checks)
    client.force_login(user)
    return client


def unread_badge(html: str) -> str | None:
    match = re.search(r"data-unread-count>([^<]+)<", html)
    return match.group(1) if match else None


@pytest.fixture
def sale(world):
    return notify(world.ana.user, NotificationKind.SALE, "New sale: 10.00 EUR", "Order A is credited to you.",
                  f"/console/customers/{world.anas_customer.pk}/")


def test_the_bell_shows_the_unread_count_on_every_console_page(world, sale):
    notify(world.ana.user, NotificationKind.SALE, "New sale: 5.00 EUR")
    html = client_for(world.ana.user).get("/console/customers/").content.decode()
    assert unread_badge(html) == "2"
    assert "Notifications, 2 unread" in html
    # Bruno has none: no badge.
    assert unread_badge(client_for(world.bruno.user).get("/console/customers/").content.decode()) is None


def test_the_page_lists_only_ones_own_notifications(world, sale):
    notify(world.bruno.user, NotificationKind.SALE, "Bruno's sale")
    html = client_for(world.ana.user).get("/console/notifications/").content.decode()
    assert "New sale: 10.00 EUR" in html
    assert "Order A is credited to you." in html
    assert "Bruno" not in html


def test_mark_read_and_open(world, sale):
    client = client_for(world.ana.user)
    response = client.post(f"/console/notifications/{sale.pk}/read/", {"open": "1"})
    assert response.status_code == 302
    assert response["Location"] == f"/console/customers/{world.anas_customer.pk}/"
    sale.refresh_from_db()
    assert sale.read_at is not None
    assert unread_badge(client.get("/console/notifications/").content.decode()) is None


def test_mark_all_read(world, sale):
    notify(world.ana.user, NotificationKind.SALE, "Another")
    mine = notify(world.bruno.user, NotificationKind.SALE, "Bruno's")
    response = client_for(world.ana.user).post("/console/notifications/read-all/")
    assert response.status_code == 302
    assert not Notification.objects.filter(user=world.ana.user, read_at__isnull=True).exists()
    mine.refresh_from_db()
    assert mine.read_at is None


def test_someone_elses_notification_answers_404_and_stays_unread(world, sale):
    response = client_for(world.bruno.user).post(f"/console/notifications/{sale.pk}/read/")
    assert response.status_code == 404
    sale.refresh_from_db()
    assert sale.read_at is None


def test_the_email_preference_is_saved_per_user(world):
    client = client_for(world.ana.user)
    client.post("/console/notifications/email/", {"email": "sale"})
    assert NotificationPreference.objects.get(user=world.ana.user, kind="sale").email is True
    assert 'value="sale" id="email-sale" checked' in client.get("/console/notifications/").content.decode()
    client.post("/console/notifications/email/", {})
    assert NotificationPreference.objects.get(user=world.ana.user, kind="sale").email is False
    assert not NotificationPreference.objects.filter(user=world.bruno.user).exists()


def test_writes_need_csrf_and_a_staff_login(client, world, sale):
    assert client.get("/console/notifications/").status_code == 302
    strict = client_for(world.ana.user, enforce_csrf_checks=True)
    assert strict.post(f"/console/notifications/{sale.pk}/read/").status_code == 403
    assert strict.post("/console/notifications/email/", {"email": "sale"}).status_code == 403
    sale.refresh_from_db()
    assert sale.read_at is None
    assert not NotificationPreference.objects.exists()
