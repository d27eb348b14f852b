"""Reads behind the dashboard, the reports and the payouts page: sales and earnings figures.

Periods come from `shopfloor.periods`, the day-by-day series from `clienteling.kpis.daily_sales`.

Which orders count comes from `shopfloor.access` (visible_orders, visible_associates,
visible_stores); this module only groups and adds them up. A *sale* is an order that is
placed or completed (pending-payment orders are not paid yet, cancelled ones never will be);
its refunds are shown next to it and taken off the net figure.

A store's figures in the reports are the sales credited to it (clienteling.reports): per credited
associate in associate mode, and on the store's own row in team mode (or for a home-store sale).
"""

from collections import defaultdict

from django.db.models import Count, Q, QuerySet, Sum

from shopfloor.access import Actor, visible_associates, visible_orders, visible_stores
from shopfloor.accounts.models import Associate
from shopfloor.clienteling.kpis import SALE_STATUSES, daily_sales
from shopfloor.clienteling.reports import credited_orders, credited_sales
from shopfloor.commissions.models import (
    EntryStatus,
    LedgerEntry,
    OverrideBasis,
    Payout,
    PayoutMethod,
    RuleSemantics,
)
from shopfloor.money import ZERO, to_cents
from shopfloor.orders.models import Order, Refund
from shopfloor.periods import Period

# Sales -----------------------------------------------------------------------------------


def sales_in(orders: QuerySet, period: Period) -> QuerySet:
    start, end = period.bounds()
    return orders.filter(status__in=SALE_STATUSES, placed_at__gte=start, placed_at__lt=end)


def kpi_orders(actor: Actor) -> QuerySet:
    """The orders whose sales an associate's KPIs count: theirs in associate mode, their store's in team mode."""
    associate = actor.associate
    if associate is None:
        return Order.objects.none()
    orders = visible_orders(actor)
    if associate.store.is_team_mode:
        return orders.filter(attributed_store_id=associate.store_id, attributed_associate__isnull=True)
    return orders.filter(attributed_associate_id=associate.pk)


def summarize(orders: QuerySet, currency: str) -> dict:
    """Orders, sales, refunds and net sales of `orders` in one currency."""
    orders = orders.filter(currency=currency)
    sums = orders.aggregate(count=Count("id"), sales=Sum("total"))
    refunds = Refund.objects.filter(order__in=orders.values("pk")).aggregate(total=Sum("amount"))["total"]
    sales, refunded = to_cents(sums["sales"] or ZERO), to_cents(refunds or ZERO)
    return {"orders": sums["count"], "sales": sales, "refunds": refunded, "net": sales - refunded,
            "currency": currency}


def _grouped(orders: QuerySet, key: str) -> dict:
    """{key value: {"orders", "sales", "refunds"}} for orders grouped by `key`."""
    figures: dict = defaultdict(lambda: {"orders": 0, "sales": ZERO, "refunds": ZERO})
    for row in orders.values(key).annotate(count=Count("id"), sales=Sum("total")).order_by():
        figures[row[key]]["orders"] = row["count"]
        figures[row[key]]["sales"] = to_cents(row["sales"] or ZERO)
    refunds = Refund.objects.filter(order__in=orders.values("pk")).values(f"order__{key}").annotate(
        total=Sum("amount")).order_by()
    for row in refunds:
        figures[row[f"order__{key}"]]["refunds"] = to_cents(row["total"] or ZERO)
    return figures


def _row(figures: dict | None) -> dict:
    figures = figures or {"orders": 0, "sales": ZERO, "refunds": ZERO}
    return {**figures, "net": figures["sales"] - figures["refunds"]}


def subagent_sales(associate: Associate, period: Period) -> list[dict]:
    """An upline's subagents with their credited sales in the period.

    Uplines earn an override on their subagents' orders (DESIGN.md §4), so they see each
    subagent's totals; never the orders themselves, which stay behind the access policy.
    """
    subagents = list(Associate.objects.filter(parent=associate, active=True).select_related("store")
                     .order_by("name", "pk"))
    credited = sales_in(Order.objects.filter(attributed_associate__in=subagents), period)
    figures = _grouped(credited, "attributed_associate")
    return [{"associate": sub, "currency": sub.store.currency, **_row(figures.get(sub.pk))} for sub in subagents]


# Reports ---------------------------------------------------------------------------------


def report_stores(actor: Actor, store_id: int | None = None) -> QuerySet:
    stores = visible_stores(actor)
    return stores.filter(pk=store_id) if store_id else stores


def report(actor: Actor, period: Period, store_id: int | None = None) -> dict:
    """Each store's credited sales in the period, split per credited associate plus the store's own row
    (clienteling.reports: the rows add up to the store's total; sales credited to nobody are shown beside it)."""
    stores = list(report_stores(actor, store_id).order_by("name", "pk"))
    # The store's active people are listed even with no sales; leavers only when they were credited.
    people = visible_associates(actor).filter(active=True)
    by_store = credited_sales(stores, period, with_associates=people)
    totals = []
    for currency in sorted({store.currency for store in stores}):
        rows = [row for row in by_store if row.currency == currency]
        totals.append({
            "currency": currency, "orders": sum(row.orders for row in rows),
            **{key: sum((getattr(row, key) for row in rows), ZERO) for key in ("total", "refunds", "net")},
            "uncredited": sum((row.uncredited.total for row in rows), ZERO),
            "uncredited_orders": sum(row.uncredited.orders for row in rows),
        })
    return {"stores": by_store, "totals": totals, "series": daily_sales(credited_orders(stores, period), period)}


