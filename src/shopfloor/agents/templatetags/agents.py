"""Template tags other console pages use to show agents parts (the approvals page's agent registrations)."""

from django import template

from shopfloor.agents.selectors import pending_registrations

register = template.Library()


@register.inclusion_tag("agents/_registrations.html", takes_context=True)
def agent_registrations(context):
    """Pending agent registrations, for admins, when there are any (nothing for anyone else)."""
    actor = context.get("actor")
    request = context.get("request")
    pending = list(pending_registrations(actor)) if actor is not None and actor.is_admin else None
    return {
        "pending": pending, "request": request, "show": bool(pending), "csrf_token": context.get("csrf_token"),
    }
