"""Formatting the console's pages need: phone numbers, money, initials."""

import phonenumbers
from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils import timezone
from django.utils.timesince import timesince

from shopfloor.consolekit import initials as name_initials
from shopfloor.money import to_cents

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


@register.filter
def compact_amount(amount) -> str:
    """An axis label: 1500 → 1.5k, 2000000 → 2M, 250 → 250."""
    value = float(amount or 0)
    for size, suffix in ((1_000_000, "M"), (1_000, "k")):
        if abs(value) >= size:
            return f"{value / size:.1f}".rstrip("0").rstrip(".") + suffix
    return f"{value:.2f}".rstrip("0").rstrip(".")


@register.filter
def ago(moment) -> str:
    """"just now" for the last minute, else "5 minutes ago"."""
    if not moment:
        return ""
    if (timezone.now() - moment).total_seconds() < 60:
        return "just now"
    return f"{timesince(moment)} ago"
