"""Admin for agent registrations: approve or reject them with the actions (the same services as the console)."""

from django.contrib import admin, messages

from shopfloor.access import Actor
from shopfloor.accounts.models import AgentRegistration
from shopfloor.adminkit import ReadOnlyAdmin
from shopfloor.agents.services import approve_registration, reject_registration
from shopfloor.errors import Conflict


@admin.register(AgentRegistration)
class AgentRegistrationAdmin(ReadOnlyAdmin):
    """People who asked to sell as agents. Approve or reject them with the actions (or in the console)."""

    list_display = ("created_at", "name", "email", "store", "recruiter", "status", "decided_at")
    list_filter = ("status", "store")
    search_fields = ("name", "email")
    list_select_related = ("store", "recruiter")
    actions = ["approve", "reject"]

    def _decide(self, request, queryset, decide, verb):
        done = 0
        for registration in queryset.order_by("pk"):
            try:
                decide(Actor(request.user), registration)
                done += 1
            except Conflict as exc:
                self.message_user(request, f"{registration.name}: {exc}", messages.WARNING)
        if done:
            self.message_user(request, f"{done} registration{'s' if done != 1 else ''} {verb}.", messages.SUCCESS)

    @admin.action(description="Approve: create the agents and email them a set-password link")
    def approve(self, request, queryset):
        self._decide(request, queryset, approve_registration, "approved")

    @admin.action(description="Reject the selected registrations")
    def reject(self, request, queryset):
        self._decide(request, queryset, reject_registration, "rejected")
