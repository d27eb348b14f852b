"""Writes on the catalog: products upserted by sku."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from shopfloor.catalog.models import Category, Product, ProductChange, ProductChangeKind
from shopfloor.errors import InvalidInput
from shopfloor.money import to_cents

PRODUCT_FIELDS = ("name", "description", "url", "image_url", "in_stock")


def category_named(name: str) -> Category | None:
    name = (name or "").strip()
    if not name:
        return None
    slug = slugify(name)[:140] or "category"
    category, _ = Category.objects.get_or_create(slug=slug, defaults={"name": name})
    return category


def _clean_product(data: dict, loc_prefix: tuple) -> dict:
    errors = []
    if "price" in data and data["price"] is not None and data["price"] < 0:
        errors.append(((*loc_prefix, "price"), "Must be zero or more."))
    for url_field in ("url", "image_url"):
        value = data.get(url_field) or ""
        if value and not (value.startswith("/") or value.startswith("https://") or value.startswith("http://")):
            errors.append(((*loc_prefix, url_field), "Must be an http(s) URL or a path on this site."))
    if errors:
        raise InvalidInput(errors)
    return data


def upsert_product(actor_user, data: dict, loc_prefix: tuple = ("body",)) -> tuple[Product, bool]:
    """Create or update the product with this sku; returns (product, created)."""
    _clean_product(data, loc_prefix)
    try:
        return _upsert_product(data)
    except IntegrityError:
        # Another request created this sku between our read and our insert: update it instead.
        return _upsert_product(data)


def _upsert_product(data: dict) -> tuple[Product, bool]:
    with transaction.atomic():
        product = Product.objects.select_for_update().filter(sku=data["sku"]).first()
        created = product is None
        product = product or Product(sku=data["sku"])
        was_in_stock, old_price = product.in_stock, product.price
        for name in PRODUCT_FIELDS:
            if name in data and data[name] is not None:
                setattr(product, name, data[name])
        if data.get("price") is not None:
            product.price = to_cents(data["price"])
        if "category" in data:
            product.category = category_named(data["category"])
        product.save()
        if not created:
            record_product_changes(product, was_in_stock, old_price)
    return product, created


def record_product_changes(product: Product, was_in_stock: bool, old_price) -> list[ProductChange]:
    """Keep the history the task rules read: back in stock, price dropped (inside the caller's transaction)."""
    now = timezone.now()
    changes = []
    if product.in_stock and not was_in_stock:
        changes.append(ProductChange(product=product, kind=ProductChangeKind.BACK_IN_STOCK, happened_at=now))
    if old_price is not None and product.price < old_price:
        changes.append(ProductChange(product=product, kind=ProductChangeKind.PRICE_DROP, old_price=old_price,
                                     new_price=product.price, happened_at=now))
    return ProductChange.objects.bulk_create(changes) if changes else []


def bulk_upsert_products(actor_user, rows: list[tuple[int, dict]]) -> dict:
    """Upsert (index in the payload, row) pairs by sku; a bad row is reported by its index."""
    created = updated = 0
    errors = []
    for index, row in rows:
        try:
            _, was_created = upsert_product(actor_user, row, ("body", "products", index))
        except InvalidInput as exc:
            errors.append({"index": index, "sku": row.get("sku"),
                           "detail": [{"loc": list(loc), "msg": msg} for loc, msg in exc.errors]})
            continue
        created += was_created
        updated += not was_created
    return {"created": created, "updated": updated, "errors": errors}
