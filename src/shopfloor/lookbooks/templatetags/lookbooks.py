"""The customer page's Lookbooks card, which the console shows beside outreach's "Compose message"
(console/customer.html passes lookbooks/customer_lookbooks.html to the outreach panel)."""

from django import template

from shopfloor.lookbooks.selectors import lookbooks_for

register = template.Library()

RECENT = 5


@register.inclusion_tag("lookbooks/_customer_lookbooks_card.html", takes_context=True)
def customer_lookbooks_card(context, customer):
    """The customer's latest lookbooks the signed-in staff member sees, and a way to make one."""
    actor = context["actor"]
    return {
        "customer": customer,
        "lookbooks": list(lookbooks_for(actor, customer_id=customer.pk)[:RECENT]),
        "can_author": actor.associate is not None,
    }
