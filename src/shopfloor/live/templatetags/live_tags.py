"""The online connector on the shop's account page: "talk to my associate now" (associate mode) or
"talk to the store" (team mode). The buttons are plain links the widget's live.js picks up."""

from django import template

from shopfloor.accounts.models import Associate

register = template.Library()


@register.inclusion_tag("live/_connector.html")
def live_connector(customer, store):
    """`store` is the shop's (the widget's) store; one query finds the customer's associates there."""
    if customer is None or store is None:
        return {"show": False}
    reps = [] if store.is_team_mode else list(
        Associate.objects.filter(assignments__customer=customer, store=store, active=True, user__isnull=False)
        .order_by("-assignments__is_primary", "name")
    )
    return {"show": True, "store": store, "reps": reps}
