"""The catalog as a shopper browses it (collections, products, search, sort orders), and the store the demo
shop sells for: what the demo shop and the pages drawn in its frame (lists, payment links) read."""

from django.conf import settings
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from shopfloor.accounts.models import Store
from shopfloor.catalog.models import Category, Product

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
