"""An order's commissions through its life: accrued, completed, refunded or cancelled, approved.

The orders service calls these explicitly, top to bottom, as the order moves:

    record_order (in its transaction)    → accrue_new_order(order, lines)
    pending payment paid                 → accrue_order(order)
    change_order_status → completed      → note_order_completed(order)   (optional: starts the hold)
    refund_order                         → reverse_for_refund(refund)
    change_order_status → cancelled      → reverse_for_cancellation(order)
    the scheduled job                    → approve_due_earnings(now)

Backfills, imports and catching up accrue many orders at once with `settlement.settle_orders`,
which writes exactly what `accrue_order` writes. The rest of the app: `configuration` (settings
and rules), `payouts` (adjustments and payouts), `simulation` (what an order would earn),
`accrual` (the facts an order is evaluated on and the rows an accrual writes), `rules` (the engine).

Every one of them is idempotent and safe to retry or to run twice at once: an
order is accrued once (a unique marker row), a refund is reversed once (a unique
marker row), a cancellation is claimed with a conditional UPDATE, and approval
claims each order with a conditional UPDATE. Everything that touches one order's
earnings locks the order's row and then its marker row (always in that order), so
it happens one at a time. Call them inside the orders service's transaction or
after it commits; either way a retry is harmless.

Where DESIGN.md §4 is silent, the choices are documented in `rules` (evaluation)
and here:
- Only an order credited to an associate earns (a team-mode order is credited to
  the store: nobody earns; an unattributed order: nobody earns). Orders accrue
  once they are placed or completed; a pending-payment order accrues when it is
  paid (call `accrue_order` again then), a cancelled one never.
- Earnings are pending until the order has completed and the hold period has
  passed since its completion (`note_order_completed`, or when the approval job
  first sees the order completed). Approval is per order: all its pending
  entries at once.
- A refund reverses every earning and override of the order in proportion to the
  money refunded (fixed-amount rules included, since a refund does not say which
  lines it covers). Reversals are computed on the running total refunded, so a
  full refund takes back exactly what was earned, whatever the rounding of each
  partial refund. A cancellation reverses whatever is left in full.
- A reversal is approved at once when the order's earnings were already approved
  (the balance goes down, and may go negative: it carries forward); otherwise it
  is pending and approved with the order. A pending entry reversed in full
  becomes `reversed`, with its reversals: they net to zero and count nowhere.
"""

from datetime import datetime, timedelta
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.db.models import Sum
from django.utils import timezone

from shopfloor.accounts.models import Associate
from shopfloor.accounts.services import record_event
from shopfloor.commissions import snapshot
from shopfloor.commissions.accrual import (
    ACCRUABLE_STATUSES,
    accrual_inputs,
    accrual_records,
    evaluate_order,
    order_facts,
    write_accruals,
)
from shopfloor.commissions.configuration import get_commission_settings
from shopfloor.commissions.models import (
    ACCRUAL_KINDS,
    EntryKind,
    EntryStatus,
    LedgerEntry,
    OrderAccrual,
    RefundReversal,
    signed_amount,
)
from shopfloor.errors import Conflict
from shopfloor.money import ZERO, to_cents
from shopfloor.orders.models import Order, OrderLine, OrderStatus, Refund

# Accrual ----------------------------------------------------------------------


def _locked_order(order_id: int) -> Order:
    """The order's row, locked as the orders service locks it: one order's accrual, refunds and
    cancellation happen one after the other. Locks are always taken order first, then marker."""
    return (Order.objects.select_for_update(of=("self",))
            .select_related("attributed_associate", "customer").get(pk=order_id))


def _accrue(order: Order, associate: Associate, config: snapshot.Snapshot,
            lines: list[OrderLine] | None = None):
    """Evaluate the order and write its marker and pending entries; returns (the marker, the evaluation)."""
    facts = order_facts(order, associate, first_order_matters=config.needs_first_order, lines=lines)
    evaluation = evaluate_order(facts, associate, config)
    accrual, entries = accrual_records(order.pk, associate.pk, order.currency, order.status, evaluation,
                                       accrual_inputs(associate.name, evaluation.uplines), timezone.now())
    write_accruals([accrual], entries)
    return accrual, evaluation


