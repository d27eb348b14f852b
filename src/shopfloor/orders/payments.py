"""The payment-provider interface and the built-in test provider.

A provider charges a card once per idempotency key and answers a `ChargeResult`. Real
providers (Stripe, Adyen, a bank's gateway) plug in behind the same `charge` call; the
payment-link service never talks to one directly, it calls `get_provider()`.

The test provider stands where a real one plugs in. It approves and declines by card
number like the providers' well-known test cards, and never sees a real card:

    4242 4242 4242 4242   approved
    4000 0000 0000 0002   declined ("Your card was declined.")
    4000 0000 0000 9995   declined ("Your card has insufficient funds.")
    any other number      refused as input: not a test card
"""

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils.module_loading import import_string

from shopfloor.errors import InvalidInput


@dataclass(frozen=True)
class ChargeResult:
    approved: bool
    # The provider's id of the charge (the same key charged again answers the same reference).
    reference: str
    message: str = ""


class PaymentProvider:
    """What a payment provider adapter implements."""

    name = "provider"

    def charge(self, *, amount: Decimal, currency: str, card_number: str, idempotency_key: str) -> ChargeResult:
        raise NotImplementedError

    def parse_callback(self, body: bytes, headers) -> dict | None:
        """A provider's notification that it charged an order: `{reference, order_id, amount, currency}`,
        or None when the signature (or the body) is not the provider's."""
        raise NotImplementedError


def card_digits(card_number: str) -> str:
    """The digits of a card number as people type it (spaces and dashes allowed)."""
    return "".join(ch for ch in (card_number or "") if ch not in " -")


def luhn_valid(digits: str) -> bool:
    if not digits.isdigit() or not 12 <= len(digits) <= 19:
        return False
    total = 0
    for index, ch in enumerate(reversed(digits)):
        value = int(ch)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


TEST_CARDS = {
    "4242424242424242": (True, ""),
    "4000000000000002": (False, "Your card was declined."),
    "4000000000009995": (False, "Your card has insufficient funds."),
}


class TestProvider(PaymentProvider):
    """Approves or declines by test card number; keeps nothing but what the caller records."""

    name = "test"

    def charge(self, *, amount: Decimal, currency: str, card_number: str, idempotency_key: str) -> ChargeResult:
        digits = card_digits(card_number)
        if not luhn_valid(digits):
            raise InvalidInput.field("card_number", "Enter a valid card number.")
        if digits not in TEST_CARDS:
            raise InvalidInput.field(
                "card_number", "This shop takes test cards only: 4242 4242 4242 4242 pays, 4000 0000 0000 0002 "
                               "is declined.")
        approved, message = TEST_CARDS[digits]
        if approved:
            # Like a real provider: the same idempotency key charged again is the same charge.
            reference = "test_ch_" + hashlib.sha256(idempotency_key.encode()).hexdigest()[:24]
        else:
            reference = "test_decline_" + secrets.token_hex(12)
        return ChargeResult(approved=approved, reference=reference, message=message)


    def callback_signature(self, body: bytes) -> str:
        """HMAC-SHA256 of the body with a key derived from SECRET_KEY: what the test provider signs with."""
        key = hashlib.sha256(f"shopfloor.test-provider:{settings.SECRET_KEY}".encode()).digest()
        return hmac.new(key, body, hashlib.sha256).hexdigest()

    def parse_callback(self, body: bytes, headers) -> dict | None:
        signature = headers.get("X-Test-Provider-Signature", "")
        if not hmac.compare_digest(signature, self.callback_signature(body)):
            return None
        try:
            data = json.loads(body)
            return {"reference": str(data["reference"])[:100], "order_id": int(data["order_id"]),
                    "amount": Decimal(str(data["amount"])), "currency": str(data["currency"])[:3].upper()}
        except (ValueError, KeyError, TypeError, ArithmeticError):
            return None


def get_provider() -> PaymentProvider:
    """The configured provider: settings.SHOPFLOOR["PAYMENT_PROVIDER"] (a dotted class path), else the test one."""
    path = settings.SHOPFLOOR.get("PAYMENT_PROVIDER") or "shopfloor.orders.payments.TestProvider"
    return import_string(path)()
