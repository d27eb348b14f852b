"""Template helpers for the demo shop: prices in the store's currency, form fields."""

from decimal import Decimal

from django import template
from django.urls import NoReverseMatch, reverse

from shopfloor.money import to_cents
from shopfloor.storefront.selectors import display_phone

register = template.Library()

SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£"}


@register.filter
def money(amount, currency: str = "EUR") -> str:
    """€1,249.90 for a known currency's symbol, else 1,249.90 CHF."""
    if amount is None or amount == "":
        return ""
    value = f"{to_cents(Decimal(amount)):,.2f}"
    symbol = SYMBOLS.get((currency or "").upper())
    return f"{symbol}{value}" if symbol else f"{value} {currency}"


@register.inclusion_tag("storefront/_field.html")
def field(bound_field, **attrs):
    """A labelled input with its help text and errors wired up for assistive technology."""
    return {"field": bound_field, **attrs}


@register.filter
def image_src(product) -> str:
    """The product's picture: its own image URL, else the one the shop draws for its SKU."""
    if product.image_url:
        return product.image_url
    try:
        return reverse("storefront:product_image", args=[product.sku])
    except NoReverseMatch:
        return ""


@register.filter
def phone(e164: str) -> str:
    return display_phone(e164) if e164 else ""
