"""An entry's breakdown — what it was computed from — described from where the ledger keeps it.

An earning or an override holds its own inputs in columns (base, rate, level, rule and version,
line); the rule's name, kind and value at that version are the rule's own while it is current and
in `RuleVersion` once an edit has replaced it; the seller's name, the upline chain as they were,
the rules that matched a line and did not pay, and how the rules combined (`semantics`) are on the
order's `OrderAccrual` (once per order, not per entry);
the order's amounts and lines are the order's own, which are never changed once recorded (only
its status moves), and the discount shares are allocated again from them by the same function.
`rules.earning_breakdown` and `rules.override_breakdown` give the description the shape a
simulation shows. Reversals, adjustments and payouts keep their whole description in `details`.

`models.attach_breakdowns` reads those inputs for many entries at once (five queries per 500 of
them, whatever their orders); the functions here describe what it read, and read nothing.
"""

from collections import defaultdict

from shopfloor.commissions.rules import (
    COMMISSIONABLE_AMOUNT,
    RULES_ADD_UP,
    LineFacts,
    allocate_discount,
    describe_line,
    earning_breakdown,
    not_paid_breakdown,
    override_breakdown,
)


def not_paid_keys(inputs: dict | None) -> set:
    """The (rule id, version) pairs an accrual's `not_paid` names: the rules that did not pay and those that did."""
    keys = set()
    for _index, rule_id, version, applied_id, applied_version, _why in (inputs or {}).get("not_paid") or ():
        keys.add((rule_id, version))
        keys.add((applied_id, applied_version))
    return keys


def describe_order(order, lines: list, seller_id: int | None, inputs: dict | None,
                   semantics: str | None = None) -> dict:
    """What the entries of one order share: the order and its lines (`Order`, `OrderLine`), the seller,
    the upline chain, the rules that did not pay by line index and how the rules combined
    (`OrderAccrual.associate_id`, `.inputs` and `.semantics`)."""
    inputs = inputs or {}
    shares = allocate_discount([line.line_total for line in lines], order.discount)
    not_paid = defaultdict(list)
    for index, *passed in inputs.get("not_paid") or ():
        not_paid[index].append(passed)
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
        "not_paid": not_paid,
        "semantics": semantics,
        # Every order accrued before the basis was a setting was paid on the commissionable amount.
        "override_basis": inputs.get("override_basis", COMMISSIONABLE_AMOUNT),
        "own_rates": set(inputs.get("own_rates") or ()),
    }


def _rule_as_it_was(versions: dict, rule_id: int, version: int) -> dict:
    return versions.get((rule_id, version)) or {"id": rule_id, "name": "", "version": version, "kind": "",
                                                 "priority": None}


def describe_entry(entry, order: dict, versions: dict) -> dict:
    """An earning's or an override's breakdown; `order`: `describe_order` of its order; `versions`:
    {(rule id, version): the rule as it was}."""
    chain, seller, semantics = order["chain"], order["seller"], order["semantics"]
    if entry.kind == "override":  # models.EntryKind.OVERRIDE, as the engine names it (`rules.Proposal`)
        upline = next((step for step in chain if step["level"] == entry.level), None)
        return override_breakdown(
            entry.level, {"id": entry.associate_id, "name": upline["name"] if upline else ""}, seller,
            entry.base, entry.rate, chain, order["description"], semantics=semantics,
            basis=order["override_basis"], own_rate=entry.level in order["own_rates"])
    # The rate is the entry's own (a rule's value at accrual); the version names the rule.
    rule = {**_rule_as_it_was(versions, entry.rule_id, entry.rule_version), "value": str(entry.rate)}
    details = entry.details or {}
    # Only orders evaluated with the rules adding up recorded the rules that did not pay.
    recorded = semantics == RULES_ADD_UP
    if "lines" in details:
        by_index = {line["index"]: line for line in order["lines"].values()}
        return earning_breakdown(rule, entry.base, seller, order["description"],
                                 lines=[by_index[index] for index in details["lines"] if index in by_index],
                                 not_paid=[] if recorded else None, semantics=semantics)
    line = order["lines"].get(entry.line_id)
    not_paid = None
    if recorded:
        not_paid = [
            not_paid_breakdown(_rule_as_it_was(versions, rule_id, version),
                               _rule_as_it_was(versions, applied_id, applied_version), why)
            for rule_id, version, applied_id, applied_version, why in order["not_paid"].get(line["index"], ())
        ] if line is not None else []
    return earning_breakdown(rule, entry.base, seller, order["description"], line=line, not_paid=not_paid,
                             semantics=semantics)
