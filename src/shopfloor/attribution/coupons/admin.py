"""Admin for coupons, their bounds and referral clicks; writes go through `attribution.coupons.services`.

Registered from attribution/admin.py.
"""

from django import forms
from django.contrib import admin, messages

from shopfloor.access import actor_for
from shopfloor.adminkit import ReadOnlyAdmin, SettingsForm, SingletonSettingsAdmin, add_service_errors
from shopfloor.attribution.coupons.services import create_coupon, deactivate_coupon, update_coupon_bounds
from shopfloor.attribution.models import Coupon, CouponBounds, CouponUse, ReferralClick
from shopfloor.errors import Conflict, InvalidInput

# The service names the coupon's owner as the API does.
FORM_FIELDS = {"associate_id": "associate"}


class CouponForm(forms.ModelForm):
    class Meta:
        model = Coupon
        fields = ("code", "associate", "kind", "value", "max_uses", "expires_at")

    user = None

    def _post_clean(self):
        # Not the model's validation: the service normalizes the code and checks it is free.
        if self.errors:
            return
        data = {**self.cleaned_data, "associate_id": self.cleaned_data["associate"].pk}
        try:
            self.instance = create_coupon(actor_for(self.user), data)
        except InvalidInput as exc:
            add_service_errors(self, exc, FORM_FIELDS)
        except Conflict as exc:
            self.add_error("code", str(exc))


class CouponUseInline(admin.TabularInline):
    model = CouponUse
    fields = ("order", "beyond_limits", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class CouponAdmin(admin.ModelAdmin):
    list_display = ("code", "associate", "kind", "value", "uses", "max_uses", "expires_at", "active")
    list_filter = ("active", "kind", "associate__store")
    search_fields = ("code", "associate__name")
    list_select_related = ("associate",)
    form = CouponForm
    inlines = [CouponUseInline]
    actions = ["deactivate"]

    def get_readonly_fields(self, request, obj=None):
        # Created once through the service; afterwards only deactivated.
        return [field.name for field in Coupon._meta.fields] if obj else []

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def save_model(self, request, obj, form, change):
        pass  # saved by create_coupon in the form

    def save_related(self, request, form, formsets, change):
        pass

    def has_delete_permission(self, request, obj=None):
        return False  # orders point at their coupon's uses; deactivate instead

    @admin.action(description="Deactivate the selected coupons")
    def deactivate(self, request, queryset):
        actor = actor_for(request.user)
        for coupon in queryset.order_by("pk"):
            deactivate_coupon(actor, coupon)
        self.message_user(request, "The selected coupons are inactive.", messages.SUCCESS)


class CouponBoundsForm(SettingsForm):
    save_settings = staticmethod(update_coupon_bounds)

    class Meta:
        model = CouponBounds
        fields = ("max_percent", "max_amount", "max_uses", "max_days_to_expiry")


class CouponBoundsAdmin(SingletonSettingsAdmin):
    list_display = ("__str__", "max_percent", "max_amount", "max_uses", "max_days_to_expiry", "updated_at")
    form = CouponBoundsForm


class ReferralClickAdmin(ReadOnlyAdmin):
    list_display = ("clicked_at", "associate", "customer", "visitor_id", "next_path")
    list_filter = ("associate__store",)
    search_fields = ("associate__name", "associate__referral_code", "visitor_id")
    list_select_related = ("associate", "customer")
    date_hierarchy = "clicked_at"


def register(site: admin.AdminSite) -> None:
    site.register(Coupon, CouponAdmin)
    site.register(CouponBounds, CouponBoundsAdmin)
    site.register(ReferralClick, ReferralClickAdmin)
