"""How an order's commissions are computed, and the rows accruing it writes.

The rule engine (`rules`) evaluates plain facts; this module reads them — the order and its
lines, whether it is the customer's first order, the seller's upline chain as it is now — and
builds what an accrual writes: the order's marker (`OrderAccrual`, which copies the seller's name
and the chain) and its pending earnings and overrides (`LedgerEntry`). One order
(`services.accrue_order`, `services.accrue_new_order`) and a batch (`settlement.settle_orders`)
write through the same builders, so every path writes the same ledger; `simulation` evaluates
the same facts and writes nothing.
"""

from datetime import datetime

from django.db.models import Q

from shopfloor.accounts.models import Associate
from shopfloor.commissions.models import EntryStatus, LedgerEntry, OrderAccrual, signed_amount
from shopfloor.commissions.rules import (
    COMMISSIONABLE_AMOUNT,
    FIXED_PER_ORDER,
    Evaluation,
    LineFacts,
    OrderFacts,
    Proposal,
    Upline,
    evaluate,
)
from shopfloor.commissions.snapshot import Snapshot
from shopfloor.orders.models import Order, OrderLine, OrderStatus

# Statuses in which an order earns; a pending-payment order earns once it is paid.
ACCRUABLE_STATUSES = {OrderStatus.PLACED, OrderStatus.COMPLETED}


# Facts --------------------------------------------------------------------------------------------


def is_first_order(customer_id: int | None, placed_at: datetime, order_id: int | None) -> bool:
    """No earlier order of the customer that was not cancelled; guest orders are never first orders."""
    if customer_id is None:
        return False
    earlier = Q(placed_at__lt=placed_at)
    earlier |= Q(placed_at=placed_at, pk__lt=order_id) if order_id is not None else Q(placed_at=placed_at)
    others = Order.objects.filter(earlier, customer_id=customer_id).exclude(status=OrderStatus.CANCELLED)
    if order_id is not None:
        others = others.exclude(pk=order_id)
    return not others.exists()


def order_facts(order: Order, associate: Associate, first_order_matters: bool = True,
                lines: list[OrderLine] | None = None) -> OrderFacts:
    """The facts rules are evaluated on; `first_order_matters=False` skips the first-order query
    when no rule asks (the fact is then False, which no other condition reads). `lines`: the
    order's saved lines in pk order, with their products, when the caller has them in memory."""
    if lines is None:
        lines = order.lines.select_related("product").order_by("pk")
    return OrderFacts(
        order_id=order.pk, external_id=order.external_id, associate_id=associate.pk,
        associate_name=associate.name, currency=order.currency, subtotal=order.subtotal,
        discount=order.discount, placed_at=order.placed_at, customer_id=order.customer_id,
        customer_group_id=order.customer.group_id if order.customer_id else None,
        is_first_order=first_order_matters and is_first_order(order.customer_id, order.placed_at, order.pk),
        lines=tuple(
            LineFacts(index=index, line_id=line.pk, sku=line.sku, quantity=line.quantity,
                      unit_price=line.unit_price, line_total=line.line_total,
                      category_id=line.product.category_id if line.product_id else None)
            for index, line in enumerate(lines)
        ),
    )


def upline_chains(associate_ids, depth: int) -> dict[int, tuple[str, list[Upline]]]:
    """{associate id: (their name, their upline chain)} for each of `associate_ids`, in one query.

    The chain is the associate's parent, its parent, ... up to `depth` levels, as the database
    holds them now; it stops early at the top of the tree (or where a parent would repeat).
    """
    # Level n is reached through n parent links: parent, parent__parent, ...
    levels = ["__".join(["parent"] * level) for level in range(1, depth + 1)]
    columns = ["pk", "name"]
    for level in levels:
        columns += [f"{level}__pk", f"{level}__name", f"{level}__active"]
    chains = {}
    for pk, name, *steps in Associate.objects.filter(pk__in=associate_ids).values_list(*columns):
        chain, seen = [], {pk}
        for start in range(0, len(steps), 3):
            parent_id, parent_name, active = steps[start:start + 3]
            if parent_id is None or parent_id in seen:
                break
            seen.add(parent_id)
            chain.append(Upline(level=len(chain) + 1, associate_id=parent_id, name=parent_name, active=active))
        chains[pk] = (name, chain)
    return chains


