"""What admins write on an associate's balance: adjustments (either sign, with a reason) and payouts.

Both are ledger entries approved at once. One balance change per associate at a time: each locks
the associate's row first, so two payouts cannot both pass the balance check.
"""

from django.db import transaction
from django.utils import timezone

from shopfloor.accounts.models import Associate
from shopfloor.accounts.services import record_event
from shopfloor.commissions.models import EntryKind, EntryStatus, LedgerEntry, Payout, PayoutMethod, signed_amount
from shopfloor.commissions.selectors import balance
from shopfloor.commissions.validation import amount_field, require_admin
from shopfloor.errors import Conflict, InvalidInput
from shopfloor.money import MAX_AMOUNT, ZERO, to_cents


def _locked_associate(associate: Associate) -> Associate:
    """The associate's row, locked (not their store's): one balance change per associate at a time."""
    return Associate.objects.select_for_update(of=("self",)).select_related("store").get(pk=associate.pk)


def record_adjustment(actor_user, associate: Associate, amount, reason: str) -> LedgerEntry:
    """An admin's correction of an associate's balance, either sign, with a reason; approved at once."""
    require_admin(actor_user)
    amount = to_cents(amount_field(amount, "amount"))
    reason = (reason or "").strip()
    errors = []
    if amount == 0:
        errors.append((("body", "amount"), "Must not be zero."))
    elif abs(amount) > MAX_AMOUNT:
        errors.append((("body", "amount"), f"At most {MAX_AMOUNT}."))
    if not reason:
        errors.append((("body", "reason"), "Say why the balance is adjusted."))
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        associate = _locked_associate(associate)
        entry = LedgerEntry.objects.create(
            associate=associate, kind=EntryKind.ADJUSTMENT, status=EntryStatus.APPROVED,
            amount=signed_amount(EntryKind.ADJUSTMENT, amount), currency=associate.store.currency,
            reason=reason, created_by=actor_user, approved_at=timezone.now(),
            details={"kind": "adjustment", "reason": reason,
                     "by": {"id": actor_user.pk, "email": actor_user.email}},
        )
        record_event(actor_user, "commissions.adjustment_recorded", entry, associate_id=associate.pk,
                     amount=str(amount), reason=reason)
    return entry


def record_payout(actor_user, associate: Associate, amount, method: str, reference: str = "", note: str = "",
                  confirm_over_balance: bool = False, request_key: str | None = None) -> Payout:
    """Record money paid to an associate; refused (409) above their balance unless confirmed.

    With a `request_key` (the console form's one-time key), the same key again
    answers the first payout and records nothing.
    """
    require_admin(actor_user)
    if request_key:
        existing = Payout.objects.filter(request_key=request_key).first()
        if existing is not None:
            return existing
    amount = to_cents(amount_field(amount, "amount"))
    errors = []
    if not ZERO < amount <= MAX_AMOUNT:
        errors.append((("body", "amount"), f"Must be more than zero and at most {MAX_AMOUNT}."))
    if method not in PayoutMethod.values:
        errors.append((("body", "method"), f"Must be one of {', '.join(PayoutMethod.values)}."))
    reference = (reference or "").strip()
    if len(reference) > 200:
        errors.append((("body", "reference"), "At most 200 characters."))
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        # One payout per associate at a time, so two cannot both pass the balance check.
        associate = _locked_associate(associate)
        available = balance(associate)["balance"]
        if amount > available and not confirm_over_balance:
            raise Conflict(f"The payout of {amount} is more than the balance of {available}; "
                           "confirm it to pay anyway.")
        if request_key and Payout.objects.filter(request_key=request_key).exists():
            # The same form arrived twice at once; the first (holding the lock) recorded it.
            return Payout.objects.get(request_key=request_key)
        payout = Payout.objects.create(
            associate=associate, amount=amount, currency=associate.store.currency, method=method,
            reference=reference, note=note or "", created_by=actor_user, request_key=request_key or None,
        )
        LedgerEntry.objects.create(
            associate=associate, kind=EntryKind.PAYOUT, status=EntryStatus.APPROVED,
            amount=signed_amount(EntryKind.PAYOUT, amount), currency=payout.currency, payout=payout,
            created_by=actor_user, approved_at=payout.created_at,
            details={"kind": "payout", "method": method, "reference": reference,
                     "balance_before": str(available), "over_balance": amount > available},
        )
        record_event(actor_user, "commissions.payout_recorded", payout, associate_id=associate.pk,
                     amount=str(amount), method=method, over_balance=amount > available)
    return payout
