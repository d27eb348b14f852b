"""Commission rules and settings, and the append-only earnings ledger with its payouts.

The ledger explains itself: every earning and override keeps the inputs it was computed from
— the rule and its version (whose name, kind and value `RuleVersion` keeps as they were),
base, rate and level on the entry; the seller's name and the upline chain as they were, once
per order on its `OrderAccrual` — so editing a rule, changing the settings or moving an agent
never rewrites the past. `LedgerEntry.breakdown` puts them together as one description.
Amounts never change once written; a refund or a cancellation is a new negative entry pointing
at the entry it reverses.
"""

from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from shopfloor.accounts.models import Associate
from shopfloor.catalog.models import Category
from shopfloor.commissions.breakdowns import describe_entry, describe_order, not_paid_keys
from shopfloor.commissions.rules import (
    CHILD_COMMISSION,
    COMMISSIONABLE_AMOUNT,
    ONE_RULE_PER_LINE,
    RULES_ADD_UP,
    SEMANTICS,
)
from shopfloor.customers.models import Customer, CustomerGroup
from shopfloor.money import to_cents
from shopfloor.orders.models import Order, OrderLine, Refund


class RuleKind(models.TextChoices):
    # `value` percent of the line's amount after its share of the order discount.
    PERCENTAGE = "percentage", "Percentage of the line"
    # `value` once per order whose conditions it meets: an order bonus, paid beside the line rules.
    FIXED_PER_ORDER = "fixed_per_order", "Fixed amount per order"
    # `value` times the line's quantity.
    FIXED_PER_UNIT = "fixed_per_unit", "Fixed amount per unit"


class CommissionRule(models.Model):
    """How much an associate earns on the order lines a rule matches (DESIGN.md §4).

    Conditions left empty match anything. On each line the best percentage rule and the best
    fixed-per-unit rule both pay: in each kind the highest `priority` wins; on a tie the larger
    amount, then the older rule. Every fixed-per-order rule whose conditions hold pays once.
    `version` goes up on every change, and each earning records the version it used.
    """

    name = models.CharField(max_length=200)
    active = models.BooleanField(default=True)
    priority = models.IntegerField(
        default=0, help_text="Higher wins when several rules of a kind match a line (per-order rules all pay).")
    kind = models.CharField(max_length=20, choices=RuleKind.choices, default=RuleKind.PERCENTAGE)
    value = models.DecimalField(
        max_digits=12, decimal_places=4,
        help_text="A percent (10 = 10%) for percentage rules; an amount in the order's currency otherwise.",
    )
    # Conditions; empty means any.
    currency = models.CharField(max_length=3, blank=True, help_text="Only orders in this currency.")
    associates = models.ManyToManyField(Associate, blank=True, related_name="commission_rules")
    product_skus = models.JSONField(default=list, blank=True)
    categories = models.ManyToManyField(Category, blank=True, related_name="commission_rules")
    customer_groups = models.ManyToManyField(CustomerGroup, blank=True, related_name="commission_rules")
    customers = models.ManyToManyField(Customer, blank=True, related_name="commission_rules")
    min_subtotal = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    max_subtotal = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    first_order_only = models.BooleanField(default=False, help_text="Only the customer's first order.")
    starts_at = models.DateTimeField(null=True, blank=True, help_text="Orders placed from this moment on.")
    ends_at = models.DateTimeField(null=True, blank=True, help_text="Orders placed before this moment.")
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-priority", "id"]

    def __str__(self):
        return f"{self.name} (v{self.version})"


class RuleVersion(models.Model):
    """A rule as it was at one of its past versions: what the earnings computed with it name.

    Written when an edit replaces the version (`configuration.save_commission_rule`, the one place a
    version goes up, in the same transaction), never changed. The current version is the rule
    itself, so an accrual writes nothing here. (An entry's amount does not depend on it: the entry
    keeps its own base and rate.)
    """

    # A rule with earnings is never deleted (the ledger protects it); one without takes its versions along.
    rule = models.ForeignKey(CommissionRule, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=RuleKind.choices)
    value = models.DecimalField(max_digits=12, decimal_places=4)
    priority = models.IntegerField()
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["rule", "version"], name="rule_version_once")]

    def __str__(self):
        return f"{self.name} (v{self.version})"

    def describe(self) -> dict:
        """As `rules.RuleFacts.describe` describes the version it evaluated with."""
        return {"id": self.rule_id, "name": self.name, "version": self.version, "kind": self.kind,
                "value": str(self.value), "priority": self.priority}