def upline_chain(associate: Associate, depth: int) -> list[Upline]:
    """The seller's upline chain (`upline_chains`); no query for an associate without a parent."""
    if depth <= 0 or associate.parent_id is None:
        return []
    return upline_chains([associate.pk], depth)[associate.pk][1]


def evaluate_order(facts: OrderFacts, associate: Associate, config: Snapshot) -> Evaluation:
    """What the order earns with the rules and override levels of `config`, and its seller's chain now."""
    return evaluate(facts, config.rules, config.overrides, upline_chain(associate, config.depth))


# What an accrual writes -------------------------------------------------------------------------------


def accrual_inputs(seller_name: str, uplines) -> dict:
    """What an order's entries were computed with beyond their columns (`OrderAccrual.inputs`)."""
    return {"seller": seller_name, "uplines": [[u.associate_id, u.name, u.active] for u in uplines]}


def accrual_records(order_id: int, associate_id: int, currency: str, status: str, evaluation: Evaluation,
                    inputs: dict, now: datetime) -> tuple[OrderAccrual, list[LedgerEntry]]:
    """An order's marker and its pending entries, unsaved (`write_accruals` saves many at once).

    `inputs`: `accrual_inputs` of the seller and the chain the order was evaluated with (shared by a
    seller's orders: not changed); the marker adds the rules that matched a line and did not pay, how
    the overrides were paid when not on the commissionable amount, and records how the rules combined.
    A completed order's hold period starts at `now`.
    """
    if evaluation.passed_over:
        # Once per order rather than on each entry: a line's earnings share them, and the ledger is the big table.
        inputs = {**inputs, "not_paid": evaluation.stored_passed_over()}
    overrides = [proposal for proposal in evaluation.proposals if proposal.kind == "override"]
    if overrides and overrides[0].basis != COMMISSIONABLE_AMOUNT:
        inputs = {**inputs, "override_basis": overrides[0].basis}
    if own := [proposal.level for proposal in overrides if proposal.own_rate]:
        inputs = {**inputs, "own_rates": own}
    accrual = OrderAccrual(
        order_id=order_id, associate_id=associate_id, currency=currency,
        commissionable_amount=evaluation.commissionable_amount,
        completed_at=now if status == OrderStatus.COMPLETED else None, inputs=inputs,
        semantics=evaluation.semantics,
    )
    entries = [
        LedgerEntry(
            associate_id=proposal.associate_id, kind=proposal.kind, status=EntryStatus.PENDING,
            amount=signed_amount(proposal.kind, proposal.amount), currency=currency, order_id=order_id,
            line_id=proposal.line.line_id if proposal.line else None, level=proposal.level,
            rule_id=proposal.rule.id if proposal.rule else None,
            rule_version=proposal.rule.version if proposal.rule else None,
            base=proposal.base, rate=proposal.rate, details=_details(proposal),
        )
        for proposal in evaluation.proposals
    ]
    return accrual, entries


def _details(proposal: Proposal) -> dict | None:
    """What an accrued entry keeps beyond its columns: the lines an order bonus matched."""
    if proposal.rule is not None and proposal.rule.kind == FIXED_PER_ORDER:
        return {"lines": [line.index for line, _ in proposal.lines]}
    return None


def write_accruals(accruals: list[OrderAccrual], entries: list[LedgerEntry]) -> None:
    """Insert markers and entries, many rows per statement. A marker already there (the order was
    accrued meanwhile) raises IntegrityError: the caller's transaction writes nothing then."""
    OrderAccrual.objects.bulk_create(accruals)
    LedgerEntry.objects.bulk_create(entries)