# Earnings --------------------------------------------------------------------------------


def recent_entries(associate: Associate, limit: int = 10) -> list[LedgerEntry]:
    return list(LedgerEntry.objects.filter(associate=associate)
                .select_related("order", "rule", "payout").order_by("-created_at", "-id")[:limit])


def payouts_of(associate: Associate, limit: int = 10) -> list[Payout]:
    return list(Payout.objects.filter(associate=associate).order_by("-created_at", "-id")[:limit])


def balances(associates: QuerySet) -> list[dict]:
    """Each associate's pending earnings and balance in their store's currency, in one query.

    The same figures as commissions.selectors.balance: the balance is the sum of every
    approved entry (approved earnings, overrides and reversals, adjustments, minus payouts).
    """
    associates = list(associates.select_related("store").order_by("name", "pk"))
    sums = {
        (row["associate"], row["currency"]): row
        for row in LedgerEntry.objects.filter(associate__in=associates).values("associate", "currency").annotate(
            pending=Sum("amount", filter=Q(status=EntryStatus.PENDING)),
            balance=Sum("amount", filter=Q(status=EntryStatus.APPROVED)),
        ).order_by()
    }
    rows = []
    for associate in associates:
        row = sums.get((associate.pk, associate.store.currency), {})
        rows.append({
            "associate": associate, "currency": associate.store.currency,
            "pending": to_cents(row.get("pending") or ZERO), "balance": to_cents(row.get("balance") or ZERO),
        })
    return rows


def _rate(value) -> str:
    """A stored rate as people write it: "10.0000" → "10", "2.5000" → "2.5"."""
    text = str(value)
    return text.rstrip("0").rstrip(".") if "." in text else text


def _amount(value) -> str:
    try:
        return str(to_cents(value))
    except (ArithmeticError, ValueError, TypeError):
        return str(value)


def breakdown_facts(entry: LedgerEntry) -> list[tuple[str, str]]:
    """An entry's stored breakdown (what it was computed from) as label/value pairs a person reads."""
    data = entry.breakdown or {}
    facts: list[tuple[str, str]] = []
    rule = data.get("rule") if isinstance(data.get("rule"), dict) else None
    if rule:
        facts.append(("Rule", f"{rule.get('name', '')} (version {rule.get('version', '?')})"))
    line = data.get("line") if isinstance(data.get("line"), dict) else None
    if line:
        facts.append(("Product", f"{line.get('quantity')} × {line.get('sku')} at {line.get('unit_price')}"))
        if line.get("discount_share") not in (None, "0", "0.00"):
            facts.append(("Share of the order discount", str(line["discount_share"])))
    if isinstance(data.get("lines"), list) and data["lines"]:
        facts.append(("Lines", ", ".join(f"{item.get('quantity')} × {item.get('sku')}" for item in data["lines"])))
    if isinstance(data.get("seller"), dict):
        facts.append(("Sold by", str(data["seller"].get("name", ""))))
    if data.get("base") is not None:
        kind = (rule or {}).get("kind", "percentage" if data.get("kind") == "override" else "")
        if kind == "percentage":
            child = data.get("basis") == OverrideBasis.CHILD_COMMISSION
            facts.append(("Child's commission" if child else "Base", str(data["base"])))
            own = " (their own rate)" if data.get("own_rate") else ""
            facts.append(("Rate", f"{_rate(data.get('rate'))}%{own}"))
        elif kind == "fixed_per_unit":
            facts.append(("Units", str(data["base"])))
            facts.append(("Per unit", _amount(data.get("rate"))))
        elif kind == "fixed_per_order":
            facts.append(("Per order", _amount(data.get("rate"))))
    for item in data.get("not_paid") or ():
        if isinstance(item, dict) and isinstance(item.get("rule"), dict):
            facts.append(("Did not pay", f"{item['rule'].get('name', '')}: {item.get('reason', '')}"))
    if data.get("semantics") == RuleSemantics.ONE_RULE_PER_LINE:
        # Entries written before the rules added up: why a bonus took a line, or a percentage was not paid.
        facts.append(("Rules combined", "One rule per line (accrued before the rules added up)"))
    if data.get("kind") == "override" or entry.level:
        facts.append(("Level", f"{entry.level} (upline)" if entry.level else "0 (seller)"))
    if isinstance(data.get("reverses"), dict):
        facts.append(("Reverses", f"{data['reverses'].get('kind', '')} of {data['reverses'].get('amount', '')}"))
        if data.get("fraction") not in (None, "1"):
            facts.append(("Share reversed", str(data["fraction"])))
    if data.get("method"):
        methods = dict(PayoutMethod.choices)
        facts.append(("Method", str(methods.get(data["method"], data["method"]))))
    for key, label in (("reason", "Reason"), ("reference", "Reference"), ("balance_before", "Balance before")):
        if data.get(key) not in (None, ""):
            facts.append((label, str(data[key])))
    return facts
