"""The commission engine: which rules pay on each order line and for the order, and what every associate earns.

Pure functions over plain values (no database), so accrual, settlement and simulation use
the same code (`evaluate`) and the rules can be tested by hand. `services` loads the facts
and writes what comes out.

How an order is evaluated (docs/design.md, Commission rules; the rules add up, as SalesKing's do):

- The order discount is allocated to the lines in proportion to their totals,
  in whole cents, so the shares add up exactly to the discount (largest
  remainder; a leftover cent goes to the earliest line on a tie). A line's
  *eligible amount* is its total minus its share.
- On each line, the percentage rules whose conditions all hold compete among
  themselves, and so do the fixed-per-unit rules: in each kind the highest
  priority wins; on a tie the larger amount for that line; then the older rule
  (lower id). The winner of each kind pays: `value`% of the eligible amount,
  and `value` × quantity. The two kinds never compete with each other.
- Fixed-per-order rules are order bonuses: every one whose conditions hold for
  the order, and whose product conditions hold for at least one line, pays its
  `value` once. They never compete with line rules nor with each other, and
  their priority does not matter.
- The rules that matched a line and did not pay are kept with why (`PassedOver`),
  for each earning's explanation.
- A line is *commissionable* when the winner of either kind has a value above
  zero, so a zero-value percentage rule with a high priority takes its lines out
  of commission and of the overrides (unless a per-unit rule pays on them). A
  line no percentage or per-unit rule matches is commissionable when an order
  bonus with a value above zero matches it (as when the bonus won such lines).
  The order's commissionable amount is the sum of its commissionable lines'
  eligible amounts.
- Uplines (the seller's parent, its parent, ...) earn `rate`% at each
  configured level (a parent agent's own rate, when the retailer set one,
  replaces the rate of the level they are at) of the override basis the
  retailer chose (`OverridePlan`): the order's commissionable amount, or the
  child's commission, as SalesKing pays: the seller's earnings on the order
  for level 1, the override of the level below for each level above. An
  inactive upline earns nothing at its level; the levels above still count
  from the seller (on the child's commission, from what it would have earned).
- Every amount is rounded half-up to cents once, per entry (`money.to_cents`);
  entries that round to zero are not written.

Orders accrued before the rules added up were evaluated one rule per line (every kind in one
contest, a fixed-per-order rule winning lines); their accrual says so (`SEMANTICS`), and their
entries stay as written.
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_DOWN, Decimal

from shopfloor.money import CENT, ZERO, to_cents

HUNDRED = Decimal(100)
ONE = Decimal(1)
PERCENTAGE = "percentage"
FIXED_PER_ORDER = "fixed_per_order"
FIXED_PER_UNIT = "fixed_per_unit"

# How the rules combined when an order was evaluated, as its accrual records it (`OrderAccrual.semantics`).
# One rule of any kind won each line: what accruals written before the rules added up say.
ONE_RULE_PER_LINE = "one_rule_per_line"
# The best percentage and the best fixed-per-unit rule of each line, plus every order bonus.
RULES_ADD_UP = "rules_add_up"
# What `evaluate` computes.
SEMANTICS = RULES_ADD_UP

# Why a rule that matched a line did not pay on it; the rule of its kind that did is named with it.
OUTRANKED = "priority"  # the other rule has a higher priority
OUTPAID = "amount"  # the same priority, and the other rule pays more on the line
OLDER_RULE = "age"  # the same priority and amount: the older rule pays
KIND_WORDS = {PERCENTAGE: "percentage", FIXED_PER_UNIT: "per-unit", FIXED_PER_ORDER: "per-order"}

# What an upline's override is a percentage of (`OverridePlan.basis`).
COMMISSIONABLE_AMOUNT = "commissionable_amount"  # the order's commissionable amount
CHILD_COMMISSION = "child_commission"  # what the associate one level below earned on the order (SalesKing)


@dataclass(frozen=True)
class RuleFacts:
    """A commission rule as evaluation sees it, its condition sets loaded once."""

    id: int
    name: str
    version: int
    kind: str
    value: Decimal
    priority: int = 0
    currency: str = ""
    associate_ids: frozenset = frozenset()
    product_skus: frozenset = frozenset()
    category_ids: frozenset = frozenset()
    customer_group_ids: frozenset = frozenset()
    customer_ids: frozenset = frozenset()
    min_subtotal: Decimal | None = None
    max_subtotal: Decimal | None = None
    first_order_only: bool = False
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    # Whether `line_conditions_hold` can be false (derived, so evaluation need not ask every line).
    has_line_conditions: bool = field(init=False, default=False)

    def __post_init__(self):
        object.__setattr__(self, "has_line_conditions", bool(self.product_skus or self.category_ids))

    def describe(self) -> dict:
        """What an earning copies about the rule it used (built once per rule; shared, never changed)."""
        described = self.__dict__.get("_described")
        if described is None:
            described = {"id": self.id, "name": self.name, "version": self.version, "kind": self.kind,
                         "value": str(self.value), "priority": self.priority}
            object.__setattr__(self, "_described", described)
        return described



# Facts are built per order and line by the thousand in a settlement: slotted, not frozen (a frozen
# dataclass pays a setattr per field); nothing changes them once built.
@dataclass(slots=True)
class LineFacts:
    index: int
    sku: str
    quantity: int
    unit_price: Decimal
    line_total: Decimal
    category_id: int | None = None
    line_id: int | None = None


@dataclass(slots=True)
class OrderFacts:
    associate_id: int
    associate_name: str
    currency: str
    subtotal: Decimal
    discount: Decimal
    placed_at: datetime
    lines: tuple
    customer_id: int | None = None
    customer_group_id: int | None = None
    is_first_order: bool = False
    order_id: int | None = None
    external_id: str = ""

    @property
    def total(self) -> Decimal:
        return self.subtotal - self.discount

    def describe(self) -> dict:
        return {"id": self.order_id, "external_id": self.external_id, "currency": self.currency,
                "subtotal": str(self.subtotal), "discount": str(self.discount), "total": str(self.total)}


@dataclass(frozen=True)
class Upline:
    """One step of the seller's upline chain as it was when the order was accrued."""

    level: int
    associate_id: int
    name: str
    active: bool

    def describe(self) -> dict:
        return {"level": self.level, "associate_id": self.associate_id, "name": self.name,
                "active": self.active}


