"""Referral links: `/r/<referral_code>?next=/shop/...` records a click and keeps the referral for the window.

The path of a referral, top to bottom:

    GET /r/<code> (attribution.views.referral) → record_referral_click + the two cookies below
    the storefront's checkout                 → referral_from_request / visitor_id_from_request
                                                into record_order(referral_code=, visitor_id=)
    record_order → attribute → by_referral    → the last click within the window (rule 3)

Two first-party cookies:
- `VISITOR_COOKIE`: a random visitor id, set when missing (kept two years); the same id
  goes into orders and into the clicks, so a click made before signing in still counts.
- `REFERRAL_COOKIE`: the associate's referral code, signed (Django's signing with the
  SECRET_KEY) and valid for the attribution window; a later click replaces it (last click wins).
"""

import re
import secrets

from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from shopfloor.accounts.models import Associate
from shopfloor.attribution.models import ReferralClick
from shopfloor.attribution.services import attribution_settings

VISITOR_COOKIE = "shopfloor_visitor"
VISITOR_COOKIE_AGE = 2 * 365 * 24 * 3600
REFERRAL_COOKIE = "shopfloor_referral"
REFERRAL_SALT = "shopfloor.referral"
# Where a referral link leads when `next` is missing or not a path of this site.
DEFAULT_NEXT = "/shop/"
VISITOR_ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
MAX_NEXT_LENGTH = 500


def associate_for_referral_code(code: str) -> Associate | None:
    """The active associate whose referral link this is, or None."""
    if not code or len(code) > 40:
        return None
    return Associate.objects.select_related("store").filter(referral_code=code, active=True).first()


def record_referral_click(associate: Associate, visitor_id: str, customer=None, next_path: str = "",
                          clicked_at=None) -> ReferralClick:
    """One visit through an associate's referral link: the evidence rule 3 looks for."""
    return ReferralClick.objects.create(
        associate=associate, visitor_id=visitor_id[:64], customer=customer, next_path=next_path[:MAX_NEXT_LENGTH],
        clicked_at=clicked_at or timezone.now(),
    )


def safe_next_path(request, candidate: str | None) -> str:
    """`candidate` when it is a path on this site, else DEFAULT_NEXT (no open redirect).

    Refused: absolute and protocol-relative URLs (`https://evil`, `//evil`), backslashes
    (browsers read `/\\evil` as `//evil`), schemes (`javascript:`), control characters and
    anything that does not start with a single `/`.
    """
    if not candidate or len(candidate) > MAX_NEXT_LENGTH:
        return DEFAULT_NEXT
    if not candidate.startswith("/") or candidate.startswith("//") or "\\" in candidate:
        return DEFAULT_NEXT
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in candidate):
        return DEFAULT_NEXT
    if not url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return DEFAULT_NEXT
    return candidate


def new_visitor_id() -> str:
    return secrets.token_urlsafe(16)


def visitor_id_from_request(request) -> str:
    """The visitor id of the first-party cookie, or "" when missing or malformed."""
    value = request.COOKIES.get(VISITOR_COOKIE, "")
    return value if VISITOR_ID_PATTERN.match(value) else ""


def referral_window_seconds() -> int:
    return attribution_settings().attribution_window_days * 24 * 3600


def referral_from_request(request) -> str:
    """The referral code the visitor arrived with within the attribution window, or ""."""
    return request.get_signed_cookie(
        REFERRAL_COOKIE, default="", salt=REFERRAL_SALT, max_age=referral_window_seconds()
    )


def set_referral_cookies(request, response, associate: Associate, visitor_id: str) -> None:
    secure = request.is_secure()
    if request.COOKIES.get(VISITOR_COOKIE) != visitor_id:
        response.set_cookie(VISITOR_COOKIE, visitor_id, max_age=VISITOR_COOKIE_AGE, httponly=True,
                            samesite="Lax", secure=secure)
    response.set_signed_cookie(
        REFERRAL_COOKIE, associate.referral_code, salt=REFERRAL_SALT, max_age=referral_window_seconds(),
        httponly=True, samesite="Lax", secure=secure,
    )