def accrue_order(order: Order) -> list[LedgerEntry]:
    """Write the pending earnings and overrides of an order, once; returns what it wrote.

    A second call for the same order writes nothing (and returns []), as does a
    call for an order credited to nobody or to a team-mode store, a cancelled
    order or one still waiting for payment. Refunds recorded before the accrual
    are reversed right away.
    """
    if OrderAccrual.objects.filter(order_id=order.pk).exists():
        return []
    try:
        with transaction.atomic():
            order = _locked_order(order.pk)
            associate = order.attributed_associate
            if associate is None or order.status not in ACCRUABLE_STATUSES:
                return []
            if OrderAccrual.objects.filter(order_id=order.pk).exists():
                return []
            accrual, evaluation = _accrue(order, associate, snapshot.current())
            entries = list(LedgerEntry.objects.filter(order=order).order_by("pk"))
            record_event(None, "commissions.order_accrued", order, entries=len(entries),
                         commissionable_amount=str(evaluation.commissionable_amount))
            for refund in order.refunds.order_by("pk"):
                _reverse_refund(accrual, order, refund)
    except IntegrityError:
        # Another process accrued the same order a moment earlier.
        if OrderAccrual.objects.filter(order_id=order.pk).exists():
            return []
        raise
    return entries


def accrue_new_order(order: Order, lines: list[OrderLine], config: snapshot.Snapshot | None = None) -> int:
    """`accrue_order` for an order inserted a moment ago in the caller's (still open) transaction;
    returns how many entries it wrote.

    `lines` are the order's saved lines in the order they were inserted. Until that
    transaction commits nobody else can see the order, so nobody else can accrue,
    refund or cancel it: the lock, the marker checks and the refunds `accrue_order`
    needs are skipped, and the facts come from memory. Writes what `accrue_order` would,
    its audit event included. `config`: the rules and settings the caller read for this
    order (None: read them now).
    """
    if not connection.in_atomic_block:
        raise RuntimeError("accrue_new_order runs in the transaction that inserted the order.")
    associate = order.attributed_associate
    if associate is None or order.status not in ACCRUABLE_STATUSES:
        return 0
    _accrual, evaluation = _accrue(order, associate, config or snapshot.current(), lines)
    written = len(evaluation.proposals)
    data = {"entries": written, "commissionable_amount": str(evaluation.commissionable_amount)}
    record_event(None, "commissions.order_accrued", order, **data)
    return written


# Reversals --------------------------------------------------------------------


def _locked_accrual(order_id: int) -> OrderAccrual | None:
    return OrderAccrual.objects.select_for_update().filter(order_id=order_id).first()


def _reverse(accrual: OrderAccrual, order: Order, fraction: Decimal | None, reason: dict,
             refund: Refund | None = None) -> list[LedgerEntry]:
    """Reverse each earning and override of the order up to `fraction` of it (None: all of it).

    The caller holds the lock on `accrual`. What is already reversed is subtracted,
    so the running total reversed per entry is always `to_cents(amount × fraction)`.
    """
    originals = list(LedgerEntry.objects.filter(order_id=order.pk, kind__in=ACCRUAL_KINDS).order_by("pk"))
    reversed_so_far = {
        original_id: to_cents(total) for original_id, total in
        LedgerEntry.objects.filter(order_id=order.pk, kind=EntryKind.REVERSAL)
        .values("reverses_id").annotate(total=Sum("amount")).values_list("reverses_id", "total")
    }
    status = EntryStatus.APPROVED if accrual.approved_at else EntryStatus.PENDING
    now = timezone.now()
    reversals, fully_reversed = [], []
    for original in originals:
        already = ZERO - (reversed_so_far.get(original.pk) or ZERO)
        if fraction is None:
            target = original.amount
        else:
            target = min(original.amount, to_cents(original.amount * fraction))
        portion = target - already
        if portion <= 0:
            continue
        reversals.append(LedgerEntry(
            associate_id=original.associate_id, kind=EntryKind.REVERSAL, status=status,
            amount=signed_amount(EntryKind.REVERSAL, portion), currency=original.currency, order_id=order.pk,
            line_id=original.line_id, level=original.level, rule_id=original.rule_id,
            rule_version=original.rule_version, reverses=original, refund=refund,
            approved_at=now if status == EntryStatus.APPROVED else None,
            details={
                "kind": "reversal", **reason, "level": original.level,
                "reverses": {"id": original.pk, "kind": original.kind, "amount": str(original.amount)},
                "fraction": "1" if fraction is None else str(fraction),
                "reversed_before": str(already), "reversed_to_date": str(target),
            },
        ))
        if target == original.amount and original.status == EntryStatus.PENDING:
            fully_reversed.append(original.pk)
    LedgerEntry.objects.bulk_create(reversals)
    if fully_reversed:
        # Reversed in full before approval: the entry and its reversals count nowhere from now on.
        LedgerEntry.objects.filter(pk__in=fully_reversed, status=EntryStatus.PENDING).update(
            status=EntryStatus.REVERSED)
        LedgerEntry.objects.filter(reverses_id__in=fully_reversed, status=EntryStatus.PENDING).update(
            status=EntryStatus.REVERSED)
        for reversal in reversals:
            if reversal.reverses_id in fully_reversed:
                reversal.status = EntryStatus.REVERSED
    return reversals


