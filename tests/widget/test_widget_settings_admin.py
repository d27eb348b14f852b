"""Widget settings are changed by admins through a service that checks each origin."""

import pytest
from django.test import Client

from shopfloor.accounts.models import AuditEvent
from shopfloor.errors import InvalidInput
from shopfloor.widget.models import WidgetSettings
from shopfloor.widget.services import save_widget_settings, widget_settings


def test_a_store_without_settings_has_the_defaults(world):
    settings = widget_settings(world.north)

    assert (settings.pk, settings.origins, settings.associates_group, settings.require_verified_identity) == (
        None, [], None, False)


def test_origins_are_normalised_and_the_change_is_audited(world):
    settings = save_widget_settings(world.admin, world.north, {
        "allowed_origins": " https://Shop.Example.com/ \n\nhttp://localhost:8080\nhttps://shop.example.com",
    })

    assert settings.origins == ["https://shop.example.com", "http://localhost:8080"]
    assert AuditEvent.objects.filter(verb="widget_settings.saved", target_id=str(settings.pk)).count() == 1


@pytest.mark.parametrize("line", ["shop.example.com", "https://shop.example.com/path", "javascript:alert(1)", "*"])
def test_a_line_that_is_not_an_origin_is_refused(world, line):
    with pytest.raises(InvalidInput) as error:
        save_widget_settings(world.admin, world.north, {"allowed_origins": f"https://ok.example.com\n{line}"})

    assert error.value.errors[0][0] == ("body", "allowed_origins")
    assert "Line 2" in error.value.errors[0][1]
    assert not WidgetSettings.objects.exists()


def test_the_admin_saves_settings_through_the_service(world):
    client = Client()
    client.force_login(world.admin)

    response = client.post("/admin/widget/widgetsettings/add/", {
        "store": world.north.pk, "allowed_origins": "https://shop.example.com/", "associates_group": "",
    })

    assert response.status_code == 302
    assert WidgetSettings.objects.get(store=world.north).origins == ["https://shop.example.com"]
    refused = client.post("/admin/widget/widgetsettings/add/", {"store": world.south.pk,
                                                                    "allowed_origins": "not an origin"})
    assert refused.status_code == 200
    assert not WidgetSettings.objects.filter(store=world.south).exists()
