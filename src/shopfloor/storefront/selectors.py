"""Reads the demo shop makes: its store, the catalog as a shopper browses it, the shopper's own account."""

from dataclasses import dataclass

import phonenumbers
from django.conf import settings
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum

from shopfloor.access import Actor, visible_orders
from shopfloor.accounts.models import Store
from shopfloor.accounts.selectors import photo_url
from shopfloor.catalog.models import Category, Product
from shopfloor.customers.models import Customer
from shopfloor.customers.services import customer_reps

SORTS = {
    "featured": ("-in_stock", "name", "id"),
    "price-asc": ("price", "name", "id"),
    "price-desc": ("-price", "name", "id"),
    "name": ("name", "id"),
}
SORT_LABELS = {
    "featured": "Featured",
    "price-asc": "Price, low to high",
    "price-desc": "Price, high to low",
    "name": "Name, A to Z",
}


def shop_store() -> Store | None:
    """The store the demo shop sells for: settings' DEMO_SHOP_STORE code, else the first store."""
    code = settings.SHOPFLOOR.get("DEMO_SHOP_STORE") or ""
    stores = Store.objects.order_by("pk")
    if code:
        return stores.filter(code=code).first()
    return stores.first()


def collections() -> list[Category]:
    """Categories that have products, each with `product_count` and a `cover_url` picture."""
    cover = Product.objects.filter(category=OuterRef("pk")).exclude(image_url="")
    cover = cover.order_by("-in_stock", "name", "id")
    return list(
        Category.objects.annotate(
            product_count=Count("products"),
            cover_url=Subquery(cover.values("image_url")[:1]),
        )
        .filter(product_count__gt=0)
        .order_by("name")
    )


def collection_by_slug(slug: str) -> Category | None:
    return Category.objects.filter(slug=slug).first()


def _sorted(queryset: QuerySet, sort: str) -> QuerySet:
    return queryset.order_by(*SORTS.get(sort, SORTS["featured"]))


def products_in(category: Category | None, sort: str = "featured") -> QuerySet:
    queryset = Product.objects.select_related("category")
    if category is not None:
        queryset = queryset.filter(category=category)
    return _sorted(queryset, sort)


def search_products(query: str, sort: str = "featured") -> QuerySet:
    words = query.split()
    if not words:
        return Product.objects.none()
    condition = Q()
    for word in words[:8]:
        condition &= Q(name__icontains=word) | Q(category__name__icontains=word) | Q(sku__iexact=word)
    return _sorted(Product.objects.select_related("category").filter(condition), sort)


def featured_products(limit: int = 8) -> list[Product]:
    """New in: recently updated products in stock, taken in turn from each collection for a varied shelf."""
    recent = Product.objects.select_related("category").filter(in_stock=True).order_by("-updated_at", "-id")
    by_category: dict[int | None, list[Product]] = {}
    for product in recent[: limit * 8]:
        by_category.setdefault(product.category_id, []).append(product)
    chosen: list[Product] = []
    while len(chosen) < limit and any(by_category.values()):
        for products in by_category.values():
            if products and len(chosen) < limit:
                chosen.append(products.pop(0))
    return chosen


def product_by_sku(sku: str) -> Product | None:
    return Product.objects.select_related("category").filter(sku=sku).first()


def related_products(product: Product, limit: int = 4) -> list[Product]:
    if product.category_id is None:
        return []
    return list(
        Product.objects.select_related("category")
        .filter(category_id=product.category_id)
        .exclude(pk=product.pk)
        .order_by("-in_stock", "name")[:limit]
    )


def products_by_sku(skus) -> dict[str, Product]:
    return {p.sku: p for p in Product.objects.select_related("category").filter(sku__in=list(skus))}


# The shopper's account ---------------------------------------------------------


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
