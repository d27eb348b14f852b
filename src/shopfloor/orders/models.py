"""Orders as the storefront or ERP reports them, their refunds and their attribution."""

from decimal import Decimal

from django.db import models

from shopfloor.accounts.models import Associate, Store
from shopfloor.catalog.models import Product
from shopfloor.customers.models import Customer


class OrderStatus(models.TextChoices):
    # Placed by an associate on the customer's behalf; waits for the customer to pay.
    PENDING_PAYMENT = "pending_payment", "Pending payment"
    # Paid (or on account) and not yet fulfilled.
    PLACED = "placed", "Placed"
    # Fulfilled; commissions become approvable after the hold period.
    COMPLETED = "completed", "Completed"
    # Will not be fulfilled; earnings are reversed.
    CANCELLED = "cancelled", "Cancelled"


class AttributionRule(models.TextChoices):
    """Why an order was credited where it was (DESIGN.md §4), in the order the rules are tried."""

    ON_BEHALF = "on_behalf", "Placed on the customer's behalf"
    COUPON = "coupon", "Associate's coupon"
    REFERRAL = "referral", "Referral link"
    INTERACTION = "interaction", "Recent interaction"
    PRIMARY_ASSOCIATE = "primary_associate", "Customer's primary associate"
    HOME_STORE = "home_store", "Customer's home store"
    NONE = "none", "Nobody"


class Order(models.Model):
    external_id = models.CharField(max_length=100, unique=True)
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="orders"
    )
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="orders")
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=20, choices=OrderStatus.choices, default=OrderStatus.PLACED)
    subtotal = models.DecimalField(max_digits=12, decimal_places=2)
    discount = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))
    total = models.DecimalField(max_digits=12, decimal_places=2)
    coupon_code = models.CharField(max_length=64, blank=True)
    referral_code = models.CharField(max_length=64, blank=True)
    visitor_id = models.CharField(max_length=64, blank=True)
    placed_by_associate = models.ForeignKey(
        Associate, null=True, blank=True, on_delete=models.SET_NULL, related_name="orders_placed"
    )
    placed_at = models.DateTimeField(db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Attribution, decided once when the order arrives.
    attributed_associate = models.ForeignKey(
        Associate, null=True, blank=True, on_delete=models.SET_NULL, related_name="attributed_orders"
    )
    attributed_store = models.ForeignKey(
        Store, null=True, blank=True, on_delete=models.SET_NULL, related_name="attributed_orders"
    )
    # In a team-mode store the store gets the credit; the associate who helped is kept here.
    influencer = models.ForeignKey(
        Associate, null=True, blank=True, on_delete=models.SET_NULL, related_name="influenced_orders"
    )
    attribution_rule = models.CharField(
        max_length=24, choices=AttributionRule.choices, default=AttributionRule.NONE
    )
    attribution_evidence = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-placed_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "placed_at"], name="order_customer_placed"),
            models.Index(fields=["store", "placed_at"], name="order_store_placed"),
            models.Index(fields=["attributed_associate", "placed_at"], name="order_associate_placed"),
        ]

    def __str__(self):
        return f"Order {self.external_id}"


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    sku = models.CharField(max_length=64)
    name = models.CharField(max_length=255, blank=True)
    quantity = models.PositiveIntegerField()
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)
    line_total = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.quantity} × {self.sku}"


class Refund(models.Model):
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="refunds")
    external_id = models.CharField(max_length=100, unique=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"Refund {self.external_id} of {self.amount}"
