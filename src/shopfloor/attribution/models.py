"""Who gets the credit for a sale, and the evidence the rules read (DESIGN.md §4).

The interactions associates have with customers and visitors (rule 4), the attribution windows,
associates' coupons (rule 2) and referral link clicks (rule 3). Orders read `AttributionRule` for
the rule that credited them; the commissions pay whoever the rules credited.

The tables keep the names they had when these models lived in the orders and commissions apps
(migrations moved the models, not the data).
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper

from shopfloor.accounts.models import Associate
from shopfloor.customers.models import Customer


class AttributionRule(models.TextChoices):
    """Why an order was credited where it was (DESIGN.md §4), in the order the rules are tried."""

    ON_BEHALF = "on_behalf", "Placed on the customer's behalf"
    COUPON = "coupon", "Associate's coupon"
    REFERRAL = "referral", "Referral link"
    INTERACTION = "interaction", "Recent interaction"
    PRIMARY_ASSOCIATE = "primary_associate", "Customer's primary associate"
    HOME_STORE = "home_store", "Customer's home store"
    NONE = "none", "Nobody"


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

    Written by `attribution.services.record_interaction`, which the chat, calls, lists and
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
        db_table = "orders_interaction"
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
        db_table = "orders_attributionsettings"
        verbose_name_plural = "attribution settings"
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="attribution_settings_singleton")]

    def __str__(self):
        return "Attribution settings"


# Coupons and referral links (attribution rules 2 and 3) -----------------------------------


class CouponKind(models.TextChoices):
    # `value` percent off the order's subtotal.
    PERCENT = "percent", "Percent off"
    # `value` off the subtotal, in the associate's store currency (never more than the subtotal).
    FIXED = "fixed", "Fixed amount off"


class Coupon(models.Model):
    """An associate's coupon code: a discount for the shopper, and the credit for the sale (rule 2).

    Codes are stored upper-case (A–Z, 0–9, - and _) and are unique whatever their case.
    `uses` counts orders that arrived with the code, once per order (`CouponUse`).
    """

    code = models.CharField(max_length=40)
    associate = models.ForeignKey(Associate, on_delete=models.PROTECT, related_name="coupons")
    kind = models.CharField(max_length=10, choices=CouponKind.choices)
    value = models.DecimalField(max_digits=12, decimal_places=2)
    max_uses = models.PositiveIntegerField(null=True, blank=True, help_text="Empty: no limit.")
    uses = models.PositiveIntegerField(default=0, editable=False)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Empty: never expires.")
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "commissions_coupon"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(Upper("code"), name="coupon_code_unique_any_case"),
            models.CheckConstraint(condition=Q(value__gt=0), name="coupon_value_positive"),
            models.CheckConstraint(
                condition=~Q(kind="percent") | Q(value__lte=100), name="coupon_percent_at_most_100"
            ),
        ]

    def __str__(self):
        return self.code


class CouponUse(models.Model):
    """An order that used a coupon: one row per order, so a coupon's use is counted once per order."""

    coupon = models.ForeignKey(Coupon, on_delete=models.PROTECT, related_name="use_set")
    order = models.OneToOneField("orders.Order", on_delete=models.PROTECT, related_name="coupon_use")
    # The use was recorded although the coupon was used up, expired or inactive when the order
    # arrived: the storefront had already granted the discount.
    beyond_limits = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "commissions_couponuse"
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.coupon} on order {self.order_id}"


class CouponBounds(models.Model):
    """What associates and managers may create: the admin's limits, one row, id 1 (`coupons.coupon_bounds`).

    Admins create coupons without these limits.
    """

    max_percent = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal("20.00"), help_text="The largest percent-off coupon."
    )
    max_amount = models.DecimalField(
        max_digits=12, decimal_places=2, default=Decimal("50.00"), help_text="The largest fixed-amount coupon."
    )
    max_uses = models.PositiveIntegerField(default=100, help_text="The most orders one coupon may serve.")
    max_days_to_expiry = models.PositiveIntegerField(
        default=90, help_text="A coupon expires at most this many days after it is created."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "commissions_couponbounds"
        verbose_name_plural = "coupon bounds"
        constraints = [models.CheckConstraint(condition=Q(id=1), name="coupon_bounds_singleton")]

    def __str__(self):
        return "Coupon bounds"


class ReferralClick(models.Model):
    """A visit through an associate's referral link `/r/<referral_code>`: the evidence of rule 3."""

    associate = models.ForeignKey(Associate, on_delete=models.CASCADE, related_name="referral_clicks")
    visitor_id = models.CharField(max_length=64, blank=True)
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.CASCADE, related_name="referral_clicks"
    )
    next_path = models.CharField(max_length=500, blank=True)
    clicked_at = models.DateTimeField()

    class Meta:
        db_table = "commissions_referralclick"
        ordering = ["-clicked_at", "-id"]
        indexes = [
            models.Index(fields=["visitor_id", "clicked_at"], name="referral_visitor_time"),
            models.Index(fields=["customer", "clicked_at"], name="referral_customer_time"),
        ]

    def __str__(self):
        return f"Referral click for {self.associate_id} at {self.clicked_at:%Y-%m-%d %H:%M}"
