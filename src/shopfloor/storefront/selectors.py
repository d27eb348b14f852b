"""Reads of the shopper's own account in the demo shop: their customer record, their sales
representatives, their latest orders."""

from dataclasses import dataclass

import phonenumbers
from django.db.models import Sum

from shopfloor.access import Actor, visible_orders
from shopfloor.accounts.models import Store
from shopfloor.accounts.selectors import photo_url
from shopfloor.customers.models import Customer
from shopfloor.customers.services import customer_reps


def customer_for(user) -> Customer | None:
    """The customer record behind a logged-in shopper; None for staff and anonymous visitors."""
    if not user.is_authenticated:
        return None
    return Customer.objects.select_related("store").filter(user=user).first()


@dataclass(frozen=True)
class RepCard:
    name: str
    photo_url: str
    email: str
    phone: str
    phone_display: str
    store_name: str
    title: str


def display_phone(e164: str) -> str:
    """+351912480102 → +351 912 480 102; anything unparsable is shown as stored."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def rep_cards(customer: Customer) -> list[RepCard]:
    """ "Your sales representatives": assigned associates first, then the reps behind the rep codes."""
    reps = customer_reps(customer)
    stores = Store.objects.in_bulk({rep.store_id for rep in reps})
    return [
        RepCard(
            name=rep.name, photo_url=photo_url(rep), email=rep.email, phone=rep.phone,
            phone_display=display_phone(rep.phone) if rep.phone else "",
            store_name=stores[rep.store_id].name if rep.store_id in stores else "",
            title=rep.get_role_display() if rep.is_manager else "Sales representative",
        )
        for rep in reps
    ]


def recent_orders(user, customer, limit: int = 5) -> list:
    """The customer's latest orders as `user` may see them (the shopper, or an associate shopping as
    the customer), through the access policy like every other read of orders."""
    return list(
        visible_orders(Actor(user)).filter(customer=customer)
        .annotate(item_count=Sum("lines__quantity"))
        .order_by("-placed_at", "-id")[:limit]
    )
