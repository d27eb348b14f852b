"""Template helpers that show lists inside other apps' pages (the console customer page, the shop account)."""

from django import template
from django.db.models import Count

from shopfloor.access import Actor
from shopfloor.lists import selectors
from shopfloor.lists.models import CustomerList

register = template.Library()

SHOWN = 10


@register.inclusion_tag("lists/_customer_lists_card.html", takes_context=True)
def customer_lists_card(context, customer):
    """The customer's lists the signed-in staff member sees, and a form to start one."""
    actor = context.get("actor") or Actor(context["request"].user)
    lists = list(selectors.lists_for_customer(actor, customer)[:SHOWN + 1])
    return {
        "customer": customer, "lists": lists[:SHOWN], "has_more": len(lists) > SHOWN,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("lists/_account_lists.html", takes_context=True)
def shopper_lists(context, customer):
    """The shopper's own lists on the shop's account page."""
    lists = list(CustomerList.objects.filter(customer=customer, deleted_at__isnull=True)
                 .select_related("created_by").annotate(item_count=Count("items"))
                 .order_by("-updated_at", "-id")[:20])
    return {"lists": lists}
