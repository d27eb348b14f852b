from django import forms
from django.contrib import admin

from shopfloor.adminkit import ServiceFormAdmin
from shopfloor.errors import InvalidInput
from shopfloor.live.models import LeftMessage, LiveSettings
from shopfloor.live.services import save_live_settings


class LiveSettingsForm(forms.ModelForm):
    class Meta:
        model = LiveSettings
        fields = ("store", "country_only", "chat_limit", "retention_days")

    user = None

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        store = self.cleaned_data.get("store") or self.instance.store
        try:
            self.instance = save_live_settings(self.user, store, {
                name: self.cleaned_data.get(name) for name in self._meta.fields if name != "store"
            })
        except InvalidInput as error:
            for loc, message in error.errors:
                name = loc[-1] if loc else None
                self.add_error(name if name in self.fields else None, message)


@admin.register(LiveSettings)
class LiveSettingsAdmin(ServiceFormAdmin):
    list_display = ("store", "chat_limit", "country_only", "retention_days")
    list_select_related = ("store",)
    form = LiveSettingsForm

    def get_readonly_fields(self, request, obj=None):
        return ("store",) if obj else ()


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
