"""The demo shop embeds the Shopfloor widget as any storefront would: an absolute script URL, the
store's public key and, for a signed-in shopper, an identity signed with the store's widget secret."""

from django import template
from django.urls import reverse

from shopfloor.widget.services import sign_identity

register = template.Library()


def _identity(store, user) -> tuple[str, str]:
    """The signed-in person by their login's email, as an outside storefront knows its shoppers.

    Shopfloor resolves the address to the associate or the customer behind it; signing by email
    costs the page no query."""
    if not user or not user.is_authenticated:
        return "", ""
    return sign_identity(store, email=user.email)


@register.inclusion_tag("widget/_widget.html", takes_context=True)
def shopfloor_widget(context):
    request, store = context.get("request"), context.get("store")
    if request is None or store is None:
        return {"src": ""}
    identity, signature = _identity(store, getattr(request, "user", None))
    return {
        "src": request.build_absolute_uri(reverse("storefront:widget_loader")),
        "store_key": store.widget_key, "identity": identity, "signature": signature,
    }
