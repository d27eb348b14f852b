from django import forms
from django.contrib import admin

from shopfloor.access import Actor
from shopfloor.adminkit import ServiceFormAdmin, SingletonSettingsAdmin
from shopfloor.comms import services
from shopfloor.comms.models import (
    Announcement,
    CommsSettings,
    Message,
    Notification,
    NotificationPreference,
    Thread,
)
from shopfloor.errors import InvalidInput


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("title", "user", "kind", "created_at", "read_at")
    list_filter = ("kind",)
    search_fields = ("title", "user__email")
    raw_id_fields = ("user",)
    readonly_fields = ("created_at",)


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "kind", "email")
    raw_id_fields = ("user",)


class AnnouncementForm(forms.ModelForm):
    class Meta:
        model = Announcement
        fields = ("title", "body", "audience", "stores", "agent_groups", "publish_at")

    user = None

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        data = {**self.cleaned_data, "store_ids": [s.pk for s in self.cleaned_data.get("stores") or []],
                "agent_group_ids": [g.pk for g in self.cleaned_data.get("agent_groups") or []]}
        try:
            self.instance = services.save_announcement(
                Actor(self.user), data, self.instance if self.instance.pk else None
            )
        except InvalidInput as exc:
            for loc, message in exc.errors:
                name = {"store_ids": "stores", "agent_group_ids": "agent_groups"}.get(loc[-1], loc[-1])
                self.add_error(name if name in self.fields else None, message)


@admin.register(Announcement)
class AnnouncementAdmin(ServiceFormAdmin):
    """Published through comms.services.save_announcement: Markdown sanitised, delivered once at publish_at."""

    form = AnnouncementForm
    list_display = ("title", "audience", "publish_at", "delivered_at", "read_count")
    list_filter = ("audience",)
    search_fields = ("title",)
    filter_horizontal = ("stores", "agent_groups")

    @admin.display(description="read by")
    def read_count(self, obj):
        return obj.reads.count()


@admin.register(CommsSettings)
class CommsSettingsAdmin(SingletonSettingsAdmin):
    list_display = ("__str__", "unread_email_after_minutes", "updated_at")

    def save_model(self, request, obj, form, change):
        obj.save()


class MessageInline(admin.TabularInline):
    model = Message
    fields = ("created_at", "author", "body")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Thread)
class ThreadAdmin(admin.ModelAdmin):
    """Retailer threads can be looked at here; answer them in the console."""

    list_display = ("subject", "kind", "associate", "agent", "last_message_at")
    list_filter = ("kind",)
    search_fields = ("subject", "associate__name")
    readonly_fields = ("kind", "subject", "associate", "agent", "created_by", "created_at", "last_message_at")
    inlines = [MessageInline]

    def get_queryset(self, request):
        # Conversations between an agent and a subagent are theirs alone, as in the console.
        return super().get_queryset(request).filter(kind="retailer")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
