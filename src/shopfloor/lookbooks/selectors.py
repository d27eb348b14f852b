"""Reads on lookbooks and looks, with visibility from shopfloor.access."""

from django.db.models import Count, Prefetch

from shopfloor.access import Actor, visible_lookbooks, visible_looks
from shopfloor.catalog.models import Product
from shopfloor.lookbooks.models import Lookbook, LookbookItem, LookItem


def lookbooks_for(actor: Actor, customer_id: int | None = None, status: str | None = None):
    queryset = visible_lookbooks(actor).select_related("customer", "author", "cover_product").prefetch_related(
        Prefetch("items", queryset=LookbookItem.objects.select_related("product"))
    )
    if customer_id is not None:
        queryset = queryset.filter(customer_id=customer_id)
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-created_at", "-id")


def looks_for(actor: Actor):
    return (
        visible_looks(actor).select_related("author")
        .prefetch_related(Prefetch("items", queryset=LookItem.objects.select_related("product")))
        .annotate(lookbook_count=Count("lookbooks", distinct=True))
        .order_by("-updated_at", "-id")
    )


def picker_rows(selected: list[tuple[str, str]], limit: int) -> list[dict]:
    """The catalog as the product picker offers it: the chosen products first, in their order and with
    their notes (unknown SKUs left out), then up to `limit` others by category and name."""
    chosen = dict(selected)
    products = {product.sku: product for product in Product.objects.filter(sku__in=chosen)}
    rows = [{"product": products[sku], "checked": True, "note": note} for sku, note in selected if sku in products]
    others = Product.objects.exclude(sku__in=chosen).select_related("category").order_by("category__name", "name")
    rows += [{"product": product, "checked": False, "note": ""} for product in others[:limit]]
    return rows


def recent_events(lookbook: Lookbook, limit: int = 20):
    """The lookbook's latest opens and clicks (the lookbook comes through the access policy)."""
    return lookbook.events.select_related("item__product")[:limit]
