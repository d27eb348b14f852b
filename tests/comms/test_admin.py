"""The Django admin publishes announcements through the service and decides agent registrations."""

from django.test import Client

from shopfloor.accounts.models import AgentRegistration, AgentSignupSettings, Associate
from shopfloor.comms.models import Announcement, Notification


def admin_client(world) -> Client:
    client = Client()
    client.force_login(world.admin)
    return client


def test_an_announcement_added_in_the_admin_is_sanitised_and_delivered(world):
    response = admin_client(world).post("/admin/comms/announcement/add/", {
        "title": "From the admin", "body": "Hi <script>x()</script>**all**", "audience": "stores",
        "stores": [world.south.pk], "publish_at_0": "2020-01-01", "publish_at_1": "10:00:00",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    announcement = Announcement.objects.get()
    assert "<script" not in announcement.body_html and "<strong>all</strong>" in announcement.body_html
    assert announcement.delivered_at is not None
    assert Notification.objects.filter(kind="announcement").count() == 3


def test_registrations_are_approved_with_the_admin_action(world):
    AgentSignupSettings.objects.create(enabled=True, store=world.north)
    registration = AgentRegistration.objects.create(name="Rui", email="rui@example.com", store=world.north)
    client = admin_client(world)
    assert client.get("/admin/accounts/agentregistration/").status_code == 200
    response = client.post("/admin/accounts/agentregistration/", {
        "action": "approve", "_selected_action": [registration.pk],
    })
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.status == "approved"
    assert Associate.objects.filter(email="rui@example.com", store=world.north).exists()
