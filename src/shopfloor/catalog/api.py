"""API: products, upserted by sku."""

from decimal import Decimal
from typing import Any

from ninja import Field, Query, Router, Schema
from pydantic import ValidationError

from shopfloor.apikit import LIMIT, OFFSET, admin_actor, paginate, staff_actor
from shopfloor.catalog import services
from shopfloor.catalog.models import Product

router = Router(tags=["Catalog and orders"])


class ProductIn(Schema):
    sku: str = Field(..., min_length=1, max_length=64)
    name: str = Field(..., min_length=1, max_length=255)
    description: str = Field("", max_length=10_000)
    url: str = Field("", max_length=500)
    image_url: str = Field("", max_length=500)
    price: Decimal = Field(..., ge=0, max_digits=12, decimal_places=2)
    category: str = Field("", max_length=120)
    in_stock: bool = True


class ProductOut(Schema):
    id: int
    sku: str
    name: str
    url: str
    image_url: str
    price: str
    category: str
    in_stock: bool


class ProductPage(Schema):
    items: list[ProductOut]
    count: int


def product_out(product) -> dict:
    return {
        "id": product.pk, "sku": product.sku, "name": product.name, "url": product.url,
        "image_url": product.image_url, "price": str(product.price),
        "category": product.category.name if product.category_id else "", "in_stock": product.in_stock,
    }


@router.get("/products", response=ProductPage)
def list_products(request, q: str = Query("", max_length=100), category: str = Query("", max_length=120),
                  limit: int = LIMIT, offset: int = OFFSET):
    staff_actor(request)
    queryset = Product.objects.select_related("category").order_by("name", "id")
    if q:
        queryset = queryset.filter(name__icontains=q) | queryset.filter(sku__istartswith=q)
    if category:
        queryset = queryset.filter(category__name=category)
    return paginate(queryset, limit, offset, product_out)


@router.post("/products", response={201: ProductOut, 200: ProductOut}, summary="Create or update by sku")
def upsert_product(request, payload: ProductIn):
    who = admin_actor(request)
    product, created = services.upsert_product(who.user, payload.dict())
    return (201 if created else 200), product_out(product)


class ProductBulkIn(Schema):
    # Rows are checked one by one (as ProductIn), so one bad row cannot sink the batch.
    products: list[Any] = Field(..., max_length=1000, description="Product objects as for POST /products.")


class ProductBulkOut(Schema):
    created: int
    updated: int
    errors: list[dict] = Field(..., description='[{"index", "sku", "detail": [{"loc", "msg"}]}]')


@router.post("/products/bulk", response=ProductBulkOut,
             summary="Upsert products by sku; bad rows are reported by index")
def bulk_products(request, payload: ProductBulkIn):
    who = admin_actor(request)
    rows, errors = [], []
    for index, raw in enumerate(payload.products):
        if not isinstance(raw, dict):
            errors.append({"index": index, "sku": None, "detail": [
                {"loc": ["body", "products", index], "msg": "Each product is a JSON object."}]})
            continue
        try:
            rows.append((index, ProductIn.model_validate(raw).dict()))
        except ValidationError as exc:
            sku = raw.get("sku")
            errors.append({"index": index, "sku": sku if isinstance(sku, str) else None, "detail": [
                {"loc": ["body", "products", index, *err["loc"]], "msg": err["msg"]}
                for err in exc.errors(include_url=False)]})
    result = services.bulk_upsert_products(who.user, rows)
    return {**result, "errors": sorted(errors + result["errors"], key=lambda error: error["index"])}
