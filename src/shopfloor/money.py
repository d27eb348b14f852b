"""Money rules shared by every app: Decimal amounts, rounded half-up to cents in one place."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
# The largest amount a money column holds (12 digits, 2 of them decimals).
MAX_AMOUNT = Decimal("9999999999.99")


def to_cents(amount) -> Decimal:
    """Round an amount half-up to cents: the one place money is rounded."""
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def parse_amount(value) -> Decimal:
    """A Decimal from an API value (string or number); refuses floats' binary noise and non-finite values."""
    if isinstance(value, float):
        value = repr(value)
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValueError("must be a decimal amount such as 12.50")
    if not amount.is_finite():
        raise ValueError("must be a finite amount")
    return amount


def format_amount(amount: Decimal) -> str:
    """The API's money format: a decimal string with two places."""
    return str(to_cents(amount))
