"""Admin for selling on a customer's behalf: the settings, the shop-as sessions, payment links and payments.

Sessions, links and payments are records: read-only here. What happened in a session is in
the audit log (Accounts → Audit events, verbs `shop_as.*`, `order.placed_on_behalf`, `order.paid`).
"""

from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from shopfloor.accounts.models import AuditEvent
from shopfloor.adminkit import ReadOnlyAdmin, SettingsForm, SingletonSettingsAdmin
from shopfloor.orders.models import OnBehalfSettings, Payment, PaymentLink, ShopAsSession
from shopfloor.orders.on_behalf.services import update_settings


class RecordAdmin(ReadOnlyAdmin):
    """Sessions, links and payments: read-only, and without bulk actions."""

    def get_actions(self, request):
        return {}


class OnBehalfSettingsForm(SettingsForm):
    save_settings = staticmethod(update_settings)

    class Meta:
        model = OnBehalfSettings
        fields = ("associate_permission", "session_minutes", "payment_link_days", "reminder_hours")


class OnBehalfSettingsAdmin(SingletonSettingsAdmin):
    list_display = ("__str__", "associate_permission", "session_minutes", "payment_link_days", "reminder_hours")
    form = OnBehalfSettingsForm


class ShopAsSessionAdmin(RecordAdmin):
    list_display = ("started_at", "associate", "customer", "expires_at", "ended_at", "end_reason")
    readonly_fields = ("user", "associate", "customer", "started_at", "expires_at", "ended_at", "end_reason", "steps")

    @admin.display(description="Steps (audit log)")
    def steps(self, session):
        events = AuditEvent.objects.filter(target_type="orders.shopassession", target_id=str(session.pk))
        rows = format_html_join(
            "", "<li>{} · {} · {}</li>",
            ((timezone.localtime(e.created_at).strftime("%Y-%m-%d %H:%M:%S"), e.verb,
              e.data.get("action") or e.data.get("reason") or "") for e in events.order_by("created_at", "id")),
        )
        return format_html("<ul>{}</ul>", rows) if rows else "—"
    list_filter = ("end_reason", "associate__store")
    search_fields = ("associate__name", "customer__first_name", "customer__last_name", "customer__email")
    list_select_related = ("associate", "customer")
    date_hierarchy = "started_at"


class PaymentLinkAdmin(RecordAdmin):
    list_display = ("order", "amount", "currency", "created_by", "created_at", "expires_at", "sent_at",
                    "reminded_at", "paid_at", "revoked_at")
    search_fields = ("order__external_id",)
    list_select_related = ("order", "created_by")
    exclude = ("nonce",)
    date_hierarchy = "created_at"


class PaymentAdmin(RecordAdmin):
    list_display = ("created_at", "order", "status", "amount", "currency", "provider", "reference", "card_last4")
    list_filter = ("status", "provider")
    search_fields = ("order__external_id", "reference")
    list_select_related = ("order",)
    date_hierarchy = "created_at"


def register(site) -> None:
    site.register(OnBehalfSettings, OnBehalfSettingsAdmin)
    site.register(ShopAsSession, ShopAsSessionAdmin)
    site.register(PaymentLink, PaymentLinkAdmin)
    site.register(Payment, PaymentAdmin)
