"""Users, stores, associates, API tokens and the audit log."""

import secrets

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models


class SellingMode(models.TextChoices):
    # Each associate owns the customers assigned to them; sales credit the associate.
    ASSOCIATE = "associate", "Associate mode"
    # The store's associates share every customer of the store; sales credit the store.
    TEAM = "team", "Team mode"


class AssociateRole(models.TextChoices):
    # Sells to their customers (or the store's, in team mode).
    ASSOCIATE = "associate", "Associate"
    # Everything an associate does, for the whole store, plus assigning customers.
    MANAGER = "manager", "Store manager"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email, password, **fields):
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **fields):
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email, password=None, **fields):
        fields.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **fields)


class User(AbstractUser):
    """A login. Staff users are the retailer's admins; associates and customers link to a user."""

    username = None
    first_name = None
    last_name = None
    email = models.EmailField("email address", unique=True)
    name = models.CharField(max_length=150, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    def __str__(self):
        return self.email

    def get_full_name(self):
        return self.name or self.email

    def get_short_name(self):
        return self.name.split(" ")[0] if self.name else self.email


def new_widget_key() -> str:
    return secrets.token_urlsafe(12)


def new_widget_secret() -> str:
    return secrets.token_urlsafe(32)


class Store(models.Model):
    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    selling_mode = models.CharField(max_length=16, choices=SellingMode.choices, default=SellingMode.ASSOCIATE)
    currency = models.CharField(max_length=3, default="EUR")
    timezone = models.CharField(max_length=64, default="UTC")
    country = models.CharField(
        max_length=2, blank=True, help_text="ISO country code; the region for phone numbers given without +."
    )
    approve_new_customers = models.BooleanField(
        default=False, help_text="New registrations wait for an admin's approval before they can shop."
    )
    # Public: identifies the store to the storefront widget.
    widget_key = models.CharField(max_length=40, unique=True, default=new_widget_key)
    # Private: signs shopper identities (HMAC-SHA256) so nobody can claim to be someone else.
    widget_secret = models.CharField(max_length=80, default=new_widget_secret)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def is_team_mode(self) -> bool:
        return self.selling_mode == SellingMode.TEAM


def new_referral_code() -> str:
    return secrets.token_urlsafe(6).replace("-", "x").replace("_", "y").lower()


class Associate(models.Model):
    """A person who sells for the retailer: store associate, sales rep or independent agent."""

    user = models.OneToOneField(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="associate"
    )
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="associates")
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=20, blank=True, help_text="E.164, e.g. +351912345678")
    photo = models.ImageField(upload_to="associates/", blank=True)
    role = models.CharField(max_length=16, choices=AssociateRole.choices, default=AssociateRole.ASSOCIATE)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="subagents",
        help_text="The upline agent (multi-level commissions).",
    )
    referral_code = models.CharField(max_length=40, unique=True, default=new_referral_code)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def is_manager(self) -> bool:
        return self.role == AssociateRole.MANAGER

    @property
    def can_login(self) -> bool:
        return bool(self.user_id and self.user.is_active and self.user.has_usable_password())


class RepCode(models.Model):
    """A sales-rep code an ERP uses for this associate everywhere (agencies can map more)."""

    code = models.CharField(max_length=64, unique=True)
    associate = models.ForeignKey(Associate, on_delete=models.CASCADE, related_name="rep_code_set")

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return self.code


class ApiToken(models.Model):
    """A bearer token for integrations. Only its SHA-256 is stored; the token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=12, help_text="The first characters, to recognise a token.")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.prefix}… ({self.user})"


class AuditEvent(models.Model):
    """Who did what to which record, and when. Written by services, never edited."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    verb = models.CharField(max_length=64, db_index=True)
    target_type = models.CharField(max_length=64)
    target_id = models.CharField(max_length=64)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self):
        return f"{self.verb} {self.target_type}#{self.target_id}"


class IdempotencyRecord(models.Model):
    """The first response to a POST with an Idempotency-Key, replayed for the same key and body."""

    scope = models.CharField(max_length=64, help_text="Whose key: a hash of the caller's credential.")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    response_body = models.BinaryField(null=True)
    content_type = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="idempotency_scope_key")]

    def __str__(self):
        return f"Idempotency-Key {self.key} ({self.status_code or 'in progress'})"




# Agents: groups, self-registration and recruit links -------------------------------------------------


class AgentGroup(models.Model):
    """A named set of associates (e.g. "Independent agents North"): an audience for announcements."""

    name = models.CharField(max_length=120, unique=True)
    associates = models.ManyToManyField(Associate, blank=True, related_name="agent_groups")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class AgentSignupSettings(models.Model):
    """Whether people may register as agents on the public form, and where approved agents land (one row)."""

    enabled = models.BooleanField(
        default=False, help_text="Show the public agent registration form (/agents/register/) and recruit links."
    )
    store = models.ForeignKey(
        Store, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="The store new agents join, unless they came through a recruit link (then the recruiter's).",
    )
    group = models.ForeignKey(
        AgentGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="An agent group every approved agent joins (optional).",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "agent registration settings"
        verbose_name_plural = "agent registration settings"

    def __str__(self):
        return "Agent registration " + ("open" if self.enabled else "closed")

    @classmethod
    def current(cls) -> "AgentSignupSettings":
        return cls.objects.order_by("pk").first() or cls()


class RegistrationStatus(models.TextChoices):
    # Sent the form; waits for an admin.
    PENDING = "pending", "Pending approval"
    # An admin approved it: the agent exists and got an email to set their password.
    APPROVED = "approved", "Approved"
    # An admin refused it; kept so the same person is not approved by mistake later.
    REJECTED = "rejected", "Rejected"


def new_recruit_code() -> str:
    return secrets.token_urlsafe(9)


class RecruitLink(models.Model):
    """An agent's link (/join/<code>) for people who want to sell under them as subagents."""

    associate = models.OneToOneField(Associate, on_delete=models.CASCADE, related_name="recruit_link")
    code = models.CharField(max_length=40, unique=True, default=new_recruit_code)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.associate} /join/{self.code}"


class AgentRegistration(models.Model):
    """Someone asking to sell as an agent, on the public form or through a recruit link."""

    name = models.CharField(max_length=200)
    email = models.EmailField()
    phone = models.CharField(max_length=20, blank=True)
    about = models.TextField(blank=True, help_text="What they sell, where, to whom (their own words).")
    recruiter = models.ForeignKey(
        Associate, null=True, blank=True, on_delete=models.SET_NULL, related_name="recruits",
        help_text="The agent whose recruit link they used: they become that agent's subagent.",
    )
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=RegistrationStatus.choices, default=RegistrationStatus.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    associate = models.OneToOneField(
        Associate, null=True, blank=True, on_delete=models.SET_NULL, related_name="registration"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One open request per address: a double submit does not queue two.
            models.UniqueConstraint(fields=["email"], condition=models.Q(status="pending"),
                                    name="agent_registration_one_pending"),
        ]

    def __str__(self):
        return f"{self.name} <{self.email}> ({self.status})"
