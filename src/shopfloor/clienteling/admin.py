"""Admin for clienteling: task rules tuned through `rules.update_rule`, tasks looked at (they are worked in the
console), customer notes and preferences shown with the customer's record."""

from django import forms
from django.contrib import admin

from shopfloor.access import Actor
from shopfloor.adminkit import ServiceFormAdmin
from shopfloor.clienteling import rules
from shopfloor.clienteling.models import Task, TaskRule
from shopfloor.customers.models import CustomerNote, CustomerPreferences
from shopfloor.errors import InvalidInput

RULE_FIELDS = ("enabled", "days", "catch_up_days", "due_in_days", "priority", "title", "message")


class TaskRuleForm(forms.ModelForm):
    class Meta:
        model = TaskRule
        fields = RULE_FIELDS

    def _post_clean(self):
        super()._post_clean()
        if self.errors or not self.instance.pk:
            return
        try:
            rules.update_rule(Actor(self.user), self.instance, {name: self.cleaned_data[name] for name in RULE_FIELDS})
        except InvalidInput as error:
            for loc, message in error.errors:
                name = loc[1] if len(loc) > 1 else None
                self.add_error(name if name in self.fields else None, message)


@admin.register(TaskRule)
class TaskRuleAdmin(ServiceFormAdmin):
    form = TaskRuleForm
    list_display = ("__str__", "enabled", "days", "catch_up_days", "priority", "last_run_at", "last_run_created")
    list_filter = ("enabled",)
    readonly_fields = ("key", "last_run_at", "last_run_created", "updated_at", "updated_by")
    fields = ("key", *RULE_FIELDS, "last_run_at", "last_run_created", "updated_at", "updated_by")

    def get_queryset(self, request):
        rules.ensure_rules()
        return super().get_queryset(request)

    def has_add_permission(self, request):
        return False  # one row per rule key, made by rules.ensure_rules

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ("title", "customer", "store", "assignee", "due_on", "status", "source", "created_at")
    list_filter = ("status", "source", "priority", "store")
    search_fields = ("title", "customer__first_name", "customer__last_name", "customer__email", "occasion")
    list_select_related = ("customer", "store", "assignee")
    raw_id_fields = ("customer", "assignee", "created_by", "completed_by")
    readonly_fields = ("source", "rule", "occasion", "created_at", "updated_at", "completed_at", "completed_by")
    date_hierarchy = "due_on"

    def has_add_permission(self, request):
        return False  # tasks are written in the console or by the rules


@admin.register(CustomerNote)
class CustomerNoteAdmin(admin.ModelAdmin):
    list_display = ("customer", "author", "is_pinned", "created_at")
    list_filter = ("is_pinned",)
    search_fields = ("body", "customer__first_name", "customer__last_name")
    raw_id_fields = ("customer", "author")


@admin.register(CustomerPreferences)
class CustomerPreferencesAdmin(admin.ModelAdmin):
    list_display = ("customer", "updated_at")
    raw_id_fields = ("customer", "updated_by")
