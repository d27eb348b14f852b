"""WidgetSettings moved from the storefront app to the widget app: an upgraded install keeps its rows, its
content type (and so the permissions granted on it); the audit events written about its settings stay as
they were written (never edited).

The database is taken back to before the move (storefront 0001 only), rows are written as that
version wrote them, and the migrations run forward again.
"""

import pytest
from django.contrib.contenttypes.models import ContentType

from shopfloor.accounts.models import AuditEvent
from shopfloor.widget.models import WidgetSettings
from tests.migrating import leaf_nodes, migrate

BEFORE = [("widget", None), ("storefront", "0001_widget_settings")]


@pytest.mark.django_db(transaction=True)
def test_an_upgraded_install_keeps_its_widget_settings_content_type_and_leaves_the_audit_trail_alone():
    try:
        apps = migrate(BEFORE)
        Store = apps.get_model("accounts", "Store")
        OldSettings = apps.get_model("storefront", "WidgetSettings")
        OldContentType = apps.get_model("contenttypes", "ContentType")
        OldAuditEvent = apps.get_model("accounts", "AuditEvent")
        store = Store.objects.create(code="old", name="Old Store")
        settings = OldSettings.objects.create(store=store, allowed_origins="https://shop.example.com")
        content_type, _ = OldContentType.objects.get_or_create(app_label="storefront", model="widgetsettings")
        OldAuditEvent.objects.create(verb="widget_settings.saved", target_type="storefront.widgetsettings",
                                     target_id=str(settings.pk))

        migrate(leaf_nodes())
        ContentType.objects.clear_cache()

        assert WidgetSettings.objects.get(store_id=store.pk).origins == ["https://shop.example.com"]
        assert ContentType.objects.get_for_model(WidgetSettings).pk == content_type.pk
        assert not ContentType.objects.filter(app_label="storefront", model="widgetsettings").exists()
        event = AuditEvent.objects.get(verb="widget_settings.saved", target_id=str(settings.pk))
        assert event.target_type == "storefront.widgetsettings"
    finally:
        migrate(leaf_nodes())
        ContentType.objects.clear_cache()
