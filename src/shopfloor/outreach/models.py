"""Outreach: emails and text messages an associate sends a customer, with consent, delivery status and
tracked links.

Marketing messages need the customer's opt-in for the channel and carry a one-click
unsubscribe; transactional ones (an order, an appointment the customer asked about) go
regardless. A message's links are rewritten to `/o/l/<token>`, which records the click and
redirects to the URL the message contained, and nowhere else.
"""

import secrets

from django.db import models

from shopfloor.accounts.models import Associate, Store
from shopfloor.customers.models import Customer


def new_link_token() -> str:
    return secrets.token_urlsafe(16)


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "SMS"


class Purpose(models.TextChoices):
    # Offers, looks, news: needs the customer's opt-in for the channel; has an unsubscribe.
    MARKETING = "marketing", "Marketing"
    # About something the customer asked for (an order, a fitting): sent without opt-in.
    TRANSACTIONAL = "transactional", "Transactional"


class DeliveryStatus(models.TextChoices):
    # Written, not handed to the email server or SMS provider yet.
    QUEUED = "queued", "Queued"
    # Accepted by the email server or the SMS provider.
    SENT = "sent", "Sent"
    # The email server or provider refused it; `error` says why.
    FAILED = "failed", "Failed"


class MessageTemplate(models.Model):
    """A reusable message with merge fields: {{first_name}}, {{associate_name}}, {{lookbook_link}}, {{list_link}}."""

    name = models.CharField(max_length=120)
    channel = models.CharField(max_length=8, choices=Channel.choices, blank=True,
                               help_text="Empty: usable for email and SMS.")
    purpose = models.CharField(max_length=16, choices=Purpose.choices, default=Purpose.MARKETING,
                               help_text="Transactional templates are sent without marketing consent; "
                                         "only admins write them.")
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    store = models.ForeignKey(Store, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                              help_text="Empty: every store's associates may use it.")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self):
        return self.name


class OutreachMessage(models.Model):
    """One email or SMS to one customer, as sent (merge fields filled, links tracked)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="outreach_messages")
    associate = models.ForeignKey(Associate, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="outreach_messages")
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    purpose = models.CharField(max_length=16, choices=Purpose.choices, default=Purpose.MARKETING)
    template = models.ForeignKey(MessageTemplate, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    to_address = models.CharField(max_length=254)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    status = models.CharField(max_length=8, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED)
    provider_id = models.CharField(max_length=100, blank=True)
    error = models.CharField(max_length=500, blank=True)
    # What it was sent for, e.g. "lookbook:12".
    source_ref = models.CharField(max_length=100, blank=True)
    unsubscribe_token = models.CharField(max_length=40, unique=True, null=True, blank=True, editable=False)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "created_at"], name="outreach_customer_time"),
            models.Index(fields=["associate", "created_at"], name="outreach_associate_time"),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} to {self.to_address}"


class TrackedLink(models.Model):
    """A link a message contained; `/o/l/<token>` records the click and redirects to `url`."""

    message = models.ForeignKey(OutreachMessage, on_delete=models.CASCADE, related_name="links")
    token = models.CharField(max_length=40, unique=True, default=new_link_token, editable=False)
    url = models.URLField(max_length=1000)
    click_count = models.PositiveIntegerField(default=0)
    first_clicked_at = models.DateTimeField(null=True, blank=True)
    last_clicked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.url
