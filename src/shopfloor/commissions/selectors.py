"""Reads on the earnings ledger: balances and entries."""

from django.db.models import Q, QuerySet, Sum

from shopfloor.accounts.models import Associate
from shopfloor.commissions.models import EntryKind, EntryStatus, LedgerEntry
from shopfloor.money import ZERO, to_cents

EARNING_KINDS = (EntryKind.EARNING, EntryKind.OVERRIDE, EntryKind.REVERSAL)


def balance(associate: Associate, currency: str | None = None) -> dict:
    """What an associate has earned and been paid, in one currency (their store's by default).

    pending: earnings (net of their reversals) still in their hold period;
    approved: approved earnings and overrides net of reversals; adjustments: their sum;
    paid: payouts; balance = approved + adjustments − paid, which is also the sum of
    every approved entry. A negative balance carries forward.
    """
    currency = currency or associate.store.currency
    sums = LedgerEntry.objects.filter(associate=associate, currency=currency).aggregate(
        pending=Sum("amount", filter=Q(status=EntryStatus.PENDING)),
        approved=Sum("amount", filter=Q(status=EntryStatus.APPROVED, kind__in=EARNING_KINDS)),
        adjustments=Sum("amount", filter=Q(kind=EntryKind.ADJUSTMENT)),
        payouts=Sum("amount", filter=Q(kind=EntryKind.PAYOUT)),
    )
    # Sums of cent amounts are whole cents; to_cents only normalizes what SQLite returns.
    pending, approved, adjustments, payouts = (
        to_cents(sums[key] or ZERO) for key in ("pending", "approved", "adjustments", "payouts")
    )
    paid = ZERO - payouts
    return {
        "currency": currency, "pending": pending, "approved": approved, "adjustments": adjustments,
        "paid": paid, "balance": approved + adjustments - paid,
    }


def ledger_entries(associate: Associate | None = None, status: str | None = None) -> QuerySet:
    """Ledger entries, oldest first; the API applies the caller's visibility on top."""
    entries = LedgerEntry.objects.all()
    if associate is not None:
        entries = entries.filter(associate=associate)
    if status:
        entries = entries.filter(status=status)
    return entries.order_by("created_at", "id")
