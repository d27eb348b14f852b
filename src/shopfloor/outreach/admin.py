"""Admin for outreach: message templates (saved through the service, which checks merge fields); sent
messages are records, only looked at."""

from django import forms
from django.contrib import admin

from shopfloor.access import Actor
from shopfloor.adminkit import ServiceFormAdmin
from shopfloor.errors import InvalidInput
from shopfloor.outreach.models import MessageTemplate, OutreachMessage, TrackedLink
from shopfloor.outreach.services import save_template


class MessageTemplateForm(forms.ModelForm):
    class Meta:
        model = MessageTemplate
        fields = ("name", "channel", "purpose", "subject", "body", "store", "active")

    user = None

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        data = {name: self.cleaned_data.get(name) for name in ("name", "channel", "purpose", "subject", "body",
                                                               "active")}
        data["store_id"] = self.cleaned_data["store"].pk if self.cleaned_data.get("store") else None
        existing = MessageTemplate.objects.get(pk=self.instance.pk) if self.instance.pk else None
        try:
            self.instance = save_template(Actor(self.user), data, existing)
        except InvalidInput as exc:
            for loc, message in exc.errors:
                name = loc[1] if len(loc) > 1 else None
                self.add_error(name if name in self.fields else None, message)


@admin.register(MessageTemplate)
class MessageTemplateAdmin(ServiceFormAdmin):
    form = MessageTemplateForm
    list_display = ("name", "purpose", "channel", "store", "active")
    list_filter = ("purpose", "channel", "active", "store")
    search_fields = ("name", "subject", "body")


class TrackedLinkInline(admin.TabularInline):
    model = TrackedLink
    fields = ("url", "click_count", "first_clicked_at", "last_clicked_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(OutreachMessage)
class OutreachMessageAdmin(admin.ModelAdmin):
    list_display = ("created_at", "customer", "associate", "channel", "purpose", "status", "to_address")
    list_filter = ("channel", "purpose", "status")
    search_fields = ("to_address", "subject", "customer__last_name", "associate__name")
    list_select_related = ("customer", "associate")
    date_hierarchy = "created_at"
    inlines = [TrackedLinkInline]
    readonly_fields = ("customer", "associate", "store", "channel", "purpose", "template", "to_address", "subject",
                       "body", "status", "provider_id", "error", "source_ref", "unsubscribed_at", "created_at",
                       "sent_at")
    exclude = ("unsubscribe_token",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
