"""Live one-to-one shopping: visitors, their visits and page views, associates' availability, chats and calls.

Everything another ASGI process needs lives here (in the database), never only in one
process's memory: a visitor's connection state and heartbeats, an associate's
availability and presence, every chat message with its per-chat sequence number.
"""

from django.db import models

from shopfloor.accounts.models import Associate, Store
from shopfloor.customers.models import Customer


class LiveSettings(models.Model):
    """A store's live-shopping settings (one row per store, made on first use)."""

    store = models.OneToOneField(Store, on_delete=models.CASCADE, related_name="live_settings")
    country_only = models.BooleanField(
        default=False, help_text="Keep only the visitor's country, never their city."
    )
    chat_limit = models.PositiveSmallIntegerField(
        default=3, help_text="How many chats one associate holds at once before new requests go to others."
    )
    retention_days = models.PositiveSmallIntegerField(
        default=90, help_text="Visitor data older than this is deleted by the scheduled purge."
    )

    class Meta:
        verbose_name = "live-shopping settings"
        verbose_name_plural = "live-shopping settings"

    def __str__(self):
        return f"Live settings of {self.store}"


class VisitorState(models.TextChoices):
    """What the widget last said about the tab (idle and offline are decided with the clock too)."""

    # The tab is open, visible, and the visitor moved, clicked or typed within the idle window.
    ACTIVE = "active", "Active"
    # No activity for the idle window, or the tab is hidden.
    IDLE = "idle", "Idle"
    # Every tab disconnected (or stopped sending heartbeats).
    OFFLINE = "offline", "Offline"


class Visitor(models.Model):
    """A browser on a storefront, recognised across visits by the id the widget keeps in localStorage."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="visitors")
    key = models.CharField(max_length=64, help_text="The widget's visitor id (first-party storage).")
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="live_visitors",
        help_text="Set only from a verified (signed) widget identity.",
    )
    first_seen_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    visit_count = models.PositiveIntegerField(default=0)
    page_view_count = models.PositiveIntegerField(default=0)
    country = models.CharField(max_length=2, blank=True)
    country_name = models.CharField(max_length=80, blank=True)
    city = models.CharField(max_length=80, blank=True)
    # Presence: tabs connected, the last heartbeat, and what the widget reported.
    connections = models.PositiveSmallIntegerField(default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=VisitorState.choices, default=VisitorState.OFFLINE)
    online_since = models.DateTimeField(null=True, blank=True, help_text="Start of the current stay on site.")
    offline_since = models.DateTimeField(null=True, blank=True)
    current_url = models.URLField(max_length=1000, blank=True)
    current_title = models.CharField(max_length=300, blank=True)
    page_started_at = models.DateTimeField(null=True, blank=True)
    # The widget's clock (ms since the epoch) when it reported the current page: a report that arrives late
    # (a beacon overtaken by the next page's socket) and is older than this never replaces the current page.
    page_reported_at = models.BigIntegerField(null=True, blank=True)
    wants_call = models.BooleanField(default=False)

    class Meta:
        ordering = ["online_since", "id"]
        constraints = [models.UniqueConstraint(fields=["store", "key"], name="live_visitor_key_per_store")]
        indexes = [
            models.Index(fields=["store", "state", "online_since"], name="live_visitor_on_site"),
            models.Index(fields=["last_seen_at"], name="live_visitor_last_seen"),
        ]

    def __str__(self):
        return f"Visitor {self.key[:8]}"


class Visit(models.Model):
    """One stay on the site; a new one starts after 30 minutes without a page view or heartbeat."""

    visitor = models.ForeignKey(Visitor, on_delete=models.CASCADE, related_name="visits")
    started_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    page_view_count = models.PositiveIntegerField(default=0)
    referrer = models.URLField(max_length=1000, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self):
        return f"Visit of {self.visitor_id} at {self.started_at:%Y-%m-%d %H:%M}"


class PageView(models.Model):
    visitor = models.ForeignKey(Visitor, on_delete=models.CASCADE, related_name="page_views")
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="page_views")
    url = models.URLField(max_length=1000)
    title = models.CharField(max_length=300, blank=True)
    referrer = models.URLField(max_length=1000, blank=True)
    started_at = models.DateTimeField()
    seconds_on_page = models.PositiveIntegerField(null=True, blank=True, help_text="Set when the next page starts.")

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["visitor", "started_at"], name="live_pageview_visitor_time")]

    def __str__(self):
        return self.url


class Availability(models.TextChoices):
    """What the associate chose; presence (a connected, heartbeating console) is kept apart."""

    # Takes chats and calls; the widget shows "talk to us" while one eligible associate is available.
    AVAILABLE = "available", "Available"
    # Signed in but taking no new requests.
    BUSY = "busy", "Busy"
    # Not at the desk.
    AWAY = "away", "Away"


class AssociateLive(models.Model):
    """An associate's availability (kept across sessions) and presence (console heartbeats)."""

    associate = models.OneToOneField(Associate, on_delete=models.CASCADE, related_name="live")
    availability = models.CharField(max_length=10, choices=Availability.choices, default=Availability.AWAY)
    availability_changed_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True, help_text="Last sign of an open workspace.")

    def __str__(self):
        return f"{self.associate}: {self.availability}"


