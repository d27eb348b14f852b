"""Customers, their groups and businesses, agencies and the sales-rep codes an ERP sends."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from shopfloor.accounts.models import Associate, Store

PATTERN_OPS = "varchar_pattern_ops"


class CustomerStatus(models.TextChoices):
    # May shop and be served.
    ACTIVE = "active", "Active"
    # Registered in a store that approves new customers; waits for an admin.
    PENDING = "pending", "Pending approval"
    # Registration refused; kept so the same person is not approved by mistake later.
    REJECTED = "rejected", "Rejected"


class CustomerGroup(models.Model):
    """A segment of customers (e.g. "Wholesale North"); its associates get the customers approved into it."""

    name = models.CharField(max_length=120, unique=True)
    associates = models.ManyToManyField(Associate, blank=True, related_name="customer_groups")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Business(models.Model):
    """A B2B buyer organisation (a company account in the ERP)."""

    name = models.CharField(max_length=200)
    external_id = models.CharField(max_length=100, unique=True, null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "businesses"

    def __str__(self):
        return self.name


class Agency(models.Model):
    """Maps the rep codes a business's customers carry to the associates who serve them."""

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="agencies")
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self):
        return f"{self.name} ({self.business})"


class AgencyRep(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="reps")
    code = models.CharField(max_length=64)
    associate = models.ForeignKey(Associate, on_delete=models.CASCADE, related_name="agency_reps")

    class Meta:
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["agency", "code"], name="agency_rep_code_unique")]

    def __str__(self):
        return f"{self.code} → {self.associate}"


