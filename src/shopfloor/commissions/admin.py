"""Admin for commissions: rules and settings saved through their services, the ledger read-only.

The ledger is append-only, so entries and accruals are only looked at here. A payout
is recorded through `record_payout` (the balance check, its ledger entry and the audit
event), a rule through `save_commission_rule` (its version goes up on every change),
the settings through `save_commission_settings`.

The forms call the service in `_post_clean`, after every other check: the admin's
change view runs in one transaction, so the write and the admin's log entry commit
together, and a refusal (over the balance, an invalid rule) is shown on the form
instead of failing the request.
"""

from django import forms
from django.contrib import admin

from shopfloor.adminkit import ReadOnlyAdmin, ServiceFormAdmin, SingletonSettingsAdmin, add_service_errors
from shopfloor.commissions.configuration import save_commission_rule, save_commission_settings
from shopfloor.commissions.models import (
    CommissionRule,
    CommissionSettings,
    LedgerEntry,
    OrderAccrual,
    Payout,
    PayoutProfile,
)
from shopfloor.commissions.payout_profiles import save_payout_profile
from shopfloor.commissions.payouts import record_payout
from shopfloor.errors import Conflict, InvalidInput

# Ledger ---------------------------------------------------------------------------------


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ("id", "created_at", "associate", "kind", "status", "amount", "currency", "order", "level",
                    "rule")
    list_filter = ("kind", "status", "currency", "created_at")
    search_fields = ("associate__name", "associate__email", "order__external_id", "reason")
    list_select_related = ("associate", "order", "rule")
    date_hierarchy = "created_at"
    raw_id_fields = ("associate", "order", "line", "rule", "reverses", "refund", "payout")


@admin.register(OrderAccrual)
class OrderAccrualAdmin(ReadOnlyAdmin):
    list_display = ("order", "associate", "commissionable_amount", "currency", "semantics", "accrued_at",
                    "completed_at", "approved_at", "cancelled_at")
    list_filter = ("semantics", "approved_at", "cancelled_at")
    search_fields = ("order__external_id", "associate__name")
    list_select_related = ("order", "associate")
    raw_id_fields = ("order", "associate")


# Payouts -------------------------------------------------------------------------------


class PayoutForm(forms.ModelForm):
    confirm_over_balance = forms.BooleanField(
        required=False, label="Pay more than the balance",
        help_text="Without this, a payout above the associate's balance is refused.",
    )

    class Meta:
        model = Payout
        fields = ("associate", "amount", "method", "reference", "note")

    # Set by PayoutAdmin.get_form: the admin recording the payout.
    user = None

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        data = self.cleaned_data
        try:
            self.instance = record_payout(
                self.user, data["associate"], data["amount"], data["method"], reference=data.get("reference", ""),
                note=data.get("note", ""), confirm_over_balance=data.get("confirm_over_balance", False),
            )
        except Conflict as exc:
            self.add_error("confirm_over_balance", str(exc))
        except InvalidInput as exc:
            add_service_errors(self, exc)


@admin.register(Payout)
class PayoutAdmin(ServiceFormAdmin):
    list_display = ("id", "created_at", "associate", "amount", "currency", "method", "reference", "created_by")
    list_filter = ("method", "currency", "created_at")
    search_fields = ("associate__name", "associate__email", "reference", "note")
    list_select_related = ("associate", "created_by")
    date_hierarchy = "created_at"
    form = PayoutForm
    autocomplete_fields = ("associate",)

    def has_change_permission(self, request, obj=None):
        # A payout is a ledger fact: correct it with an adjustment.
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# Rules and settings ---------------------------------------------------------------------

# The admin form's names for the service's (API) names.
RULE_FORM_FIELDS = {"associate_ids": "associates", "customer_group_ids": "customer_groups",
                    "customer_ids": "customers"}


class CommissionRuleForm(forms.ModelForm):
    class Meta:
        model = CommissionRule
        fields = ("name", "active", "priority", "kind", "value", "currency", "associates", "product_skus",
                  "categories", "customer_groups", "customers", "min_subtotal", "max_subtotal",
                  "first_order_only", "starts_at", "ends_at")

    user = None

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        data = self.cleaned_data
        payload = {name: data.get(name) for name in (
            "name", "active", "priority", "kind", "value", "currency", "product_skus", "min_subtotal",
            "max_subtotal", "first_order_only", "starts_at", "ends_at")}
        payload["product_skus"] = payload["product_skus"] or []
        payload["associate_ids"] = [a.pk for a in data.get("associates") or []]
        payload["customer_group_ids"] = [g.pk for g in data.get("customer_groups") or []]
        payload["customer_ids"] = [c.pk for c in data.get("customers") or []]
        payload["categories"] = [c.name for c in data.get("categories") or []]
        existing = CommissionRule.objects.get(pk=self.instance.pk) if self.instance.pk else None
        try:
            self.instance = save_commission_rule(self.user, payload, existing)
        except InvalidInput as exc:
            add_service_errors(self, exc, RULE_FORM_FIELDS)


@admin.register(CommissionRule)
class CommissionRuleAdmin(ServiceFormAdmin):
    list_display = ("name", "active", "priority", "kind", "value", "currency", "version", "updated_at")
    list_filter = ("active", "kind")
    search_fields = ("name",)
    form = CommissionRuleForm
    readonly_fields = ("version", "created_at", "updated_at")
    filter_horizontal = ("associates", "categories", "customer_groups")
    raw_id_fields = ("customers",)

    def has_delete_permission(self, request, obj=None):
        # Earnings point at the rules they used; deactivate a rule instead.
        return False


class CommissionSettingsForm(forms.ModelForm):
    class Meta:
        model = CommissionSettings
        fields = ("hold_days", "override_levels", "override_basis", "agent_override_rates")

    user = None

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        data = {"hold_days": self.cleaned_data["hold_days"],
                "override_levels": self.cleaned_data.get("override_levels") or [],
                "override_basis": self.cleaned_data.get("override_basis"),
                "agent_override_rates": self.cleaned_data.get("agent_override_rates") or []}
        try:
            self.instance = save_commission_settings(self.user, data)
        except InvalidInput as exc:
            add_service_errors(self, exc)


@admin.register(CommissionSettings)
class CommissionSettingsAdmin(SingletonSettingsAdmin):
    list_display = ("__str__", "hold_days", "override_levels", "override_basis", "updated_at")
    form = CommissionSettingsForm



# Payout details -------------------------------------------------------------------------


class PayoutProfileForm(forms.ModelForm):
    class Meta:
        model = PayoutProfile
        fields = ("associate", "method", "paypal_email", "account_holder", "iban", "bic", "instructions")

    user = None

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        data = {name: self.cleaned_data.get(name) or "" for name in self._meta.fields if name != "associate"}
        try:
            associate = self.cleaned_data.get("associate") or self.instance.associate
            self.instance = save_payout_profile(self.user, associate, data)
        except InvalidInput as exc:
            add_service_errors(self, exc)


@admin.register(PayoutProfile)
class PayoutProfileAdmin(ServiceFormAdmin):
    list_display = ("associate", "method", "updated_at", "updated_by")
    list_filter = ("method",)
    search_fields = ("associate__name", "associate__email")
    list_select_related = ("associate", "updated_by")
    autocomplete_fields = ("associate",)
    form = PayoutProfileForm

    def get_readonly_fields(self, request, obj=None):
        return ("associate",) if obj else ()

    def has_delete_permission(self, request, obj=None):
        return False