DEFAULT_OVERRIDE_LEVELS = [{"level": 1, "rate": "5.00"}]


class OverrideBasis(models.TextChoices):
    """What an upline's override rate is a percentage of."""

    COMMISSIONABLE_AMOUNT = COMMISSIONABLE_AMOUNT, "The sale's commissionable amount"
    # As SalesKing pays: level 1 on the seller's commission, each level above on the override below it.
    CHILD_COMMISSION = CHILD_COMMISSION, "The child's commission"


def default_override_levels():
    return [dict(level) for level in DEFAULT_OVERRIDE_LEVELS]


class CommissionSettings(models.Model):
    """The retailer's commission settings: one row, id 1 (`configuration.get_commission_settings`)."""

    hold_days = models.PositiveIntegerField(
        default=14, help_text="Days after an order completes before its earnings are approved."
    )
    override_levels = models.JSONField(
        default=default_override_levels, blank=True,
        help_text='Upline overrides, [{"level": 1, "rate": "5.00"}]: percent of the override basis.',
    )
    override_basis = models.CharField(
        max_length=24, choices=OverrideBasis.choices, default=OverrideBasis.COMMISSIONABLE_AMOUNT,
        help_text="What the override rates are a percentage of.",
    )
    agent_override_rates = models.JSONField(
        default=list, blank=True,
        help_text='A parent agent\'s own rate, [{"associate_id": 7, "rate": "3.00"}]: replaces the rate of the '
                  "level the agent is at.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "commission settings"
        constraints = [models.CheckConstraint(condition=Q(id=1), name="commission_settings_singleton")]

    def __str__(self):
        return "Commission settings"


class EntryKind(models.TextChoices):
    # What the selling associate earned on a line (or once per order); positive.
    EARNING = "earning", "Earning"
    # What an upline earned on a subagent's order, per level; positive.
    OVERRIDE = "override", "Override"
    # Takes back part or all of an earning or override after a refund or a cancellation; negative.
    REVERSAL = "reversal", "Reversal"
    # A manual correction by an admin, with a reason; either sign.
    ADJUSTMENT = "adjustment", "Adjustment"
    # Money paid out to the associate; negative.
    PAYOUT = "payout", "Payout"


# Kinds written when an order is accrued, and the only kinds a reversal can point at.
ACCRUAL_KINDS = (EntryKind.EARNING, EntryKind.OVERRIDE)

# How each kind of entry moves the balance: the one place a ledger sign is decided.
# Adjustments carry the sign the admin gave them.
ENTRY_SIGN = {
    EntryKind.EARNING: 1,
    EntryKind.OVERRIDE: 1,
    EntryKind.REVERSAL: -1,
    EntryKind.PAYOUT: -1,
}


def signed_amount(kind: str, amount: Decimal) -> Decimal:
    """The amount an entry of `kind` records for `amount` (a magnitude, except for adjustments)."""
    amount = to_cents(amount)
    if kind == EntryKind.ADJUSTMENT:
        return amount
    return ENTRY_SIGN[kind] * abs(amount)


class EntryStatus(models.TextChoices):
    # Earned on an order that has not completed its hold period yet; not payable.
    PENDING = "pending", "Pending"
    # Payable: counts in the balance. Adjustments and payouts are approved when written.
    APPROVED = "approved", "Approved"
    # A pending entry reversed in full before approval, together with its reversals; counts nowhere.
    REVERSED = "reversed", "Reversed"


# The only status changes an entry may make; services change status with conditional UPDATEs.
STATUS_TRANSITIONS = {
    EntryStatus.PENDING: {EntryStatus.APPROVED, EntryStatus.REVERSED},
    EntryStatus.APPROVED: set(),
    EntryStatus.REVERSED: set(),
}


class AppendOnly(Exception):
    """A ledger row was about to be edited or deleted."""


class PayoutMethod(models.TextChoices):
    # Sent to the associate's PayPal account.
    PAYPAL = "paypal", "PayPal"
    # A bank transfer.
    BANK = "bank", "Bank transfer"
    # Anything else (cash, gift card, payroll); say what in the note.
    CUSTOM = "custom", "Other"


class Payout(models.Model):
    """Money paid to an associate; its ledger entry takes it off the balance."""

    associate = models.ForeignKey(Associate, on_delete=models.PROTECT, related_name="payouts")
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3)
    method = models.CharField(max_length=10, choices=PayoutMethod.choices)
    reference = models.CharField(
        max_length=200, blank=True, help_text="The transfer's id at the bank or PayPal."
    )
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The form's one-time key: a double click or a resubmitted page records one payout.
    request_key = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payout_amount_positive")]

    def __str__(self):
        return f"Payout {self.amount} {self.currency} to {self.associate}"

    @property
    def ledger_entry(self) -> "LedgerEntry | None":
        """The entry that took the payout off the balance (one per payout: ledger_one_entry_per_payout)."""
        return self.ledger_entries.first()


