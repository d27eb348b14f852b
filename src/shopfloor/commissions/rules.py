"""The commission engine: which rule wins each order line and what every associate earns.

Pure functions over plain values (no database), so accrual and simulation use
the same code and the rules can be tested by hand. `services` loads the facts
and writes what comes out.

How an order is evaluated (DESIGN.md §4, and the choices made where it is silent):

- The order discount is allocated to the lines in proportion to their totals,
  in whole cents, so the shares add up exactly to the discount (largest
  remainder; a leftover cent goes to the earliest line on a tie). A line's
  *eligible amount* is its total minus its share.
- For each line, the rules whose conditions all hold compete: highest priority
  wins; on a tie the larger amount for that line; then the older rule (lower id).
  A percentage rule's amount is `value`% of the eligible amount; a per-unit
  rule's is `value` × quantity; a fixed-per-order rule competes with its whole
  `value` on every line it matches, and is paid once for the order however many
  lines it wins (two different fixed-per-order rules winning different lines are
  each paid once).
- A line is *commissionable* when the rule that wins it has a value above zero;
  a zero-value rule with a high priority therefore excludes its lines from both
  the associate's earning and the uplines' overrides. The order's commissionable
  amount is the sum of its commissionable lines' eligible amounts.
- Uplines (the seller's parent, its parent, ...) earn `rate`% of the
  commissionable amount at each configured level. An inactive upline earns
  nothing at its level; the levels above still count from the seller.
- Every amount is rounded half-up to cents once, per entry (`money.to_cents`);
  entries that round to zero are not written.
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_DOWN, Decimal

from shopfloor.money import CENT, ZERO, to_cents

HUNDRED = Decimal(100)
PERCENTAGE = "percentage"
FIXED_PER_ORDER = "fixed_per_order"
FIXED_PER_UNIT = "fixed_per_unit"


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



@dataclass(frozen=True)
class LineFacts:
    index: int
    sku: str
    quantity: int
    unit_price: Decimal
    line_total: Decimal
    category_id: int | None = None
    line_id: int | None = None


@dataclass(frozen=True)
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


@dataclass
class Proposal:
    """An earning or override the engine proposes; services write it or show it (simulation)."""

    kind: str  # "earning" or "override"
    associate_id: int
    level: int
    amount: Decimal
    exact_amount: Decimal
    rule: RuleFacts | None = None
    line: LineFacts | None = None
    breakdown: dict = field(default_factory=dict)


@dataclass
class Evaluation:
    proposals: list
    commissionable_amount: Decimal


def allocate_discount(line_totals: list[Decimal], discount: Decimal) -> list[Decimal]:
    """Each line's share of the order discount, in cents, adding up exactly to the discount.

    Proportional to the line totals; the cents left after rounding every share
    down go to the largest remainders, the earliest line first on a tie.
    """
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


def winning_rule(candidates: list[tuple[RuleFacts, Decimal]]) -> tuple[RuleFacts, Decimal]:
    """Highest priority; then the larger amount; then the older rule."""
    return max(candidates, key=lambda candidate: (candidate[0].priority, candidate[1], -candidate[0].id))


def evaluate(order: OrderFacts, rules: list[RuleFacts], override_levels: list[dict],
             uplines: list[Upline]) -> Evaluation:
    """The earnings and overrides an order creates; `override_levels` is [{level, rate}]."""
    shares = allocate_discount([line.line_total for line in order.lines], order.discount)
    order_rules = [rule for rule in rules if order_conditions_hold(rule, order)]
    proposals = []
    fixed_per_order_wins: dict[int, tuple[RuleFacts, list]] = {}
    commissionable = ZERO
    seller = {"id": order.associate_id, "name": order.associate_name}
    described_order = order.describe()
    for line, share in zip(order.lines, shares, strict=True):
        eligible = line.line_total - share
        # winning_rule over the line's candidates, without building the list (the hot loop of a settlement).
        rule = best = None
        for candidate in order_rules:
            if candidate.has_line_conditions and not line_conditions_hold(candidate, line):
                continue
            amount = line_amount(candidate, line, eligible)
            key = (candidate.priority, amount, -candidate.id)
            if best is None or key > best:
                rule, exact, best = candidate, amount, key
        if rule is None:
            continue
        if rule.value > 0:
            commissionable += eligible
        line_facts = {"index": line.index, "id": line.line_id, "sku": line.sku, "quantity": line.quantity,
                      "unit_price": str(line.unit_price), "line_total": str(line.line_total),
                      "discount_share": str(share), "eligible_amount": str(eligible)}
        if rule.kind == FIXED_PER_ORDER:
            fixed_per_order_wins.setdefault(rule.id, (rule, []))[1].append(line_facts)
            continue
        amount = to_cents(exact)
        if amount <= 0:
            continue
        if rule.kind == PERCENTAGE:
            base, rate = eligible, rule.value
        else:
            base, rate = Decimal(line.quantity), rule.value
        proposals.append(Proposal(
            kind="earning", associate_id=order.associate_id, level=0, amount=amount, exact_amount=exact,
            rule=rule, line=line,
            breakdown={
                "kind": "earning", "level": 0, "associate": seller, "rule": rule.describe(),
                "base": str(base), "rate": str(rate), "exact_amount": str(exact),
                "line": line_facts, "order": described_order,
            },
        ))
    for rule, won_lines in fixed_per_order_wins.values():
        amount = to_cents(rule.value)
        if amount <= 0:
            continue
        proposals.append(Proposal(
            kind="earning", associate_id=order.associate_id, level=0, amount=amount, exact_amount=rule.value,
            rule=rule,
            breakdown={
                "kind": "earning", "level": 0, "associate": seller, "rule": rule.describe(),
                "base": "1", "rate": str(rule.value), "exact_amount": str(rule.value),
                "lines": won_lines, "order": described_order,
            },
        ))
    rates = {int(level["level"]): Decimal(str(level["rate"])) for level in override_levels}
    chain = [upline.describe() for upline in uplines]
    for upline in uplines:
        rate = rates.get(upline.level, ZERO)
        if not upline.active or rate <= 0:
            continue
        exact = commissionable * rate / HUNDRED
        amount = to_cents(exact)
        if amount <= 0:
            continue
        proposals.append(Proposal(
            kind="override", associate_id=upline.associate_id, level=upline.level, amount=amount,
            exact_amount=exact,
            breakdown={
                "kind": "override", "level": upline.level,
                "associate": {"id": upline.associate_id, "name": upline.name},
                "seller": seller,
                "base": str(commissionable), "rate": str(rate), "exact_amount": str(exact),
                "upline_chain": chain, "order": described_order,
            },
        ))
    return Evaluation(proposals=proposals, commissionable_amount=commissionable)
