"""Settlement: `accrue_order` for many orders at once (backfills, imports, catching up after an outage).

`settle_orders` writes, order by order, exactly what `services.accrue_order` would write — the
same entries with the same inputs, the same marker — and one audit event per batch
(`commissions.orders_settled`) where `accrue_order` writes one per order. Each batch is one
transaction that reads the rules and settings (`snapshot`), locks its orders in pk order, checks
their markers again, as `accrue_order` does, reads the upline chains of the batch's sellers once,
and inserts the markers and the entries many rows per statement. So a settlement is safe to re-run
and to run beside `accrue_order` or another settlement: orders already accrued are skipped, and a
batch that meets an order accrued meanwhile (its marker's unique key refuses the insert) is rolled
back and accrued order by order instead. The rare order with refunds recorded before its accrual
goes through `accrue_order` itself, which reverses them.
"""

from collections import defaultdict

from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from shopfloor.accounts.models import AuditEvent
from shopfloor.commissions import snapshot
from shopfloor.commissions.accrual import (
    ACCRUABLE_STATUSES,
    accrual_inputs,
    accrual_records,
    upline_chains,
    write_accruals,
)
from shopfloor.commissions.models import OrderAccrual
from shopfloor.commissions.rules import LineFacts, OrderFacts, evaluate
from shopfloor.commissions.services import accrue_order
from shopfloor.orders.models import Order, OrderLine, OrderStatus, Refund

# Orders per transaction: large enough to amortize the round trips, small enough that
# a batch's row locks and memory stay modest.
SETTLE_BATCH_SIZE = 5000

ORDER_COLUMNS = ("pk", "external_id", "status", "attributed_associate_id", "currency", "subtotal", "discount",
                 "placed_at", "customer_id", "customer__group_id")
LINE_COLUMNS = ("order_id", "pk", "sku", "quantity", "unit_price", "line_total", "product__category_id")


def settle_orders(order_ids=None, batch_size: int = SETTLE_BATCH_SIZE) -> int:
    """Accrue, in batches, the orders `accrue_order` would accrue and nobody has; returns how many.

    `order_ids`: only these orders (None: every order).
    """
    return sum(settle_batch(ids) for ids in _unaccrued_batches(order_ids, batch_size))


def _unaccrued_batches(order_ids, batch_size: int):
    """The pks of the orders to accrue, `batch_size` at a time, in pk order."""
    unaccrued = (
        Order.objects.filter(status__in=ACCRUABLE_STATUSES, attributed_associate__isnull=False,
                             commission_accrual__isnull=True)
        .order_by("pk").values_list("pk", flat=True)
    )
    if order_ids is None:
        after = 0
        while ids := list(unaccrued.filter(pk__gt=after)[:batch_size]):
            yield ids
            after = ids[-1]
        return
    wanted = sorted(set(order_ids))
    for start in range(0, len(wanted), batch_size):
        if ids := list(unaccrued.filter(pk__in=wanted[start:start + batch_size])):
            yield ids


def settle_batch(ids: list[int]) -> int:
    """Accrue one batch of orders (pks in ascending order) in one transaction; returns how many were accrued."""
    try:
        with transaction.atomic():
            return _settle(ids, snapshot.current())
    except IntegrityError:
        # Another process accrued some of these orders a moment earlier: one at a time, then.
        return sum(_accrue_one(order_id) for order_id in ids)


def _accrue_one(order_id: int) -> bool:
    if OrderAccrual.objects.filter(order_id=order_id).exists():
        return False
    accrue_order(Order(pk=order_id))
    return OrderAccrual.objects.filter(order_id=order_id).exists()


def _in_batch(ids: list[int], field: str) -> dict:
    """The filter that selects the rows of `field` (an order pk or id) in the batch `ids`.

    A dense batch (the usual one) is a range of pks, which costs the database and Django less than
    thousands of parameters; rows of the range outside the batch are skipped by the caller.
    """
    if ids[-1] - ids[0] < 2 * len(ids):
        return {f"{field}__gte": ids[0], f"{field}__lte": ids[-1]}
    return {f"{field}__in": ids}


