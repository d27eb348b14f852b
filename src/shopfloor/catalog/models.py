"""Products and categories, synced from the storefront or the ERP."""

from decimal import Decimal

from django.db import models


class Category(models.Model):
    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=140, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self):
        return self.name


class Product(models.Model):
    sku = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True, help_text="The product page on the storefront.")
    image_url = models.CharField(max_length=500, blank=True)
    price = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="products"
    )
    in_stock = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.sku})"


class ProductChangeKind(models.TextChoices):
    # The product was out of stock and is in stock again.
    BACK_IN_STOCK = "back_in_stock", "Back in stock"
    # The product's price went down.
    PRICE_DROP = "price_drop", "Price dropped"


class ProductChange(models.Model):
    """A change to a product that customers who listed it care about (the task rules read these).

    Written by catalog.services when a sync or an edit brings a product back in stock or lowers
    its price; never edited afterwards.
    """

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=20, choices=ProductChangeKind.choices)
    old_price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    new_price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    happened_at = models.DateTimeField()

    class Meta:
        ordering = ["-happened_at", "-id"]
        indexes = [models.Index(fields=["kind", "happened_at"], name="product_change_recent")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.product_id} at {self.happened_at:%Y-%m-%d}"
