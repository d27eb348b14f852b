"""Collaborative lists: a customer's list of products, grouped by room, with comment threads.

An associate builds a list for a customer, saves products into rooms ("Living room"),
comments on the list and on items, then notifies the customer, who collaborates
through a signed link (`services.collaboration_token`). Deleting is soft: a deleted list
is hidden everywhere and restorable for RESTORE_DAYS, then purged by a scheduled job.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q

from shopfloor.catalog.models import Product
from shopfloor.customers.models import Customer

# How long a deleted list stays restorable before the purge job removes it.
RESTORE_DAYS = 30
# At most one alert email per collaborator per list in this many minutes.
ALERT_EMAIL_MINUTES = 10
MAX_NAME_LENGTH = 120
MAX_ROOM_LENGTH = 80
MAX_NOTE_LENGTH = 1000
MAX_COMMENT_LENGTH = 2000
MAX_QUANTITY = 999


def new_collaboration_secret() -> str:
    return secrets.token_urlsafe(32)


class CustomerList(models.Model):
    """A list an associate builds with (and for) one customer."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="lists")
    name = models.CharField(max_length=MAX_NAME_LENGTH)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Soft delete: hidden from every normal read; restorable until the purge job removes it.
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Signs the customer's collaboration link; rotating it revokes every link sent so far.
    collaboration_secret = models.CharField(max_length=64, default=new_collaboration_secret, editable=False)
    # When the customer was last sent the link; from then on they are a collaborator who gets alerts.
    notified_at = models.DateTimeField(null=True, blank=True)
    # The site the customer was sent the link from (e.g. https://shop.example.com), so emails the
    # worker sends later, outside any request, carry full links too.
    site_url = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "deleted_at"], name="list_customer_deleted"),
            models.Index(fields=["deleted_at"], name="list_deleted", condition=Q(deleted_at__isnull=False)),
        ]

    def __str__(self):
        return self.name

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class ListRoom(models.Model):
    """A label that groups a list's items, such as "Living room"; unique per list."""

    list = models.ForeignKey(CustomerList, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(max_length=MAX_ROOM_LENGTH)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["list", "name"], name="list_room_unique")]

    def __str__(self):
        return self.name


class ListItem(models.Model):
    """A product saved into a room of a list; saving it again into the same room adds to the quantity."""

    list = models.ForeignKey(CustomerList, on_delete=models.CASCADE, related_name="items")
    room = models.ForeignKey(ListRoom, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField(default=1)
    note = models.TextField(blank=True, max_length=MAX_NOTE_LENGTH)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["list", "room", "product"], name="list_item_once_per_room"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="list_item_quantity_positive"),
        ]

    def __str__(self):
        return f"{self.quantity} × {self.product.name}"


class ListComment(models.Model):
    """A comment on the list (item empty) or on one of its items, by a staff user or the customer."""

    list = models.ForeignKey(CustomerList, on_delete=models.CASCADE, related_name="comments")
    item = models.ForeignKey(ListItem, null=True, blank=True, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Set when the customer wrote it (through their link or their shop session).
    author_customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The name shown with the comment, kept so it reads the same after people leave.
    author_name = models.CharField(max_length=200, blank=True)
    # Sanitized plain text (nh3): text, line breaks and links only; templates escape it again.
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["list", "created_at"], name="list_comment_time")]

    def __str__(self):
        return f"{self.author_name}: {self.body[:40]}"

    @property
    def is_by_customer(self) -> bool:
        return self.author_customer_id is not None


class CommentAlert(models.Model):
    """A comment one collaborator has not been emailed about yet; the alert job batches them per list.

    `recipient` is "user:<id>" for staff or "customer:<id>" for the list's customer.
    """

    comment = models.ForeignKey(ListComment, on_delete=models.CASCADE, related_name="alerts")
    list = models.ForeignKey(CustomerList, on_delete=models.CASCADE, related_name="+")
    recipient = models.CharField(max_length=40)
    email = models.EmailField()
    created_at = models.DateTimeField(auto_now_add=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["comment", "recipient"], name="comment_alert_once"),
        ]
        indexes = [
            models.Index(fields=["list", "recipient", "emailed_at"], name="comment_alert_recipient"),
            models.Index(fields=["emailed_at"], name="comment_alert_waiting", condition=Q(emailed_at__isnull=True)),
        ]

    def __str__(self):
        return f"{self.recipient} ← comment {self.comment_id}"
