"""Lookbooks (a personal page of products for one customer) and "My Looks" (templates shared with many).

A lookbook's public link is `/c/lookbook/<token>`; the token is 192 random bits. It is kept
as is (not hashed) because the associate copies the link again and again from the console
and the API answers it as `url`; revoking the lookbook is what retires a leaked link.
"""

import secrets

from django.db import models
from django.utils import timezone

from shopfloor.accounts.models import Associate, Store
from shopfloor.catalog.models import Product
from shopfloor.customers.models import Customer


def new_lookbook_token() -> str:
    return secrets.token_urlsafe(24)


class Look(models.Model):
    """One of an associate's "My Looks": a title, products and notes, to share with many customers."""

    author = models.ForeignKey(Associate, on_delete=models.CASCADE, related_name="looks")
    # The author's store: in team mode every associate of the store sees and shares the look.
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="looks")
    title = models.CharField(max_length=200)
    message = models.TextField(blank=True, help_text="The note each customer reads; {{first_name}} is theirs.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["store", "author"], name="look_store_author")]

    def __str__(self):
        return self.title


class LookItem(models.Model):
    look = models.ForeignKey(Look, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    note = models.CharField(max_length=500, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["look", "product"], name="look_item_once")]

    def __str__(self):
        return f"{self.product_id} in look {self.look_id}"


class LookbookStatus(models.TextChoices):
    # Being prepared: the link shows nothing yet.
    DRAFT = "draft", "Draft"
    # The customer's link opens it (until it expires).
    PUBLISHED = "published", "Published"
    # Withdrawn by the associate: the link shows a clear "no longer available" page.
    REVOKED = "revoked", "Revoked"


class Lookbook(models.Model):
    """A 1:1 personalised page for one customer: title, message, products with notes, a cover."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="lookbooks")
    author = models.ForeignKey(Associate, on_delete=models.CASCADE, related_name="lookbooks")
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="lookbooks")
    look = models.ForeignKey(Look, null=True, blank=True, on_delete=models.SET_NULL, related_name="lookbooks")
    title = models.CharField(max_length=200)
    message = models.TextField(blank=True)
    cover_product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    token = models.CharField(max_length=64, unique=True, default=new_lookbook_token, editable=False)
    status = models.CharField(max_length=16, choices=LookbookStatus.choices, default=LookbookStatus.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    # The first open (notified to the author) and the latest; counts for the console and KPIs.
    opened_at = models.DateTimeField(null=True, blank=True)
    last_opened_at = models.DateTimeField(null=True, blank=True)
    open_count = models.PositiveIntegerField(default=0)
    click_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["store", "author"], name="lookbook_store_author"),
            models.Index(fields=["customer", "created_at"], name="lookbook_customer_time"),
        ]

    def __str__(self):
        return f"{self.title} for {self.customer}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def is_live(self) -> bool:
        """The customer's link opens it now."""
        return self.status == LookbookStatus.PUBLISHED and not self.is_expired


class LookbookItem(models.Model):
    lookbook = models.ForeignKey(Lookbook, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    note = models.CharField(max_length=500, blank=True)
    position = models.PositiveIntegerField(default=0)
    click_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["lookbook", "product"], name="lookbook_item_once")]

    def __str__(self):
        return f"{self.product_id} in lookbook {self.lookbook_id}"


class LookbookEventKind(models.TextChoices):
    # The customer's link was opened.
    OPENED = "opened", "Opened"
    # A product was clicked through to the shop.
    CLICKED = "clicked", "Product clicked"


class LookbookEvent(models.Model):
    """An open or a product click on a lookbook's public page (the timeline and KPIs read these)."""

    lookbook = models.ForeignKey(Lookbook, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=LookbookEventKind.choices)
    item = models.ForeignKey(LookbookItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    visitor_id = models.CharField(max_length=64, blank=True)
    occurred_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["lookbook", "kind", "occurred_at"], name="lookbook_event_kind_time")]

    def __str__(self):
        return f"{self.get_kind_display()} at {self.occurred_at:%Y-%m-%d %H:%M}"