def _settle(ids: list[int], config: snapshot.Snapshot) -> int:
    """Accrue the orders of `ids` that still need it; the caller holds the transaction."""
    wanted = set(ids)
    # Locked in pk order before anything is read, as accrue_order locks an order before its marker.
    locked = Order.objects.filter(**_in_batch(ids, "pk")).select_for_update().order_by("pk")
    wanted.intersection_update(locked.values_list("pk", flat=True))
    wanted.difference_update(OrderAccrual.objects.filter(**_in_batch(ids, "order_id"))
                             .values_list("order_id", flat=True))
    refunded = set(Refund.objects.filter(**_in_batch(ids, "order_id")).values_list("order_id", flat=True))

    orders = Order.objects.filter(**_in_batch(ids, "pk")).order_by("pk")
    columns = ORDER_COLUMNS
    if config.needs_first_order:
        # `accrual.is_first_order`: the order is its customer's earliest one that is not cancelled.
        orders = orders.annotate(first_order_id=Subquery(
            Order.objects.filter(customer_id=OuterRef("customer_id")).exclude(status=OrderStatus.CANCELLED)
            .order_by("placed_at", "pk").values("pk")[:1]))
        columns = (*ORDER_COLUMNS, "first_order_id")
    rows = [row for row in orders.values_list(*columns)
            if row[0] in wanted and row[3] is not None and row[2] in ACCRUABLE_STATUSES]
    one_by_one = [row[0] for row in rows if row[0] in refunded]
    rows = [row for row in rows if row[0] not in refunded]

    lines = defaultdict(list)
    for order_id, line_id, sku, quantity, unit_price, line_total, category_id in (
            OrderLine.objects.filter(**_in_batch(ids, "order_id")).order_by("order_id", "pk")
            .values_list(*LINE_COLUMNS)):
        if order_id in wanted:
            lines[order_id].append((line_id, sku, quantity, unit_price, line_total, category_id))

    # Every seller's name and upline chain, read once for the batch (their marker copies both).
    sellers = upline_chains({row[3] for row in rows}, config.depth)
    inputs = {pk: accrual_inputs(name, chain) for pk, (name, chain) in sellers.items()}
    rules, levels = config.rules, config.overrides
    now = timezone.now()
    accruals, entries = [], []
    for row in rows:
        order_id, external_id, status, associate_id, currency, subtotal, discount, placed_at = row[:8]
        customer_id, customer_group_id = row[8:10]
        name, chain = sellers[associate_id]
        facts = OrderFacts(
            order_id=order_id, external_id=external_id, associate_id=associate_id, associate_name=name,
            currency=currency, subtotal=subtotal, discount=discount, placed_at=placed_at,
            customer_id=customer_id, customer_group_id=customer_group_id,
            is_first_order=config.needs_first_order and customer_id is not None and row[10] == order_id,
            lines=tuple(
                LineFacts(index=index, sku=sku, quantity=quantity, unit_price=unit_price, line_total=line_total,
                          category_id=category_id, line_id=line_id)
                for index, (line_id, sku, quantity, unit_price, line_total, category_id)
                in enumerate(lines[order_id])
            ),
        )
        accrual, order_entries = accrual_records(order_id, associate_id, currency, status,
                                                 evaluate(facts, rules, levels, chain), inputs[associate_id], now)
        accruals.append(accrual)
        entries.extend(order_entries)
    write_accruals(accruals, entries)
    if accruals:
        # One event per batch: each order's marker (OrderAccrual) already says when it was accrued.
        first, last = accruals[0].order_id, accruals[-1].order_id
        AuditEvent.objects.create(verb="commissions.orders_settled", target_type=Order._meta.label_lower,
                                  target_id=f"{first}-{last}", data={
                                      "orders": len(accruals), "entries": len(entries),
                                      "first_order_id": first, "last_order_id": last})
    return len(accruals) + sum(_accrue_one(order_id) for order_id in one_by_one)
