"""An associate's statement: their ledger entries for a period with a running balance, as CSV.

The running balance follows `selectors.balance`: it counts every approved entry
(earnings, overrides and reversals once approved, adjustments, payouts) at the
moment the entry was written; pending and reversed entries are listed but move
nothing. The opening balance is that sum before the period, so the closing
balance of a period that ends today is the associate's balance now. Statuses are
as they are when the statement is made.
"""

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db.models import Sum

from shopfloor.accounts.models import Associate
from shopfloor.commissions.models import EntryKind, EntryStatus, LedgerEntry
from shopfloor.money import ZERO, format_amount, to_cents

COLUMNS = ("date", "entry_id", "kind", "status", "order_id", "order_external_id", "level", "description",
           "amount", "currency", "running_balance")
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Statement:
    associate: Associate
    currency: str
    start: date | None
    end: date | None
    opening_balance: Decimal
    closing_balance: Decimal
    entries: list


def _zone(associate: Associate):
    try:
        return ZoneInfo(associate.store.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _midnight(day: date, zone) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone)


def statement(associate: Associate, start: date | None = None, end: date | None = None,
              currency: str | None = None) -> Statement:
    """Entries written from `start` to `end` (whole days, inclusive, in the store's time zone)."""
    currency = currency or associate.store.currency
    zone = _zone(associate)
    entries = LedgerEntry.objects.filter(associate=associate, currency=currency)
    opening = ZERO
    if start is not None:
        before = entries.filter(created_at__lt=_midnight(start, zone), status=EntryStatus.APPROVED)
        opening = to_cents(before.aggregate(total=Sum("amount"))["total"] or ZERO)
        entries = entries.filter(created_at__gte=_midnight(start, zone))
    if end is not None:
        entries = entries.filter(created_at__lt=_midnight(end + timedelta(days=1), zone))
    rows = list(entries.select_related("order", "rule", "refund", "payout").order_by("created_at", "id"))
    closing = opening + sum((e.amount for e in rows if e.status == EntryStatus.APPROVED), ZERO)
    return Statement(associate=associate, currency=currency, start=start, end=end, opening_balance=opening,
                     closing_balance=to_cents(closing), entries=rows)


def describe(entry: LedgerEntry) -> str:
    """One line a person reads on their statement."""
    breakdown = entry.breakdown or {}
    if entry.kind == EntryKind.EARNING:
        # The rule's name as it was at the version the entry used.
        named = (breakdown.get("rule") or {}).get("name") or (entry.rule.name if entry.rule_id else "")
        rule = f"{named} (v{entry.rule_version})" if entry.rule_id else "Earning"
        skus = [line.get("sku") for line in breakdown.get("lines", [])] if "lines" in breakdown else [
            (breakdown.get("line") or {}).get("sku")]
        skus = [sku for sku in skus if sku]
        return f"{rule} on {', '.join(skus)}" if skus else rule
    if entry.kind == EntryKind.OVERRIDE:
        seller = (breakdown.get("seller") or {}).get("name") or "a subagent"
        return f"Level {entry.level} override on {seller}'s sale"
    if entry.kind == EntryKind.REVERSAL:
        if entry.refund_id:
            return f"Reversed for refund {entry.refund.external_id}"
        return "Reversed for cancellation"
    if entry.kind == EntryKind.ADJUSTMENT:
        return f"Adjustment: {entry.reason}"
    if entry.kind == EntryKind.PAYOUT and entry.payout_id:
        payout = entry.payout
        reference = f" ({payout.reference})" if payout.reference else ""
        return f"Payout by {payout.get_method_display()}{reference}"
    return entry.get_kind_display()


def _safe(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def statement_csv(result: Statement) -> str:
    """The statement as CSV: a header, the opening balance, one row per entry, the closing balance."""
    zone = _zone(result.associate)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    opening_day = result.start.isoformat() if result.start else ""
    writer.writerow([opening_day, "", "opening_balance", "", "", "", "", "Balance before the period", "",
                     result.currency, format_amount(result.opening_balance)])
    running = result.opening_balance
    for entry in result.entries:
        if entry.status == EntryStatus.APPROVED:
            running += entry.amount
        writer.writerow([
            entry.created_at.astimezone(zone).isoformat(timespec="seconds"), entry.pk, entry.kind,
            entry.status, entry.order_id or "", _safe(entry.order.external_id) if entry.order_id else "",
            entry.level, _safe(describe(entry)), format_amount(entry.amount), entry.currency,
            format_amount(running),
        ])
    closing_day = result.end.isoformat() if result.end else ""
    writer.writerow([closing_day, "", "closing_balance", "", "", "", "", "Balance at the end of the period",
                     "", result.currency, format_amount(result.closing_balance)])
    return out.getvalue()
