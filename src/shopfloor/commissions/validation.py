"""Checks shared by the commission writes that take input from admins and the API.

Each turns bad input into `InvalidInput` (422) or `NotAllowed`, never into a crash.
"""

from datetime import datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from shopfloor.access import NotAllowed
from shopfloor.errors import InvalidInput
from shopfloor.money import parse_amount


def require_admin(actor_user) -> None:
    if not (actor_user is not None and getattr(actor_user, "is_staff", False) and actor_user.is_active):
        raise NotAllowed("Only the retailer's admins manage commissions and payouts.")


def is_whole(value) -> bool:
    """A whole number as JSON sends one (a bool is not one, though Python says it is an int)."""
    return isinstance(value, int) and not isinstance(value, bool)


def amount_field(value, name: str) -> Decimal:
    """The amount in the field `name`, or InvalidInput naming the field."""
    try:
        return parse_amount(value)
    except ValueError as exc:
        raise InvalidInput.field(name, str(exc)) from exc


def moment_field(value, name: str, errors: list) -> datetime | None:
    """A time-zone-aware moment from an ISO 8601 string or a datetime; a problem is added to `errors`."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        parsed = parse_datetime(value)
        if parsed is None:
            errors.append((("body", name), "Must be an ISO 8601 date and time."))
            return None
        value = parsed
    if not isinstance(value, datetime) or timezone.is_naive(value):
        errors.append((("body", name), "Must be a date and time with a time zone."))
        return None
    return value