@dataclass(slots=True)
class Proposal:
    """An earning or override the engine proposes; services write it or show it (simulation).

    It carries the inputs it was computed from (`base`, `rate`, the rule, the line and its discount
    share, or the lines an order bonus matched); `breakdown` describes them as a person reads
    them, built only when asked (a settlement writes the inputs, never the description).
    """

    kind: str  # "earning" or "override"
    associate_id: int
    level: int
    amount: Decimal
    exact_amount: Decimal
    rule: RuleFacts | None = None
    line: LineFacts | None = None
    base: Decimal = ZERO
    rate: Decimal = ZERO
    # A line earning: the line's share of the order discount.
    share: Decimal = ZERO
    # A fixed-per-order earning: (line, share) of every line the rule's product conditions hold for.
    lines: tuple = ()
    # A line earning: the rules that matched its line and did not pay (`PassedOver`).
    passed_over: tuple = ()
    # What `breakdown` describes the order and the upline chain with.
    order: OrderFacts | None = None
    uplines: tuple = ()
    # An override: what `base` is (COMMISSIONABLE_AMOUNT or CHILD_COMMISSION), and whether `rate` is the
    # upline's own rate rather than its level's.
    basis: str = COMMISSIONABLE_AMOUNT
    own_rate: bool = False

    @property
    def breakdown(self) -> dict:
        seller = {"id": self.order.associate_id, "name": self.order.associate_name}
        order = self.order.describe()
        if self.kind == "override":
            upline = next(u for u in self.uplines if u.level == self.level)
            return override_breakdown(self.level, {"id": upline.associate_id, "name": upline.name}, seller,
                                      self.base, self.rate, [u.describe() for u in self.uplines], order,
                                      basis=self.basis, own_rate=self.own_rate)
        return earning_breakdown(
            self.rule.describe(), self.base, seller, order,
            line=describe_line(self.line, self.share) if self.line is not None else None,
            lines=[describe_line(line, share) for line, share in self.lines] if self.rule.kind == FIXED_PER_ORDER
            else None,
            not_paid=[not_paid_breakdown(p.rule.describe(), p.applied.describe(), p.why) for p in self.passed_over])


