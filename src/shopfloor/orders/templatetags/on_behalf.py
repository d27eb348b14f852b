from django import template

from shopfloor.orders.on_behalf import services as on_behalf
from shopfloor.orders.on_behalf.settings import on_behalf_settings

register = template.Library()


@register.simple_tag
def on_behalf_permission() -> str:
    """What associates may do on a customer's behalf (OnBehalfPermission), for showing the right buttons."""
    return on_behalf_settings().associate_permission


@register.simple_tag(takes_context=True)
def orders_waiting_for_payment(context, customer) -> list:
    """The customer's pending-payment orders the page's actor sees, each with `live_link`."""
    actor = context.get("actor")
    if actor is None or customer is None:
        return []
    return on_behalf.pending_orders_for(actor, customer)
