"""Reads on lookbooks and looks, with visibility from shopfloor.access."""

from django.db.models import Count, Prefetch

from shopfloor.access import Actor, visible_lookbooks, visible_looks
from shopfloor.lookbooks.models import LookbookItem, LookItem


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
