"""Orders as the storefront or ERP reports them, their refunds and their attribution."""

from decimal import Decimal

from django.db import models

from shopfloor.accounts.models import Associate, Store
from shopfloor.attribution.models import AttributionRule
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


# Selling on the customer's behalf: shop-as-customer sessions, payment links, payments -------------

DEFAULT_SHOP_AS_MINUTES = 30
DEFAULT_PAYMENT_LINK_DAYS = 7
DEFAULT_PAYMENT_REMINDER_HOURS = 48


class OnBehalfPermission(models.TextChoices):
    """What associates may do for a customer: shop as them, and place orders in their name."""

    # Shop as the customer, place the order and take the payment there and then (card by phone, in store).
    PLACE_AND_PAY = "place_and_pay", "Place orders and take payment"
    # Shop as the customer and place orders that wait for the customer to pay a link.
    PENDING_PAYMENT_ONLY = "pending_payment_only", "Place orders as pending payment only"
    # Shop-as-customer and orders on a customer's behalf are off.
    NOTHING = "nothing", "Nothing (shop as customer is off)"


class OnBehalfSettings(models.Model):
    """How associates sell on a customer's behalf: one row, id 1 (`on_behalf.settings.on_behalf_settings`)."""

    associate_permission = models.CharField(
        max_length=24, choices=OnBehalfPermission.choices, default=OnBehalfPermission.PENDING_PAYMENT_ONLY,
        help_text="What associates may do when they shop as a customer or place an order for one.",
    )
    session_minutes = models.PositiveIntegerField(
        default=DEFAULT_SHOP_AS_MINUTES,
        help_text="A shop-as-customer session ends this many minutes after it started.",
    )
    payment_link_days = models.PositiveIntegerField(
        default=DEFAULT_PAYMENT_LINK_DAYS, help_text="A payment link works for this many days."
    )
    reminder_hours = models.PositiveIntegerField(
        default=DEFAULT_PAYMENT_REMINDER_HOURS,
        help_text="An unpaid link is reminded once, this many hours after it was sent.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "on-behalf settings"
        verbose_name_plural = "on-behalf settings"
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="on_behalf_settings_singleton")]

    def __str__(self):
        return "Shop as customer and payment links"


class ShopAsEndReason(models.TextChoices):
    # The associate pressed Exit.
    EXIT = "exit", "Exited"
    # The session outlived its minutes; found on the next request.
    TIMEOUT = "timeout", "Timed out"
    # The associate started shopping as another customer.
    REPLACED = "replaced", "Replaced by a new session"
    # The associate may no longer do it (customer reassigned, setting turned off, account suspended).
    REVOKED = "revoked", "No longer allowed"


class ShopAsSession(models.Model):
    """An associate shopping on the demo shop as one of their customers; its steps are in the audit log."""

    user = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    associate = models.ForeignKey(Associate, on_delete=models.PROTECT, related_name="shop_as_sessions")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="shop_as_sessions")
    started_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=16, choices=ShopAsEndReason.choices, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = "shop-as-customer session"

    def __str__(self):
        return f"{self.associate} as {self.customer} at {self.started_at:%Y-%m-%d %H:%M}"


class PaymentLink(models.Model):
    """A signed, expiring link by which a customer pays a pending-payment order; dead once paid.

    The URL carries the link's id, the order's id and amount and a random nonce, signed
    (`payment_links.link_token`); this row says whether the link still works.
    """

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="payment_links")
    nonce = models.CharField(max_length=64, unique=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    created_by = models.ForeignKey(
        Associate, null=True, blank=True, on_delete=models.SET_NULL, related_name="payment_links"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    # When the customer was sent the link (email, SMS); a link paid at the counter is never sent.
    sent_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    # A newer link for the same order, or a cancelled order, ends this one.
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["paid_at", "reminded_at", "sent_at"], name="payment_link_reminders")]

    def __str__(self):
        return f"Payment link for {self.order} ({self.amount} {self.currency})"


class PaymentStatus(models.TextChoices):
    # The provider took the money.
    APPROVED = "approved", "Approved"
    # The provider refused the card; the customer may try again.
    DECLINED = "declined", "Declined"


class Payment(models.Model):
    """One answer of the payment provider for an order. At most one approved payment per order."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="payments")
    link = models.ForeignKey(PaymentLink, null=True, blank=True, on_delete=models.PROTECT, related_name="payments")
    provider = models.CharField(max_length=40)
    reference = models.CharField(max_length=100, help_text="The provider's id of the charge.")
    status = models.CharField(max_length=16, choices=PaymentStatus.choices)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    card_last4 = models.CharField(max_length=4, blank=True)
    message = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # The guard against double charges: two tabs, a double click or a repeated callback
            # cannot record a second approved payment for one order.
            models.UniqueConstraint(
                fields=["order"], condition=models.Q(status="approved"), name="payment_one_approved_per_order"
            ),
            models.UniqueConstraint(fields=["provider", "reference"], name="payment_provider_reference"),
        ]

    def __str__(self):
        return f"{self.get_status_display()} {self.amount} {self.currency} for {self.order}"