class Customer(models.Model):
    external_id = models.CharField(max_length=100, unique=True, null=True, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="customer"
    )
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=20, blank=True, help_text="E.164")
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    birthday = models.DateField(null=True, blank=True)
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="customers")
    group = models.ForeignKey(CustomerGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="customers")
    business = models.ForeignKey(Business, null=True, blank=True, on_delete=models.SET_NULL, related_name="customers")
    status = models.CharField(max_length=16, choices=CustomerStatus.choices, default=CustomerStatus.ACTIVE)
    email_opt_in = models.BooleanField(default=False)
    email_opt_in_at = models.DateTimeField(null=True, blank=True)
    sms_opt_in = models.BooleanField(default=False)
    sms_opt_in_at = models.DateTimeField(null=True, blank=True)
    tags = models.JSONField(default=list, blank=True)
    assigned_associates = models.ManyToManyField(
        Associate, through="CustomerAssignment", related_name="assigned_customers", blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Lower-cased copies kept by services for indexed prefix search (the console's search box).
    search_first_name = models.CharField(max_length=100, blank=True, editable=False)
    search_last_name = models.CharField(max_length=100, blank=True, editable=False)
    search_email = models.CharField(max_length=254, blank=True, editable=False)
    # The national significant number's digits, so "912 345" finds +351912345678.
    search_phone = models.CharField(max_length=20, blank=True, editable=False)

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        indexes = [
            # The search box (customers.selectors). varchar_pattern_ops lets PostgreSQL answer
            # LIKE 'prefix%' from the index whatever the database's collation; other databases
            # ignore opclasses. Each prefix index carries the sort key (last name, first name, id)
            # and the store, so a search reads its candidates' places in the list and tests the
            # store a team-mode associate sees without reading the table.
            models.Index(fields=["search_first_name", "search_last_name", "id", "store"],
                         name="customer_search_first_last",
                         opclasses=[PATTERN_OPS, PATTERN_OPS, "int8_ops", "int8_ops"]),
            models.Index(fields=["search_last_name"], name="customer_search_last", opclasses=[PATTERN_OPS]),
            models.Index(fields=["search_email", "search_last_name", "search_first_name", "id", "store"],
                         name="customer_search_email",
                         opclasses=[PATTERN_OPS, PATTERN_OPS, PATTERN_OPS, "int8_ops", "int8_ops"]),
            models.Index(fields=["search_phone", "search_last_name", "search_first_name", "id", "store"],
                         name="customer_search_phone",
                         opclasses=[PATTERN_OPS, PATTERN_OPS, PATTERN_OPS, "int8_ops", "int8_ops"]),
            # Every customer list's order (listing.SORT_ORDER). The other columns let a search walk
            # this index in order, testing prefixes and the store without reading the table.
            models.Index(
                fields=["search_last_name", "search_first_name", "id", "search_email", "search_phone", "store"],
                name="customer_sort",
            ),
            models.Index(fields=["status", "store"], name="customer_status_store"),
        ]

    def __str__(self):
        return self.full_name or self.email or f"Customer #{self.pk}"

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)


class CustomerAssignment(models.Model):
    """An associate assigned to a customer; exactly one assignment may be the primary one.

    It carries a copy of its customer's search columns, so an associate who sees only the customers
    assigned to them (associate mode) searches a range of their own rows in an index on
    (associate, search column, ...) instead of testing the assignment of every matching customer.
    Database triggers (migration 0005) write the copy: on every insert and update of an assignment
    from its customer, and on every change of a customer's search columns to its assignments, so no
    path (bulk_create, QuerySet.update, the admin, raw SQL) can leave it stale. Python never writes it.
    On SQLite a later migration that remakes either table (as AddField with a default does) drops the
    triggers and must create them again: tests/customers/test_assignment_search_keys.py fails otherwise.
    """

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="assignments")
    associate = models.ForeignKey(Associate, on_delete=models.CASCADE, related_name="assignments")
    is_primary = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    # Copies of the customer's search columns (Customer.search_*), kept by the database's triggers.
    search_first_name = models.CharField(max_length=100, blank=True, default="", editable=False)
    search_last_name = models.CharField(max_length=100, blank=True, default="", editable=False)
    search_email = models.CharField(max_length=254, blank=True, default="", editable=False)
    search_phone = models.CharField(max_length=20, blank=True, default="", editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["customer", "associate"], name="assignment_unique"),
            models.UniqueConstraint(
                fields=["customer"], condition=Q(is_primary=True), name="assignment_one_primary"
            ),
        ]
        indexes = [
            models.Index(fields=["associate", "customer"], name="assignment_associate"),
            # One associate's customers, as Customer's search indexes hold everyone's (see there),
            # with the customer's id in place of the customer row's.
            models.Index(
                fields=["associate", "search_last_name", "search_first_name", "customer", "search_email",
                        "search_phone"],
                name="assignment_search_sort",
            ),
            models.Index(fields=["associate", "search_last_name"], name="assignment_search_last",
                         opclasses=["int8_ops", PATTERN_OPS]),
            models.Index(fields=["associate", "search_first_name", "search_last_name", "customer"],
                         name="assignment_search_first",
                         opclasses=["int8_ops", PATTERN_OPS, PATTERN_OPS, "int8_ops"]),
            models.Index(fields=["associate", "search_email", "search_last_name", "search_first_name", "customer"],
                         name="assignment_search_email",
                         opclasses=["int8_ops", PATTERN_OPS, PATTERN_OPS, PATTERN_OPS, "int8_ops"]),
            models.Index(fields=["associate", "search_phone", "search_last_name", "search_first_name", "customer"],
                         name="assignment_search_phone",
                         opclasses=["int8_ops", PATTERN_OPS, PATTERN_OPS, PATTERN_OPS, "int8_ops"]),
        ]

    def __str__(self):
        return f"{self.associate} → {self.customer}" + (" (primary)" if self.is_primary else "")


class CustomerRepCode(models.Model):
    """A rep code the ERP sent for a customer; kept even before any agency maps it."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="rep_codes")
    code = models.CharField(max_length=64, db_index=True)

    class Meta:
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["customer", "code"], name="customer_rep_code_unique")]

    def __str__(self):
        return self.code


class CustomerNote(models.Model):
    """What an associate wrote down about a customer; pinned notes stay on top of the record."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField()
    is_pinned = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-is_pinned", "-created_at", "-id"]
        indexes = [models.Index(fields=["customer", "created_at"], name="customer_note_recent")]

    def __str__(self):
        return f"Note on {self.customer_id} by {self.author_id}"


class CustomerPreferences(models.Model):
    """What a customer likes, as fields an associate can filter and act on (not free text in a note).

    `sizes` maps what the size is for to the size ({"tops": "M", "shoes": "38"}); brands,
    styles and colours are short labels.
    """

    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, related_name="preferences")
    sizes = models.JSONField(default=dict, blank=True)
    brands = models.JSONField(default=list, blank=True)
    styles = models.JSONField(default=list, blank=True)
    colours = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name_plural = "customer preferences"

    def __str__(self):
        return f"Preferences of {self.customer_id}"
