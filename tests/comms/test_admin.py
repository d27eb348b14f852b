"""The Django admin publishes announcements through the service."""

from django.test import Client

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
