"""Phone numbers: parsed with phonenumbers and stored in E.164."""

import phonenumbers


def normalize_phone(raw: str, store=None) -> str:
    """E.164 for a phone number; a number without + is read in the store's country."""
    raw = (raw or "").strip()
    if not raw:
        return ""
    region = (getattr(store, "country", "") or "").upper() or None
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        raise ValueError("Not a phone number; use the international format, e.g. +351912345678.")
    if not phonenumbers.is_valid_number(number):
        raise ValueError("Not a valid phone number.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def search_digits(e164: str) -> str:
    """The national significant number, which is what people type into a search box."""
    if not e164:
        return ""
    try:
        return phonenumbers.national_significant_number(phonenumbers.parse(e164, None))
    except phonenumbers.NumberParseException:
        return "".join(ch for ch in e164 if ch.isdigit())
