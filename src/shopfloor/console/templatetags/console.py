"""Formatting the console's pages need: phone numbers, money, initials."""

import phonenumbers
from django import template
from django.contrib.humanize.templatetags.humanize import intcomma

from shopfloor.money import to_cents
from shopfloor.storefront.images import initials as name_initials

register = template.Library()


@register.filter
def phone(e164: str) -> str:
    """+351912345678 → +351 912 345 678 (stored numbers are E.164)."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


@register.filter
def money(amount) -> str:
    """A Decimal amount with two places and thousands separators."""
    if amount is None or amount == "":
        return ""
    return intcomma(f"{to_cents(amount):.2f}")


@register.filter
def initials(name) -> str:
    return name_initials(str(name or ""))