@dataclass(frozen=True, slots=True)
class PassedOver:
    """A rule whose conditions held for a line and that did not pay on it: `applied`, of the same kind, did.

    Built once per kind of line a `Ruleset` meets, and shared by every line it describes."""

    rule: RuleFacts
    applied: RuleFacts
    why: str  # OUTRANKED, OUTPAID or OLDER_RULE

    def stored(self, line_index: int) -> list:
        """How an accrual keeps it (`OrderAccrual.inputs["not_paid"]`): the line's index, the rule and the one
        that applied with their versions, and why."""
        return [line_index, self.rule.id, self.rule.version, self.applied.id, self.applied.version, self.why]


@dataclass
class Evaluation:
    proposals: list
    commissionable_amount: Decimal
    # The upline chain it was evaluated with, as it was.
    uplines: tuple = ()
    # (line, its `PassedOver`s) for each line on which some matching rule did not pay.
    passed_over: list = field(default_factory=list)
    semantics: str = SEMANTICS

    def stored_passed_over(self) -> list:
        """Every rule that matched a line and did not pay, as an accrual keeps them (`PassedOver.stored`)."""
        return [passed.stored(line.index) for line, passed_over in self.passed_over for passed in passed_over]


# Breakdowns: one shape for a simulation and for an entry read back from the ledger --------------------


def plain(value: Decimal) -> Decimal:
    """A rate as people write it, whatever places it was stored with: 5.0000 → 5, 2.50 → 2.5."""
    normalized = value.normalize()
    return normalized.quantize(ONE) if normalized == normalized.to_integral_value() else normalized


def describe_line(line: LineFacts, share: Decimal) -> dict:
    return {"index": line.index, "id": line.line_id, "sku": line.sku, "quantity": line.quantity,
            "unit_price": str(line.unit_price), "line_total": str(line.line_total),
            "discount_share": str(share), "eligible_amount": str(line.line_total - share)}


def earning_breakdown(rule: dict, base: Decimal, seller: dict, order: dict, line: dict | None = None,
                      lines: list | None = None, not_paid: list | None = None,
                      semantics: str | None = SEMANTICS) -> dict:
    """What an earning was computed from. `rule`: `RuleFacts.describe()` of the version it used;
    `base`: the eligible amount (percentage), the units (per unit) or 1 (per order); `not_paid`:
    `not_paid_breakdown` of each rule that matched its line and did not pay (None: not recorded, as
    for orders evaluated one rule per line); `semantics`: how the rules combined (None: unknown)."""
    rate = Decimal(rule["value"])
    if rule["kind"] == PERCENTAGE:
        base = to_cents(base)
        exact = base * rate / HUNDRED
    elif rule["kind"] == FIXED_PER_UNIT:
        base = Decimal(int(base))
        exact = base * rate
    else:
        base, exact = ONE, rate
    breakdown = {"kind": "earning", "level": 0, "associate": seller, "rule": rule, "base": str(base),
                 "rate": rule["value"], "exact_amount": str(exact)}
    if lines is not None:
        breakdown["lines"] = lines
    else:
        breakdown["line"] = line
    if not_paid is not None:
        breakdown["not_paid"] = not_paid
    breakdown["order"] = order
    if semantics is not None:
        breakdown["semantics"] = semantics
    return breakdown


def override_breakdown(level: int, upline: dict, seller: dict, base: Decimal, rate: Decimal, chain: list,
                       order: dict, semantics: str | None = SEMANTICS, basis: str = COMMISSIONABLE_AMOUNT,
                       own_rate: bool = False) -> dict:
    """What an upline's override was computed from: `rate`% of `base`, the order's commissionable amount or
    the child's commission (`basis`); `own_rate`: the rate is the upline's own, not its level's."""
    base, rate = to_cents(base), plain(rate)
    breakdown = {"kind": "override", "level": level, "associate": upline, "seller": seller, "base": str(base),
                 "basis": basis, "rate": str(rate), "own_rate": own_rate,
                 "exact_amount": str(base * rate / HUNDRED), "upline_chain": chain, "order": order}
    if semantics is not None:
        breakdown["semantics"] = semantics
    return breakdown