class LedgerEntryQuerySet(models.QuerySet):
    def __iter__(self):
        entries = list(super().__iter__())
        if entries and isinstance(entries[0], LedgerEntry):
            # The first `breakdown` asked of one entry loads those of all the entries read with it.
            for entry in entries:
                entry.read_with(entries)
        return iter(entries)


class LedgerEntry(models.Model):
    """One line of an associate's earnings ledger. Written once; only `status` moves, forward.

    The ledger takes millions of rows (bench/settlement.py), and every byte and every index is
    written with each one: an earning or an override holds its inputs in columns (`base`,
    `rate`, rule and version, line, level) and the rest once per order (`OrderAccrual.inputs`,
    `RuleVersion`); `details` holds what columns cannot (the lines a fixed-per-order rule won or matched,
    and the whole description of reversals, adjustments and payouts).
    """

    # Indexed by ledger_associate_status (its first column), as `order` is by ledger_order_kind: the
    # ledger takes millions of rows, and every index is written with each one (bench/settlement.py).
    associate = models.ForeignKey(
        Associate, on_delete=models.PROTECT, related_name="ledger_entries", db_index=False
    )
    kind = models.CharField(max_length=12, choices=EntryKind.choices)
    status = models.CharField(max_length=10, choices=EntryStatus.choices, default=EntryStatus.PENDING)
    # Signed as it moves the balance (signed_amount), rounded half-up to cents.
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3)
    order = models.ForeignKey(
        Order, null=True, blank=True, on_delete=models.PROTECT, related_name="ledger_entries", db_index=False
    )
    # The line an earning was computed on; empty for fixed-per-order earnings and overrides. Not indexed
    # on its own (order lines are never deleted); ledger_one_earning_per_line leads with the order.
    line = models.ForeignKey(OrderLine, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             db_index=False)
    # 0 for the selling associate, 1 for their upline, 2 for the upline's upline...
    level = models.PositiveSmallIntegerField(default=0)
    # Not indexed: rules are never deleted (deactivated instead), and nothing lists entries by rule.
    rule = models.ForeignKey(
        CommissionRule, null=True, blank=True, on_delete=models.PROTECT, related_name="ledger_entries",
        db_index=False,
    )
    rule_version = models.PositiveIntegerField(null=True, blank=True)
    # Set on reversals only (and `refund`, `created_by` on few rows): indexed where set (Meta.indexes).
    reverses = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversals", db_index=False
    )
    refund = models.ForeignKey(
        Refund, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    # One entry per payout (ledger_one_entry_per_payout, indexed only where set).
    payout = models.ForeignKey(
        Payout, null=True, blank=True, on_delete=models.PROTECT, related_name="ledger_entries", db_index=False
    )
    reason = models.TextField(blank=True, help_text="Why an admin adjusted the balance.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        db_index=False,
    )
    # What the amount was computed from: earnings, base × rate (percentage: eligible amount × percent;
    # per unit: units × amount; per order: 1 × amount); overrides, commissionable amount × percent.
    base = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)
    rate = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    details = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    approved_at = models.DateTimeField(null=True, blank=True)

    objects = LedgerEntryQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "ledger entries"
        indexes = [
            models.Index(fields=["associate", "status"], name="ledger_associate_status"),
            models.Index(fields=["order", "kind"], name="ledger_order_kind"),
            models.Index(fields=["reverses"], name="ledger_reverses", condition=Q(reverses__isnull=False)),
            models.Index(fields=["refund"], name="ledger_refund", condition=Q(refund__isnull=False)),
            models.Index(fields=["created_by"], name="ledger_created_by", condition=Q(created_by__isnull=False)),
        ]
        constraints = [
            # The sign of every kind, in the schema too.
            models.CheckConstraint(
                condition=(
                    Q(kind__in=["earning", "override"], amount__gt=0)
                    | Q(kind__in=["reversal", "payout"], amount__lt=0)
                    | (Q(kind="adjustment") & ~Q(amount=0))
                ),
                name="ledger_amount_sign",
            ),
            models.CheckConstraint(
                condition=~Q(kind="reversal") | Q(reverses__isnull=False), name="ledger_reversal_points_back"
            ),
            # An order is accrued once: one earning per line and rule (a line pays its best percentage
            # and its best per-unit rule), one per fixed-per-order rule, one override per level.
            models.UniqueConstraint(
                fields=["order", "line", "rule"], condition=Q(kind="earning", line__isnull=False),
                name="ledger_one_earning_per_line_rule",
            ),
            models.UniqueConstraint(
                fields=["order", "rule"], condition=Q(kind="earning", line__isnull=True),
                name="ledger_one_order_earning_per_rule",
            ),
            models.UniqueConstraint(
                fields=["order", "level"], condition=Q(kind="override"), name="ledger_one_override_per_level",
            ),
            # A refund reverses an entry once; a cancellation reverses it once.
            models.UniqueConstraint(
                fields=["reverses", "refund"], condition=Q(kind="reversal", refund__isnull=False),
                name="ledger_one_reversal_per_refund",
            ),
            models.UniqueConstraint(
                fields=["reverses"], condition=Q(kind="reversal", refund__isnull=True),
                name="ledger_one_cancellation_reversal",
            ),
            models.UniqueConstraint(
                fields=["payout"], condition=Q(payout__isnull=False), name="ledger_one_entry_per_payout",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount} {self.currency} for {self.associate_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnly("Ledger entries are written once; write a reversal or an adjustment instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("Ledger entries are never deleted; write a reversal or an adjustment instead.")

    def read_with(self, entries: list) -> None:
        """Remember the entries read in the same query: `breakdown` describes them all at once."""
        self._read_with = entries

    def remember_breakdown(self, breakdown: dict) -> None:
        """Keep the breakdown `attach_breakdowns` put together (an entry's inputs never change)."""
        self._breakdown = breakdown

    @property
    def has_breakdown(self) -> bool:
        return getattr(self, "_breakdown", None) is not None

    @property
    def breakdown(self) -> dict:
        """The inputs the entry was computed from, as one description (`commissions.breakdowns`)."""
        if not self.has_breakdown:
            attach_breakdowns(getattr(self, "_read_with", None) or [self])
        return self._breakdown

    @property
    def has_inputs_in_columns(self) -> bool:
        """An earning or an override written with its inputs in columns; every other entry holds its
        whole description in `details`, and shows it as it is."""
        return self.kind in ACCRUAL_KINDS and not (self.details and "kind" in self.details) and bool(self.order_id)


class RuleSemantics(models.TextChoices):
    """How the rules combined when an order was evaluated (`rules.SEMANTICS` is what the engine does now)."""

    # Every kind in one contest per line, a fixed-per-order rule winning lines: orders accrued before the change.
    ONE_RULE_PER_LINE = ONE_RULE_PER_LINE, "One rule per line"
    # The best percentage and the best per-unit rule of each line, plus every order bonus.
    RULES_ADD_UP = RULES_ADD_UP, "Rules add up"


class OrderAccrual(models.Model):
    """The marker that an order's commissions were computed, and where it stands.

    One row per order (the unique key makes accrual happen once). Services lock
    this row to serialize everything that happens to one order's earnings.
    """

    order = models.OneToOneField(Order, on_delete=models.PROTECT, related_name="commission_accrual")
    associate = models.ForeignKey(Associate, on_delete=models.PROTECT, related_name="+")
    currency = models.CharField(max_length=3)
    commissionable_amount = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0.00"))
    accrued_at = models.DateTimeField(auto_now_add=True)
    # When the order was seen completed: the hold period runs from here.
    completed_at = models.DateTimeField(null=True, blank=True)
    # When its pending entries were approved (claimed by `approve_due_earnings`).
    approved_at = models.DateTimeField(null=True, blank=True)
    # When the cancellation was reversed (claimed by `reverse_for_cancellation`).
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # What the order's entries were computed with beyond their own columns, as it was:
    # {"seller": name, "uplines": [[associate id, name, active], ...]} (level 1 first), and when some
    # rule matched a line and did not pay, "not_paid": [[line index, rule id, version, id and version
    # of the rule that applied, why], ...] (`rules.PassedOver`); when the overrides were paid on the
    # child's commission, "override_basis", and the levels paid an upline's own rate, "own_rates".
    inputs = models.JSONField(null=True, blank=True)
    # How the rules combined for this order. Rows accrued before the rules added up were given
    # ONE_RULE_PER_LINE by the migration that added the column (0012); nothing rewrites their entries.
    semantics = models.CharField(max_length=20, choices=RuleSemantics.choices, default=SEMANTICS)

    class Meta:
        indexes = [models.Index(fields=["approved_at", "completed_at"], name="accrual_due")]

    def __str__(self):
        return f"Commissions of order {self.order_id}"


# Breakdowns, read for many entries at once -----------------------------------------------------

BREAKDOWN_CHUNK = 500


def attach_breakdowns(entries: list[LedgerEntry]) -> None:
    """Set the breakdown of every entry that has none yet: five queries per BREAKDOWN_CHUNK entries."""
    pending = [entry for entry in entries if not entry.has_breakdown]
    for start in range(0, len(pending), BREAKDOWN_CHUNK):
        _attach_breakdowns(pending[start:start + BREAKDOWN_CHUNK])


def _attach_breakdowns(entries: list[LedgerEntry]) -> None:
    computed = [entry for entry in entries if entry.has_inputs_in_columns]
    for entry in entries:
        if not entry.has_inputs_in_columns:
            entry.remember_breakdown(entry.details or {})
    if not computed:
        return
    order_ids = {entry.order_id for entry in computed}
    orders = {order.pk: order for order in Order.objects.filter(pk__in=order_ids).only(
        "pk", "external_id", "currency", "subtotal", "discount")}
    lines = defaultdict(list)
    for line in OrderLine.objects.filter(order_id__in=order_ids).order_by("order_id", "pk").only(
            "pk", "order_id", "sku", "quantity", "unit_price", "line_total"):
        lines[line.order_id].append(line)
    accruals = {order_id: (associate_id, inputs, semantics) for order_id, associate_id, inputs, semantics in
                OrderAccrual.objects.filter(order_id__in=order_ids).values_list(
                    "order_id", "associate_id", "inputs", "semantics")}
    keys = {(entry.rule_id, entry.rule_version) for entry in computed if entry.rule_id}
    for _, inputs, _ in accruals.values():
        keys |= not_paid_keys(inputs)
    versions = _rule_versions(keys)
    described = {order_id: describe_order(order, lines[order_id], *accruals.get(order_id, (None, None, None)))
                 for order_id, order in orders.items()}
    for entry in computed:
        order = described.get(entry.order_id)
        entry.remember_breakdown(
            (describe_entry(entry, order, versions) if order is not None else entry.details) or {})


def _rule_versions(keys: set) -> dict:
    """{(rule id, version): the rule as it was}: a past version from RuleVersion, the current from the rule."""
    if not keys:
        return {}
    rule_ids = {rule_id for rule_id, _ in keys}
    found = {(v.rule_id, v.version): v.describe()
             for v in RuleVersion.objects.filter(rule_id__in=rule_ids) if (v.rule_id, v.version) in keys}
    for rule in CommissionRule.objects.filter(pk__in=rule_ids).only("pk", "name", "kind", "value", "priority",
                                                                       "version"):
        if (rule.pk, rule.version) in keys:
            found.setdefault((rule.pk, rule.version), {
                "id": rule.pk, "name": rule.name, "version": rule.version, "kind": rule.kind,
                "value": str(rule.value), "priority": rule.priority})
    return found


class RefundReversal(models.Model):
    """The marker that a refund's share of the order's earnings was reversed (once per refund)."""

    refund = models.OneToOneField(Refund, on_delete=models.PROTECT, related_name="commission_reversal")
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Commissions reversed for refund {self.refund_id}"


class PayoutProfile(models.Model):
    """Where an associate wants to be paid; only they and the retailer's admins read or change it.

    Kept apart from `Associate` so payment details stay out of every colleague list
    and every query that loads an associate. No row means "not set yet".
    """

    associate = models.OneToOneField(Associate, on_delete=models.CASCADE, related_name="payout_profile")
    # Empty until the associate chooses; otherwise one of PayoutMethod.
    method = models.CharField(max_length=10, choices=PayoutMethod.choices, blank=True)
    paypal_email = models.EmailField(blank=True, help_text="For PayPal payouts.")
    account_holder = models.CharField(max_length=200, blank=True, help_text="For bank transfers.")
    iban = models.CharField(max_length=34, blank=True, help_text="For bank transfers; stored without spaces.")
    bic = models.CharField(max_length=11, blank=True, help_text="For bank transfers outside SEPA; optional.")
    instructions = models.TextField(blank=True, help_text="For other methods: how to pay this associate.")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Payout details of {self.associate}"