class ChatStatus(models.TextChoices):
    # Asked for by a visitor (or the connector); waits for an associate to start the session.
    WAITING = "waiting", "Waiting"
    # An associate owns it; messages flow both ways.
    ACTIVE = "active", "In session"
    # Ended by either side.
    CLOSED = "closed", "Closed"


class ChatOrigin(models.TextChoices):
    # The associate wrote first.
    PROACTIVE = "proactive", "Proactive"
    # The visitor asked.
    REACTIVE = "reactive", "Reactive"


class Chat(models.Model):
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="live_chats")
    visitor = models.ForeignKey(Visitor, on_delete=models.CASCADE, related_name="chats")
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="live_chats"
    )
    associate = models.ForeignKey(
        Associate, null=True, blank=True, on_delete=models.SET_NULL, related_name="live_chats",
        help_text="Who owns the session (the first to take it).",
    )
    routed_to = models.ForeignKey(
        Associate, null=True, blank=True, on_delete=models.SET_NULL, related_name="live_chats_routed",
        help_text="The least busy available associate the request was offered to; empty while queued.",
    )
    requested_associate = models.ForeignKey(
        Associate, null=True, blank=True, on_delete=models.SET_NULL, related_name="live_chats_requested",
        help_text="The associate the customer asked for (online connector).",
    )
    origin = models.CharField(max_length=10, choices=ChatOrigin.choices)
    status = models.CharField(max_length=10, choices=ChatStatus.choices, default=ChatStatus.WAITING)
    wants_call = models.BooleanField(default=False)
    in_call = models.BooleanField(default=False)
    message_count = models.PositiveIntegerField(default=0)
    # The seq of the visitor's latest message; above associate_read_seq shows the red unread dot.
    visitor_last_seq = models.PositiveIntegerField(default=0)
    visitor_read_seq = models.PositiveIntegerField(default=0)
    associate_read_seq = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()
    taken_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["store", "status", "created_at"], name="live_chat_queue")]

    def __str__(self):
        return f"Chat {self.pk}"


class Sender(models.TextChoices):
    VISITOR = "visitor", "Visitor"
    ASSOCIATE = "associate", "Associate"
    # Session events shown in the transcript: taken, call started, navigated, closed.
    SYSTEM = "system", "System"


class ChatMessage(models.Model):
    """A message; `seq` numbers a chat's messages 1, 2, 3… so clients resume and drop doubles."""

    chat = models.ForeignKey(Chat, on_delete=models.CASCADE, related_name="messages")
    seq = models.PositiveIntegerField()
    sender = models.CharField(max_length=10, choices=Sender.choices)
    associate = models.ForeignKey(Associate, null=True, blank=True, on_delete=models.SET_NULL)
    body = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["chat", "seq"]
        constraints = [models.UniqueConstraint(fields=["chat", "seq"], name="live_message_seq_once")]

    def __str__(self):
        return f"{self.chat_id}#{self.seq}"


class LeftMessage(models.Model):
    """What a visitor wrote in the leave-a-message form while nobody was available."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="live_left_messages")
    visitor = models.ForeignKey(Visitor, null=True, blank=True, on_delete=models.SET_NULL)
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.SET_NULL)
    requested_associate = models.ForeignKey(Associate, null=True, blank=True, on_delete=models.SET_NULL)
    name = models.CharField(max_length=150, blank=True)
    email = models.EmailField(blank=True)
    body = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Message from {self.name or self.email or 'a visitor'}"