def not_paid_reason(why: str, kind: str, applied_name: str) -> str:
    """Why a rule did not pay on a line, as a person reads it; `applied_name`: the rule of its kind that did."""
    word = KIND_WORDS.get(kind, kind)
    if why == OUTRANKED:
        return f"a higher-priority {word} rule, '{applied_name}', applied"
    if why == OUTPAID:
        return f"a {word} rule of the same priority that pays more, '{applied_name}', applied"
    return f"an older {word} rule of the same priority that pays as much, '{applied_name}', applied"


def not_paid_breakdown(rule: dict, applied: dict, why: str) -> dict:
    """A rule that matched a line and did not pay (`rule`, `applied`: `RuleFacts.describe()` of their versions)."""
    return {"rule": rule, "why": why, "reason": not_paid_reason(why, rule.get("kind", ""), applied.get("name", "")),
            "applied": {"id": applied.get("id"), "name": applied.get("name", ""), "version": applied.get("version")}}


def allocate_discount(line_totals: list[Decimal], discount: Decimal) -> list[Decimal]:
    """Each line's share of the order discount, in cents, adding up exactly to the discount.

    Proportional to the line totals; the cents left after rounding every share
    down go to the largest remainders, the earliest line first on a tie.
    """
    if not discount:
        return [ZERO] * len(line_totals)
    discount = to_cents(discount)
    subtotal = sum(line_totals, ZERO)
    if discount <= 0 or subtotal <= 0:
        return [ZERO for _ in line_totals]
    if discount >= subtotal:
        return [to_cents(total) for total in line_totals]
    exact = [discount * total / subtotal for total in line_totals]
    shares = [share.quantize(CENT, rounding=ROUND_DOWN) for share in exact]
    leftover_cents = int((discount - sum(shares, ZERO)) / CENT)
    by_remainder = sorted(range(len(exact)), key=lambda i: (-(exact[i] - shares[i]), i))
    for i in by_remainder[:leftover_cents]:
        shares[i] += CENT
    return shares


def order_conditions_hold(rule: RuleFacts, order: OrderFacts) -> bool:
    """The conditions about the whole order: who sells, to whom, when, how much, which currency."""
    if rule.currency and rule.currency != order.currency:
        return False
    if rule.associate_ids and order.associate_id not in rule.associate_ids:
        return False
    if rule.customer_ids and order.customer_id not in rule.customer_ids:
        return False
    if rule.customer_group_ids and order.customer_group_id not in rule.customer_group_ids:
        return False
    if rule.min_subtotal is not None and order.subtotal < rule.min_subtotal:
        return False
    if rule.max_subtotal is not None and order.subtotal > rule.max_subtotal:
        return False
    if rule.first_order_only and not order.is_first_order:
        return False
    if rule.starts_at is not None and order.placed_at < rule.starts_at:
        return False
    return not (rule.ends_at is not None and order.placed_at >= rule.ends_at)


def line_conditions_hold(rule: RuleFacts, line: LineFacts) -> bool:
    """The conditions about one line: its product and the product's category."""
    if rule.product_skus and line.sku not in rule.product_skus:
        return False
    return not (rule.category_ids and line.category_id not in rule.category_ids)


def line_amount(rule: RuleFacts, line: LineFacts, eligible: Decimal) -> Decimal:
    """What a rule pays on a line, unrounded (a fixed-per-order rule: its whole value)."""
    if rule.kind == PERCENTAGE:
        return eligible * rule.value / HUNDRED
    if rule.kind == FIXED_PER_UNIT:
        return rule.value * line.quantity
    return rule.value


@dataclass(frozen=True, slots=True)
class KindRanking:
    """The rules of one line kind that match a line: the one that pays and those that do not, with why.

    Within a kind a rule's amount on a line is its value times the same base (the eligible amount, or the
    quantity), so the larger value pays more whenever the base is above zero (`paying`); on a base of
    zero every rule pays nothing and the oldest of the highest priority applies (`zero_base`). Each is
    (the rule that applies, the `PassedOver`s of the others).
    """

    paying: tuple
    zero_base: tuple

    @classmethod
    def of(cls, rules: list) -> "KindRanking | None":
        if not rules:
            return None
        top = max(rule.priority for rule in rules)
        oldest = min((rule for rule in rules if rule.priority == top), key=lambda rule: rule.id)
        richest = max((rule for rule in rules if rule.priority == top), key=lambda rule: (rule.value, -rule.id))
        return cls(paying=(richest, _passed_over(rules, richest, by_value=True)),
                   zero_base=(oldest, _passed_over(rules, oldest, by_value=False)))


