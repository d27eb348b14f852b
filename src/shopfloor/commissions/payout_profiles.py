"""Writes and reads on where an associate is paid: their payout profile.

Only the associate and the retailer's admins read or change it (`access.get_payee_for`);
the service checks the same rule, so no caller can skip it.
"""

import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from shopfloor.access import NotAllowed
from shopfloor.accounts.models import Associate
from shopfloor.accounts.services import record_event
from shopfloor.commissions.models import PayoutMethod, PayoutProfile
from shopfloor.errors import InvalidInput

PROFILE_FIELDS = ("method", "paypal_email", "account_holder", "iban", "bic", "instructions")
# What each method needs before an admin can pay by it.
REQUIRED_FOR = {
    PayoutMethod.PAYPAL: ("paypal_email",),
    PayoutMethod.BANK: ("account_holder", "iban"),
    PayoutMethod.CUSTOM: ("instructions",),
}
IBAN_SHAPE = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$")
BIC_SHAPE = re.compile(r"^[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?$")
MAX_INSTRUCTIONS = 2000


def get_payout_profile(associate: Associate) -> PayoutProfile:
    """The associate's profile, or an empty unsaved one when they have not set it (reading writes nothing)."""
    return PayoutProfile.objects.filter(associate=associate).first() or PayoutProfile(associate=associate)


def _iban_checksum_holds(iban: str) -> bool:
    """ISO 13616: move the first four characters to the end, letters to numbers; mod 97 is 1."""
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(char, 36)) for char in rearranged)) % 97 == 1


def _clean(data: dict) -> dict:
    errors = []

    def fail(name, message):
        errors.append((("body", name), message))

    clean = {name: (data.get(name) or "").strip() for name in PROFILE_FIELDS}
    method = clean["method"]
    if method and method not in PayoutMethod.values:
        fail("method", f"Must be one of {', '.join(PayoutMethod.values)}, or empty.")
    if clean["paypal_email"]:
        try:
            validate_email(clean["paypal_email"])
        except ValidationError:
            fail("paypal_email", "Enter a valid email address.")
    clean["iban"] = clean["iban"].replace(" ", "").upper()
    if clean["iban"] and not (IBAN_SHAPE.match(clean["iban"]) and _iban_checksum_holds(clean["iban"])):
        fail("iban", "Not a valid IBAN.")
    clean["bic"] = clean["bic"].replace(" ", "").upper()
    if clean["bic"] and not BIC_SHAPE.match(clean["bic"]):
        fail("bic", "Not a valid BIC (8 or 11 letters and digits).")
    if len(clean["account_holder"]) > 200:
        fail("account_holder", "At most 200 characters.")
    if len(clean["instructions"]) > MAX_INSTRUCTIONS:
        fail("instructions", f"At most {MAX_INSTRUCTIONS} characters.")
    for name in REQUIRED_FOR.get(method, ()):
        if not clean[name]:
            fail(name, f"Required to be paid by {method}.")
    if errors:
        raise InvalidInput(errors)
    return clean


def save_payout_profile(actor_user, associate: Associate, data: dict) -> PayoutProfile:
    """Replace the associate's payout details (a field left out is cleared); the associate or an admin."""
    is_admin = bool(actor_user is not None and actor_user.is_active and actor_user.is_staff)
    if not is_admin and (actor_user is None or associate.user_id != actor_user.pk):
        raise NotAllowed("Only the associate and the retailer's admins change payout details.")
    clean = _clean(data)
    with transaction.atomic():
        profile, created = PayoutProfile.objects.update_or_create(
            associate=associate, defaults={**clean, "updated_by": actor_user}
        )
        # The details themselves stay out of the audit log: it is read more widely than they are.
        record_event(actor_user, "commissions.payout_profile_saved", profile, associate_id=associate.pk,
                     method=clean["method"], created=created)
    return profile
