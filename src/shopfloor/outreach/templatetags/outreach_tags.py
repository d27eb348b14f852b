"""The customer page's outreach panel ("Compose message", recent messages), for the one include line the
console's customer page gives this app."""

from django import template

from shopfloor.outreach.delivery import consent_problem
from shopfloor.outreach.models import Channel, OutreachMessage
from shopfloor.outreach.services import MERGE_FIELDS, templates_for

register = template.Library()

RECENT = 5


@register.inclusion_tag("outreach/_customer_panel.html", takes_context=True)
def customer_outreach_panel(context, customer, beside=""):
    """`beside`: the name of a template the page shows next to the composer (another app's card, such as
    the customer's lookbooks), so this app need not know that app; it renders with this panel's context."""
    actor = context.get("actor")
    if actor is None or customer is None:
        return {"shown": False}
    return {
        "shown": True, "customer": customer, "actor": actor, "csrf_token": context.get("csrf_token"),
        "beside": beside,
        "templates": list(templates_for(actor)),
        "messages_sent": list(OutreachMessage.objects.filter(customer=customer).prefetch_related("links")
                              .select_related("associate")[:RECENT]),
        "email_problem": consent_problem(customer, Channel.EMAIL),
        "sms_problem": consent_problem(customer, Channel.SMS),
        "merge_fields": [f"{{{{{name}}}}}" for name in MERGE_FIELDS],
    }
