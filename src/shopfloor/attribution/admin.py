"""Admin for what attribution reads: interactions (read-only), the attribution windows, coupons and
referral clicks. Writes go through `attribution.services` and `attribution.coupons.services`."""

from django.contrib import admin

from shopfloor.adminkit import ReadOnlyAdmin, SettingsForm, SingletonSettingsAdmin
from shopfloor.attribution.coupons import admin as coupons_admin
from shopfloor.attribution.models import AttributionSettings, Interaction
from shopfloor.attribution.services import update_attribution_settings


@admin.register(Interaction)
class InteractionAdmin(ReadOnlyAdmin):
    """Chats, calls, list notifications and opened lookbooks: the evidence of attribution rule 4."""

    list_display = ("occurred_at", "associate", "kind", "customer", "visitor_id", "source_ref")
    list_filter = ("kind", "associate__store")
    search_fields = ("associate__name", "customer__first_name", "customer__last_name", "visitor_id", "source_ref")
    list_select_related = ("associate", "customer")
    date_hierarchy = "occurred_at"



class AttributionSettingsForm(SettingsForm):
    save_settings = staticmethod(update_attribution_settings)

    class Meta:
        model = AttributionSettings
        fields = ("attribution_window_days", "influence_window_days")


@admin.register(AttributionSettings)
class AttributionSettingsAdmin(SingletonSettingsAdmin):
    list_display = ("__str__", "attribution_window_days", "influence_window_days", "updated_at")
    form = AttributionSettingsForm


# Coupons keep their admin next to their services (Django imports only this module).
coupons_admin.register(admin.site)
