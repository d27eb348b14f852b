"""Reads of agent onboarding: the registrations an admin decides on."""

from shopfloor.access import Actor, NotVisible
from shopfloor.accounts.models import AgentRegistration, RegistrationStatus


def pending_registrations(actor: Actor):
    if not actor.is_admin:
        return AgentRegistration.objects.none()
    return (AgentRegistration.objects.filter(status=RegistrationStatus.PENDING)
            .select_related("recruiter", "store").order_by("created_at", "pk"))


def get_registration_for(actor: Actor, registration_id) -> AgentRegistration:
    if not actor.is_admin:
        raise NotVisible
    try:
        return AgentRegistration.objects.select_related("recruiter", "store").get(pk=registration_id)
    except (ValueError, TypeError, AgentRegistration.DoesNotExist):
        raise NotVisible
