from django.contrib import admin

from shopfloor.adminkit import StoreSettingsAdmin, StoreSettingsForm
from shopfloor.widget.models import WidgetSettings
from shopfloor.widget.services import save_widget_settings


class WidgetSettingsForm(StoreSettingsForm):
    save_settings = staticmethod(save_widget_settings)

    class Meta:
        model = WidgetSettings
        fields = ("store", "allowed_origins", "associates_group", "require_verified_identity")


@admin.register(WidgetSettings)
class WidgetSettingsAdmin(StoreSettingsAdmin):
    list_display = ("store", "associates_group", "require_verified_identity", "updated_at")
    list_select_related = ("store", "associates_group")
    form = WidgetSettingsForm
