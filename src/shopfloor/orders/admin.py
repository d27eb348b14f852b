"""Admin for orders: read-only records of what was sold and why each sale was credited where it was.

Orders arrive through the API (idempotent, attributed once); here admins look at them, move their
status through the orders service, and read the attribution's rule and evidence.
"""

from django.contrib import admin, messages
from django.utils.html import format_html

from shopfloor.access import actor_for
from shopfloor.errors import Conflict, InvalidInput
from shopfloor.orders.models import Order, OrderLine, OrderStatus, Refund
from shopfloor.orders.on_behalf import admin as on_behalf_admin
from shopfloor.orders.services import change_order_status

ATTRIBUTION_FIELDS = (
    "why_credited", "attribution_rule", "attributed_associate", "attributed_store", "influencer",
    "attribution_evidence",
)


def credited_to(order: Order) -> str:
    if order.attributed_associate_id:
        return order.attributed_associate.name
    if order.attributed_store_id:
        return order.attributed_store.name
    return "nobody"


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = ("sku", "name", "quantity", "unit_price", "line_total")
    readonly_fields = fields


class RefundInline(ReadOnlyInline):
    model = Refund
    fields = ("external_id", "amount", "created_at")
    readonly_fields = fields


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = (
        "external_id", "customer", "store", "status", "total", "currency", "placed_at", "credited",
        "attribution_rule",
    )
    list_filter = ("status", "store", "attribution_rule", "attributed_associate", "placed_at")
    search_fields = (
        "external_id", "customer__first_name", "customer__last_name", "customer__email",
        "customer__external_id", "coupon_code", "referral_code",
    )
    list_select_related = ("customer", "store", "attributed_associate", "attributed_store")
    date_hierarchy = "placed_at"
    inlines = [OrderLineInline, RefundInline]
    actions = ["mark_completed", "mark_cancelled"]

    def has_add_permission(self, request):
        # Orders come from the storefront or the ERP through the API, which attributes them.
        return False

    def has_delete_permission(self, request, obj=None):
        # Commissions and the audit log refer to orders; cancel instead.
        return False

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in Order._meta.fields] + ["why_credited"]

    def get_fieldsets(self, request, obj=None):
        why = f"Why was this sale credited to {credited_to(obj)}?" if obj else "Attribution"
        return (
            (None, {"fields": ("external_id", "status", "customer", "store", "placed_at")}),
            ("Amounts", {"fields": ("currency", "subtotal", "discount", "total")}),
            (why, {"fields": ATTRIBUTION_FIELDS}),
            ("Where it came from", {
                "fields": ("placed_by_associate", "coupon_code", "referral_code", "visitor_id"),
            }),
            ("Record", {"fields": ("created_at", "updated_at")}),
        )

    @admin.display(description="credited to")
    def credited(self, order):
        return credited_to(order)

    @admin.display(description="explanation")
    def why_credited(self, order):
        if not order.pk:
            return "—"
        evidence = order.attribution_evidence or {}
        summary = evidence.get("summary") or "No evidence was recorded."
        influencer = ""
        if order.influencer_id:
            influencer = format_html(
                "<p>Team-mode store: the store gets the credit; {} helped and is kept as the influencer.</p>",
                order.influencer.name,
            )
        return format_html(
            "<p>Credited to <strong>{}</strong> by the rule “{}”.</p><p>{}</p>{}",
            credited_to(order),
            order.get_attribution_rule_display(),
            summary,
            influencer,
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Everything on the page is read-only: status changes are the list's actions.
        extra_context = {
            **(extra_context or {}),
            "show_save": False, "show_save_and_continue": False, "show_save_and_add_another": False,
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def _change_status(self, request, queryset, status):
        actor = actor_for(request.user)
        changed = 0
        for order in queryset.order_by("pk"):
            try:
                change_order_status(actor, order, status)
            except (Conflict, InvalidInput) as exc:
                self.message_user(request, f"{order}: {exc}", messages.WARNING)
            else:
                changed += 1
        if changed:
            plural = "s" if changed != 1 else ""
            self.message_user(request, f"{changed} order{plural} now {status}.", messages.SUCCESS)

    @admin.action(description="Mark the selected orders completed", permissions=["change"])
    def mark_completed(self, request, queryset):
        self._change_status(request, queryset, OrderStatus.COMPLETED)

    @admin.action(description="Cancel the selected orders", permissions=["change"])
    def mark_cancelled(self, request, queryset):
        self._change_status(request, queryset, OrderStatus.CANCELLED)


@admin.register(OrderLine)
class OrderLineAdmin(admin.ModelAdmin):
    list_display = ("order", "sku", "name", "quantity", "unit_price", "line_total")
    search_fields = ("sku", "name", "order__external_id")
    list_select_related = ("order",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Refund)
class RefundAdmin(admin.ModelAdmin):
    list_display = ("external_id", "order", "amount", "created_at")
    search_fields = ("external_id", "order__external_id")
    list_select_related = ("order",)
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        # Refunds arrive through POST /orders/{id}/refunds, which keeps them under the order total.
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# Selling on the customer's behalf keeps its admin next to its services (Django imports only this module).
on_behalf_admin.register(admin.site)
