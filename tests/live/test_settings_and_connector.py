"""The store's live settings (Django admin, through the service) and the online connector on the account page."""

import pytest
from django.test import Client

from shopfloor.live.models import LiveSettings

pytestmark = pytest.mark.django_db


def test_an_admin_changes_a_stores_live_settings(world):
    client = Client()
    client.force_login(world.admin)
    response = client.post("/admin/live/livesettings/add/", {
        "store": world.north.pk, "chat_limit": 5, "retention_days": 30, "country_only": "on"})
    assert response.status_code == 302
    settings = LiveSettings.objects.get(store=world.north)
    assert (settings.chat_limit, settings.retention_days, settings.country_only) == (5, 30, True)
    from shopfloor.accounts.models import AuditEvent

    assert AuditEvent.objects.filter(verb="live_settings.saved").count() == 1


def test_a_chat_limit_of_zero_is_refused(world):
    client = Client()
    client.force_login(world.admin)
    response = client.post("/admin/live/livesettings/add/", {
        "store": world.north.pk, "chat_limit": 0, "retention_days": 30})
    assert response.status_code == 200
    assert "Between 1 and 50 chats." in response.content.decode()
    assert not LiveSettings.objects.exists()


def test_the_account_page_offers_the_customers_representative_and_the_store(world):
    client = Client()
    client.force_login(world.shopper.user)
    html = client.get("/shop/account/").content.decode()
    assert f'data-shopfloor-live-connect data-associate-id="{world.ana.pk}">Chat with Ana Pop</a>' in html
    assert ">Anyone at North Store</a>" in html
