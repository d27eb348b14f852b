"""Admin for the catalog the storefront or ERP syncs."""

from django.contrib import admin
from django.db import transaction
from django.db.models import Count

from shopfloor.adminkit import ReadOnlyAdmin
from shopfloor.catalog.models import Category, Product, ProductChange
from shopfloor.catalog.services import record_product_changes


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "product_count")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(product_total=Count("products"))

    @admin.display(description="products", ordering="product_total")
    def product_count(self, category):
        return category.product_total


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("name", "sku", "category", "price", "in_stock", "updated_at")
    list_filter = ("in_stock", "category")
    search_fields = ("name", "sku", "description")
    list_select_related = ("category",)
    autocomplete_fields = ("category",)
    readonly_fields = ("updated_at",)
    fieldsets = (
        (None, {"fields": ("name", "sku", "category", "price", "in_stock")}),
        ("Storefront", {"fields": ("url", "image_url", "description")}),
        ("Record", {"fields": ("updated_at",)}),
    )

    def save_model(self, request, obj, form, change):
        # An admin's edit counts like a sync's: back in stock or cheaper is history the task rules read.
        before = Product.objects.filter(pk=obj.pk).values("in_stock", "price").first() if change else None
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            if before is not None:
                record_product_changes(obj, before["in_stock"], before["price"])


@admin.register(ProductChange)
class ProductChangeAdmin(ReadOnlyAdmin):
    """History the task rules read (back in stock, price dropped): looked at, never edited."""

    list_display = ("product", "kind", "old_price", "new_price", "happened_at")
    list_filter = ("kind", "happened_at")
    search_fields = ("product__name", "product__sku")
    list_select_related = ("product",)
