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


class InteractionKind(models.TextChoices):
    """What an associate did with a customer or a visitor; each counts for rule 4 (DESIGN.md §4)."""

    # A text chat with the customer or visitor.
    CHAT = "chat", "Chat"
    # A voice or video call.
    CALL = "call", "Call"
    # The associate notified the customer of a collaborative list.
    LIST_NOTIFY = "list_notify", "List notification"
    # The customer opened a lookbook the associate made for them.
    LOOKBOOK_OPENED = "lookbook_opened", "Lookbook opened"


class Interaction(models.Model):
    """An associate's contact with a customer or a website visitor: the evidence of attribution rule 4.

    Written by `orders.services.record_interaction`, which the chat, calls, lists and
    lookbooks call; idempotent per associate by `source_ref` (e.g. "chat:42").
    """

    associate = models.ForeignKey(Associate, on_delete=models.CASCADE, related_name="interactions")
    kind = models.CharField(max_length=20, choices=InteractionKind.choices)
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.CASCADE, related_name="interactions"
    )
    visitor_id = models.CharField(max_length=64, blank=True)
    occurred_at = models.DateTimeField()
    source_ref = models.CharField(
        max_length=200, blank=True, help_text="What it came from (e.g. chat:42); the same ref is recorded once."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "occurred_at"], name="interaction_customer_time"),
            models.Index(fields=["visitor_id", "occurred_at"], name="interaction_visitor_time"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["associate", "source_ref"], condition=~models.Q(source_ref=""),
                name="interaction_once_per_source",
            ),
            models.CheckConstraint(
                condition=models.Q(customer__isnull=False) | ~models.Q(visitor_id=""),
                name="interaction_has_someone",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} by {self.associate_id} at {self.occurred_at:%Y-%m-%d %H:%M}"


DEFAULT_ATTRIBUTION_WINDOW_DAYS = 30
DEFAULT_INFLUENCE_WINDOW_DAYS = 14


class AttributionSettings(models.Model):
    """The windows of attribution rules 3 and 4: one row, id 1 (`attribution.attribution_settings`)."""

    attribution_window_days = models.PositiveIntegerField(
        default=DEFAULT_ATTRIBUTION_WINDOW_DAYS,
        help_text="A referral link click credits orders placed within this many days (last click wins).",
    )
    influence_window_days = models.PositiveIntegerField(
        default=DEFAULT_INFLUENCE_WINDOW_DAYS,
        help_text="An interaction (chat, call, list notify, lookbook opened) credits orders placed within "
                  "this many days (the latest wins).",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "attribution settings"
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="attribution_settings_singleton")]

    def __str__(self):
        return "Attribution settings"
