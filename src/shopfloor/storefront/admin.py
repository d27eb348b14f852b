from django import forms
from django.contrib import admin

from shopfloor.adminkit import ServiceFormAdmin
from shopfloor.errors import InvalidInput
from shopfloor.storefront.models import WidgetSettings
from shopfloor.storefront.widget import save_widget_settings


class WidgetSettingsForm(forms.ModelForm):
    class Meta:
        model = WidgetSettings
        fields = ("store", "allowed_origins", "associates_group", "require_verified_identity")

    user = None

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        store = self.cleaned_data.get("store") or self.instance.store
        try:
            self.instance = save_widget_settings(self.user, store, {
                name: self.cleaned_data.get(name) for name in self._meta.fields if name != "store"
            })
        except InvalidInput as error:
            for loc, message in error.errors:
                name = loc[-1] if loc else None
                self.add_error(name if name in self.fields else None, message)


@admin.register(WidgetSettings)
class WidgetSettingsAdmin(ServiceFormAdmin):
    list_display = ("store", "associates_group", "require_verified_identity", "updated_at")
    list_select_related = ("store", "associates_group")
    form = WidgetSettingsForm

    def get_readonly_fields(self, request, obj=None):
        return ("store",) if obj else ()