def _passed_over(rules: list, applied: RuleFacts, by_value: bool) -> tuple:
    """`PassedOver` of each rule of `rules` but `applied`, highest priority first, then the oldest."""
    found = []
    for rule in sorted(rules, key=lambda rule: (-rule.priority, rule.id)):
        if rule is applied:
            continue
        if rule.priority < applied.priority:
            why = OUTRANKED
        elif by_value and rule.value < applied.value:
            why = OUTPAID
        else:
            why = OLDER_RULE
        found.append(PassedOver(rule=rule, applied=applied, why=why))
    return tuple(found)


@dataclass(frozen=True, slots=True)
class LineRules:
    """The rules of an order that match one line: a `KindRanking` per line kind (None: no rule of the kind),
    and the order bonuses (fixed-per-order rules) whose product conditions hold, oldest first."""

    percentage: KindRanking | None
    per_unit: KindRanking | None
    bonuses: tuple


class Ruleset(tuple):
    """Rules compiled for evaluation: which rules can fail on the order, and per kind of line the
    rules that match it, ranked, remembered while the same rules evaluate many orders
    (`snapshot` and a settlement build one per set of rules). A tuple of the RuleFacts."""

    # Distinct (rules holding for the order, sku, category) remembered; beyond, the memory starts again.
    MEMORY = 50_000
    _UNSEEN = object()

    def __init__(self, rules):
        self.conditional = [(1 << index, rule) for index, rule in enumerate(self)
                            if _has_order_conditions(rule)]
        self.always = sum(1 << index for index, rule in enumerate(self) if not _has_order_conditions(rule))
        self._matching: dict = {}

    def holding(self, order: OrderFacts) -> int:
        """The rules whose order conditions hold, as a bit mask of their positions."""
        mask = self.always
        for bit, rule in self.conditional:
            if order_conditions_hold(rule, order):
                mask |= bit
        return mask

    def matching(self, mask: int, line: LineFacts) -> LineRules | None:
        """The rules of `mask` whose line conditions hold, by kind (None: none does)."""
        key = (mask, line.sku, line.category_id)
        found = self._matching.get(key, self._UNSEEN)
        if found is not self._UNSEEN:
            return found
        by_kind = {PERCENTAGE: [], FIXED_PER_UNIT: [], FIXED_PER_ORDER: []}
        for index, rule in enumerate(self):
            if mask >> index & 1 and (not rule.has_line_conditions or line_conditions_hold(rule, line)):
                by_kind[rule.kind].append(rule)
        found = None
        if any(by_kind.values()):
            found = LineRules(percentage=KindRanking.of(by_kind[PERCENTAGE]),
                              per_unit=KindRanking.of(by_kind[FIXED_PER_UNIT]),
                              bonuses=tuple(sorted(by_kind[FIXED_PER_ORDER], key=lambda rule: rule.id)))
        if len(self._matching) >= self.MEMORY:
            self._matching.clear()
        self._matching[key] = found
        return found


def _has_order_conditions(rule: RuleFacts) -> bool:
    return bool(rule.currency or rule.associate_ids or rule.customer_ids or rule.customer_group_ids
                or rule.min_subtotal is not None or rule.max_subtotal is not None or rule.first_order_only
                or rule.starts_at is not None or rule.ends_at is not None)


def override_rates(override_levels) -> dict:
    """{level: rate} of `override_levels` ([{level, rate}], or such a dict already)."""
    if isinstance(override_levels, dict):
        return override_levels
    return {int(level["level"]): Decimal(str(level["rate"])) for level in override_levels}


@dataclass(frozen=True)
class OverridePlan:
    """How uplines earn on a subagent's sale: the rate of each level, what the rates are a percentage of,
    and the parent agents' own rates, each replacing the rate of the level its agent is at."""

    rates: dict  # {level: rate}
    basis: str = COMMISSIONABLE_AMOUNT
    agent_rates: dict = field(default_factory=dict)  # {associate id: rate}

    def rate_for(self, upline: Upline) -> tuple[Decimal, bool]:
        """The upline's rate at its level, and whether it is their own."""
        own = self.agent_rates.get(upline.associate_id)
        if own is not None:
            return own, True
        return self.rates.get(upline.level, ZERO), False


