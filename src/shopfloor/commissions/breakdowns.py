"""An entry's breakdown — what it was computed from — put together from where the ledger keeps it.

An earning or an override holds its own inputs in columns (base, rate, level, rule and version,
line); the rule's name, kind and value at that version are the rule's own while it is current and
in `RuleVersion` once an edit has replaced it; the seller's name and
the upline chain as they were are on the order's `OrderAccrual` (once per order, not per entry);
the order's amounts and lines are the order's own, which are never changed once recorded (only
its status moves), and the discount shares are allocated again from them by the same function.
`rules.earning_breakdown` and `rules.override_breakdown` give the description the shape a
simulation shows. Reversals, adjustments and payouts keep their whole description in `details`.

Reading many entries costs five queries per 500 of them, whatever their orders.
"""

from collections import defaultdict

from shopfloor.commissions.models import (
    ACCRUAL_KINDS,
    CommissionRule,
    EntryKind,
    LedgerEntry,
    OrderAccrual,
    RuleVersion,
)
from shopfloor.commissions.rules import (
    LineFacts,
    allocate_discount,
    describe_line,
    earning_breakdown,
    override_breakdown,
)
from shopfloor.orders.models import Order, OrderLine

CHUNK = 500


def attach(entries: list[LedgerEntry]) -> None:
    """Set the breakdown of every entry (read once per entry; never written)."""
    pending = [entry for entry in entries if not entry.has_breakdown]
    for start in range(0, len(pending), CHUNK):
        _attach(pending[start:start + CHUNK])


def _attach(entries: list[LedgerEntry]) -> None:
    computed = [entry for entry in entries if _is_computed(entry)]
    for entry in entries:
        if not _is_computed(entry):
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
    accruals = {order_id: (associate_id, inputs) for order_id, associate_id, inputs in
                OrderAccrual.objects.filter(order_id__in=order_ids).values_list("order_id", "associate_id", "inputs")}
    versions = _rule_versions({(entry.rule_id, entry.rule_version) for entry in computed if entry.rule_id})
    described = {order_id: _order(order, lines[order_id], *accruals.get(order_id, (None, None)))
                 for order_id, order in orders.items()}
    for entry in computed:
        order = described.get(entry.order_id)
        entry.remember_breakdown((_describe(entry, order, versions) if order is not None else entry.details) or {})


def _is_computed(entry: LedgerEntry) -> bool:
    """Earnings and overrides written with their inputs in columns; any entry holding a whole
    description in `details` (every other kind) shows it as it is."""
    return entry.kind in ACCRUAL_KINDS and not (entry.details and "kind" in entry.details) and entry.order_id


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


def _order(order: Order, lines: list[OrderLine], seller_id: int | None, inputs: dict | None) -> dict:
    inputs = inputs or {}
    shares = allocate_discount([line.line_total for line in lines], order.discount)
    return {
        "description": {"id": order.pk, "external_id": order.external_id, "currency": order.currency,
                        "subtotal": str(order.subtotal), "discount": str(order.discount),
                        "total": str(order.subtotal - order.discount)},
        "lines": {line.pk: describe_line(LineFacts(index=index, line_id=line.pk, sku=line.sku,
                                                   quantity=line.quantity, unit_price=line.unit_price,
                                                   line_total=line.line_total), share)
                  for index, (line, share) in enumerate(zip(lines, shares, strict=True))},
        "seller": {"id": seller_id, "name": inputs.get("seller", "")},
        "chain": [{"level": level, "associate_id": associate_id, "name": name, "active": active}
                  for level, (associate_id, name, active) in enumerate(inputs.get("uplines") or [], start=1)],
    }


def _describe(entry: LedgerEntry, order: dict, versions: dict) -> dict:
    chain, seller = order["chain"], order["seller"]
    if entry.kind == EntryKind.OVERRIDE:
        upline = next((step for step in chain if step["level"] == entry.level), None)
        return override_breakdown(
            entry.level, {"id": entry.associate_id, "name": upline["name"] if upline else ""}, seller,
            entry.base, entry.rate, chain, order["description"])
    # The rate is the entry's own (a rule's value at accrual); the version names the rule.
    rule = {**(versions.get((entry.rule_id, entry.rule_version)) or {
        "id": entry.rule_id, "name": "", "version": entry.rule_version, "kind": "", "priority": None}),
        "value": str(entry.rate)}
    details = entry.details or {}
    if "lines" in details:
        by_index = {line["index"]: line for line in order["lines"].values()}
        return earning_breakdown(rule, entry.base, seller, order["description"],
                                 lines=[by_index[index] for index in details["lines"] if index in by_index])
    return earning_breakdown(rule, entry.base, seller, order["description"], line=order["lines"].get(entry.line_id))
