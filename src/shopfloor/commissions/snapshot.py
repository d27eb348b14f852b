"""What an order is evaluated with — the active commission rules with their conditions, and how uplines
earn (the override levels, their basis and the parent agents' own rates) — read from the database on
every call.

Nothing is kept between calls: an edited rule, new override levels or a moved attribution window
apply to the very next order, whichever process or statement changed them, and no process holds
state another one would need. It costs three small queries (two when no rule is active); callers
read it once per order, or once per settlement batch.

The associates' tree is not part of it: an order's upline chain is read for its seller when the
order is accrued (`accrual.upline_chains`).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import IntegerField, Value

from shopfloor.commissions.models import CommissionRule, CommissionSettings, OverrideBasis, default_override_levels
from shopfloor.commissions.rules import OverridePlan, RuleFacts, Ruleset, override_rates

# The condition sets of a rule: (relation, the through model's field that names the target).
RULE_CONDITIONS = (
    ("associates", "associate"),
    ("categories", "category"),
    ("customer_groups", "customergroup"),
    ("customers", "customer"),
)


@dataclass(frozen=True)
class Snapshot:
    """Shared by the orders of a batch: never change what it holds."""

    # A `rules.Ruleset`: a tuple of RuleFacts that remembers which rules compete for which lines.
    rules: tuple
    # [{"level": n, "rate": "x"}], as CommissionSettings.override_levels holds them.
    override_levels: tuple
    # The levels' rates, the override basis and the parent agents' own rates, as the engine takes them.
    overrides: OverridePlan

    @property
    def needs_first_order(self) -> bool:
        return any(rule.first_order_only for rule in self.rules)

    @property
    def depth(self) -> int:
        """How many levels of the seller's upline the override levels reach."""
        return max((int(level["level"]) for level in self.override_levels), default=0)


def current() -> Snapshot:
    """The rules and settings as the database holds them now."""
    settings_row = CommissionSettings.objects.filter(pk=1).first()
    levels = settings_row.override_levels if settings_row is not None else default_override_levels()
    basis = settings_row.override_basis if settings_row is not None else OverrideBasis.COMMISSIONABLE_AMOUNT
    agent_rates = settings_row.agent_override_rates if settings_row is not None else []
    return Snapshot(
        rules=Ruleset(rule_facts()),
        override_levels=tuple(levels or ()),
        overrides=OverridePlan(
            rates=override_rates(levels or ()), basis=basis,
            agent_rates={int(item["associate_id"]): Decimal(str(item["rate"])) for item in agent_rates or ()}),
    )


def rule_facts() -> list[RuleFacts]:
    """The active rules with their condition sets, in two queries (one when no rule is active)."""
    rules = list(CommissionRule.objects.filter(active=True).order_by("pk"))
    conditions = {relation: {} for relation, _ in RULE_CONDITIONS}
    if rules:
        for position, rule_id, target_id in _condition_pairs():
            relation = RULE_CONDITIONS[position][0]
            conditions[relation].setdefault(rule_id, set()).add(target_id)
    return [
        RuleFacts(
            id=rule.pk,
            name=rule.name,
            version=rule.version,
            kind=rule.kind,
            value=rule.value,
            priority=rule.priority,
            currency=rule.currency,
            associate_ids=frozenset(conditions["associates"].get(rule.pk, ())),
            product_skus=frozenset(rule.product_skus or ()),
            category_ids=frozenset(conditions["categories"].get(rule.pk, ())),
            customer_group_ids=frozenset(conditions["customer_groups"].get(rule.pk, ())),
            customer_ids=frozenset(conditions["customers"].get(rule.pk, ())),
            min_subtotal=rule.min_subtotal,
            max_subtotal=rule.max_subtotal,
            first_order_only=rule.first_order_only,
            starts_at=rule.starts_at,
            ends_at=rule.ends_at,
        )
        for rule in rules
    ]


def _condition_pairs():
    """(position in RULE_CONDITIONS, rule id, target id) of the active rules' condition sets, in one
    query: the four through tables, one UNION ALL."""
    pairs = [
        getattr(CommissionRule, relation).through.objects.filter(commissionrule__active=True)
        .annotate(position=Value(position, output_field=IntegerField()))
        .values_list("position", "commissionrule_id", f"{target}_id")
        for position, (relation, target) in enumerate(RULE_CONDITIONS)
    ]
    return pairs[0].union(*pairs[1:], all=True)