def _reverse_refund(accrual: OrderAccrual, order: Order, refund: Refund) -> list[LedgerEntry]:
    if RefundReversal.objects.filter(refund_id=refund.pk).exists():
        return []
    try:
        with transaction.atomic():
            RefundReversal.objects.create(refund=refund, order=order, amount=refund.amount)
    except IntegrityError:
        return []
    refunded = RefundReversal.objects.filter(order=order).aggregate(total=Sum("amount"))["total"]
    refunded = to_cents(refunded or 0)
    fraction = min(Decimal(1), refunded / order.total) if order.total > 0 else Decimal(1)
    reversals = _reverse(accrual, order, fraction, refund=refund, reason={
        "reason": "refund", "refund": {"id": refund.pk, "external_id": refund.external_id,
                                       "amount": str(refund.amount)},
        "refunded_to_date": str(refunded), "order_total": str(order.total),
    })
    record_event(None, "commissions.refund_reversed", order, refund_id=refund.pk, entries=len(reversals))
    return reversals


def reverse_for_refund(refund: Refund) -> list[LedgerEntry]:
    """Take back the refund's share of the order's earnings and overrides, once per refund.

    Nothing is written for an order that was never accrued (a later accrual
    takes its refunds into account); a second call for the same refund writes nothing.
    """
    with transaction.atomic():
        order = _locked_order(refund.order_id)
        accrual = _locked_accrual(order.pk)
        if accrual is None:
            return []
        return _reverse_refund(accrual, order, refund)


def reverse_for_cancellation(order: Order) -> list[LedgerEntry]:
    """Take back everything a cancelled order still credits, once; call it after the status is saved."""
    with transaction.atomic():
        order = _locked_order(order.pk)
        if order.status != OrderStatus.CANCELLED:
            raise Conflict("Only a cancelled order's earnings are reversed in full.")
        accrual = _locked_accrual(order.pk)
        if accrual is None:
            return []
        if not OrderAccrual.objects.filter(pk=accrual.pk, cancelled_at__isnull=True).update(
                cancelled_at=timezone.now()):
            return []
        reversals = _reverse(accrual, order, None, reason={"reason": "cancellation"})
        record_event(None, "commissions.cancellation_reversed", order, entries=len(reversals))
    return reversals


# Approval ---------------------------------------------------------------------


def note_order_completed(order: Order, completed_at: datetime | None = None) -> bool:
    """Start the hold period of a completed order's earnings (once); True when it started now."""
    return bool(OrderAccrual.objects.filter(
        order_id=order.pk, order__status=OrderStatus.COMPLETED, completed_at__isnull=True
    ).update(completed_at=completed_at or timezone.now()))


def approve_due_earnings(now: datetime | None = None) -> int:
    """Approve the pending entries of every completed order whose hold period has passed.

    The scheduled job; idempotent and safe to run in several workers at once:
    each order is claimed with a conditional UPDATE and only the claimer approves
    its entries. Returns how many entries this call approved.
    """
    now = now or timezone.now()
    hold = timedelta(days=get_commission_settings().hold_days)
    waiting = OrderAccrual.objects.filter(
        approved_at__isnull=True, cancelled_at__isnull=True, order__status=OrderStatus.COMPLETED
    )
    # Completed orders nobody reported with note_order_completed: their hold starts now.
    # One row per statement, so concurrent jobs never lock rows in different orders.
    for accrual_id in waiting.filter(completed_at__isnull=True).order_by("pk").values_list("pk", flat=True):
        OrderAccrual.objects.filter(pk=accrual_id, completed_at__isnull=True).update(completed_at=now)
    approved = 0
    for accrual in list(waiting.filter(completed_at__lte=now - hold).order_by("pk")):
        with transaction.atomic():
            unclaimed = OrderAccrual.objects.filter(
                pk=accrual.pk, approved_at__isnull=True, cancelled_at__isnull=True,
                completed_at__lte=now - hold,
            )
            if not unclaimed.update(approved_at=now):
                continue  # another worker claimed it
            count = LedgerEntry.objects.filter(order_id=accrual.order_id, status=EntryStatus.PENDING).update(
                status=EntryStatus.APPROVED, approved_at=now)
            record_event(None, "commissions.order_approved", accrual, order_id=accrual.order_id,
                         entries=count)
        approved += count
    return approved
