"""Admin for what attribution reads: interactions (read-only), the attribution windows, coupons and
referral clicks. Writes go through `attribution.services` and `attribution.coupons.services`."""

from django import forms
from django.contrib import admin

from shopfloor.access import actor_for
from shopfloor.adminkit import ReadOnlyAdmin, SingletonSettingsAdmin
from shopfloor.attribution.coupons import admin as coupons_admin
from shopfloor.attribution.models import AttributionSettings, Interaction
from shopfloor.attribution.services import update_attribution_settings
from shopfloor.errors import InvalidInput


@admin.register(Interaction)
class InteractionAdmin(ReadOnlyAdmin):
    """Chats, calls, list notifications and opened lookbooks: the evidence of attribution rule 4."""

    list_display = ("occurred_at", "associate", "kind", "customer", "visitor_id", "source_ref")
    list_filter = ("kind", "associate__store")
    search_fields = ("associate__name", "customer__first_name", "customer__last_name", "visitor_id", "source_ref")
    list_select_related = ("associate", "customer")
    date_hierarchy = "occurred_at"



class AttributionSettingsForm(forms.ModelForm):
    class Meta:
        model = AttributionSettings
        fields = ("attribution_window_days", "influence_window_days")

    user = None

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        try:
            self.instance = update_attribution_settings(actor_for(self.user), dict(self.cleaned_data))
        except InvalidInput as exc:
            for loc, message in exc.errors:
                name = loc[1] if len(loc) > 1 else None
                self.add_error(name if name in self.fields else None, message)


@admin.register(AttributionSettings)
class AttributionSettingsAdmin(SingletonSettingsAdmin):
    list_display = ("__str__", "attribution_window_days", "influence_window_days", "updated_at")
    form = AttributionSettingsForm


# Coupons keep their admin next to their services (Django imports only this module).
coupons_admin.register(admin.site)
