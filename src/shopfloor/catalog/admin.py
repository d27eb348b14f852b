"""Admin for the catalog the storefront or ERP syncs."""

from django.contrib import admin
from django.db.models import Count

from shopfloor.catalog.models import Category, Product


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