def override_plan(overrides) -> OverridePlan:
    """`overrides` as an OverridePlan: one already, or override levels (`override_rates`) paid on the
    commissionable amount."""
    if isinstance(overrides, OverridePlan):
        return overrides
    return OverridePlan(rates=override_rates(overrides))


def evaluate(order: OrderFacts, rules, override_levels, uplines) -> Evaluation:
    """The earnings and overrides an order creates; `override_levels` is an `OverridePlan`, or the
    [{level, rate}] (or {level: rate}) of one paid on the commissionable amount.

    `rules`: a list of RuleFacts, or a `Ruleset` of them to evaluate many orders with.
    """
    ruleset = rules if isinstance(rules, Ruleset) else Ruleset(rules)
    lines = order.lines
    shares = allocate_discount([line.line_total for line in lines], order.discount)
    mask = ruleset.holding(order)
    proposals, not_paid = [], []
    bonuses: dict[int, tuple[RuleFacts, list]] = {}
    commissionable = ZERO
    seller_id = order.associate_id
    uplines = tuple(uplines)
    for line, share in zip(lines, shares, strict=True):
        found = ruleset.matching(mask, line)
        if found is None:
            continue
        eligible = line.line_total - share
        earns, paid, line_not_paid = False, [], ()
        for ranking, base in ((found.percentage, eligible), (found.per_unit, line.quantity)):
            if ranking is None:
                continue
            rule, passed_over = ranking.paying if base > 0 else ranking.zero_base
            earns = earns or rule.value > 0
            line_not_paid += passed_over
            exact = line_amount(rule, line, eligible)
            amount = to_cents(exact)
            if amount > 0:
                paid.append(Proposal(
                    kind="earning", associate_id=seller_id, level=0, amount=amount, exact_amount=exact, rule=rule,
                    line=line, base=eligible if rule.kind == PERCENTAGE else Decimal(line.quantity), rate=rule.value,
                    share=share, order=order, uplines=uplines,
                ))
        if line_not_paid:
            # Each earning of the line lists every rule that matched the line and did not pay, of either kind.
            not_paid.append((line, line_not_paid))
            for proposal in paid:
                proposal.passed_over = line_not_paid
        proposals += paid
        for rule in found.bonuses:
            bonuses.setdefault(rule.id, (rule, []))[1].append((line, share))
        if found.percentage is None and found.per_unit is None:
            # No line rule speaks for the line: it counts when an order bonus that pays matches it.
            earns = any(rule.value > 0 for rule in found.bonuses)
        if earns:
            commissionable += eligible
    # Every bonus whose conditions hold pays once, whatever else paid; the highest priority listed first.
    for rule, matched_lines in sorted(bonuses.values(), key=lambda bonus: (-bonus[0].priority, bonus[0].id)):
        amount = to_cents(rule.value)
        if amount <= 0:
            continue
        proposals.append(Proposal(
            kind="earning", associate_id=seller_id, level=0, amount=amount, exact_amount=rule.value, rule=rule,
            base=ONE, rate=rule.value, lines=tuple(matched_lines), order=order, uplines=uplines,
        ))
    if uplines:
        plan = override_plan(override_levels)
        if plan.basis == CHILD_COMMISSION:
            # The seller's commission on the order, as written: the sum of its rounded earnings.
            base = sum((proposal.amount for proposal in proposals), ZERO)
        else:
            base = commissionable
        for upline in uplines:
            if base <= 0:
                break
            rate, own = plan.rate_for(upline)
            exact = base * rate / HUNDRED
            amount = to_cents(exact)
            if upline.active and amount > 0:
                proposals.append(Proposal(
                    kind="override", associate_id=upline.associate_id, level=upline.level, amount=amount,
                    exact_amount=exact, base=base, rate=rate, order=order, uplines=uplines, basis=plan.basis,
                    own_rate=own,
                ))
            if plan.basis == CHILD_COMMISSION:
                # The level above earns on this upline's commission: what it earned, or would have if active.
                base = amount
    return Evaluation(proposals=proposals, commissionable_amount=commissionable, uplines=uplines,
                      passed_over=not_paid)
