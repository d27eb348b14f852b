from django.contrib import admin

from shopfloor.adminkit import StoreSettingsAdmin, StoreSettingsForm
from shopfloor.live.models import LeftMessage, LiveSettings
from shopfloor.live.services import save_live_settings


class LiveSettingsForm(StoreSettingsForm):
    save_settings = staticmethod(save_live_settings)

    class Meta:
        model = LiveSettings
        fields = ("store", "country_only", "chat_limit", "retention_days")


@admin.register(LiveSettings)
class LiveSettingsAdmin(StoreSettingsAdmin):
    list_display = ("store", "chat_limit", "country_only", "retention_days")
    list_select_related = ("store",)
    form = LiveSettingsForm


@admin.register(LeftMessage)
class LeftMessageAdmin(admin.ModelAdmin):
    """Messages shoppers left while nobody was available; read-only (they reached the associates already)."""

    list_display = ("created_at", "store", "name", "email", "requested_associate")
    list_filter = ("store",)
    search_fields = ("name", "email", "body")
    list_select_related = ("store", "requested_associate")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
