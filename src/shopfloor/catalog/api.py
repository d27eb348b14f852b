"""API: products, upserted by sku."""

from decimal import Decimal

from ninja import Field, Path, Query, Router, Schema

from shopfloor.apikit import admin_actor, paginate, staff_actor
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
                  limit: int = Query(50, ge=1, le=200), offset: int = Query(0, ge=0)):
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
    products: list[ProductIn] = Field(..., max_length=1000)


class ProductBulkOut(Schema):
    created: int
    updated: int
    errors: list[dict]


@router.post("/products/bulk", response=ProductBulkOut)
def bulk_products(request, payload: ProductBulkIn):
    who = admin_actor(request)
    return services.bulk_upsert_products(who.user, [row.dict() for row in payload.products])
