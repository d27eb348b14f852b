"""What every app's API module shares: authentication, the actor, pagination, errors, idempotency."""

import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import Annotated

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from ninja import Field, Query, Schema
from ninja.errors import ValidationError
from ninja.parser import Parser
from ninja.security import HttpBearer, SessionAuth
from pydantic import AfterValidator, AwareDatetime

from shopfloor.access import Actor, require_admin, require_staff
from shopfloor.accounts.models import IdempotencyRecord
from shopfloor.accounts.services import hash_token, user_for_token

# The largest id a database column holds (BigAutoField); larger numbers are refused as input
# instead of overflowing the database driver.
MAX_ID = 2**63 - 1
# Pages deeper than this are no person's and no sync's; a huge offset would overflow the driver.
MAX_OFFSET = 10_000_000

# An id inside a body (list items included).
ObjectId = Annotated[int, Field(ge=1, le=MAX_ID)]

# Shared query parameters of every list.
LIMIT = Query(50, ge=1, le=200, description="Page size.")
OFFSET = Query(0, ge=0, le=MAX_OFFSET, description="How many items to skip.")


def optional_id_query(description: str = ""):
    """An optional `?thing_id=` filter, bounded like any id."""
    return Query(None, ge=1, le=MAX_ID, description=description)


def _storable_datetime(value: datetime) -> datetime:
    """Aware and representable in UTC, which is how every database column stores it."""
    try:
        return value.astimezone(UTC)
    except (OverflowError, ValueError):
        raise ValueError("Out of range.")


# Times are ISO 8601 with a zone (API.md); a time without one is refused rather than guessed.
ApiDateTime = Annotated[AwareDatetime, AfterValidator(_storable_datetime)]


class BearerAuth(HttpBearer):
    def authenticate(self, request, token):
        return user_for_token(token)


class ConsoleSessionAuth(SessionAuth):
    """The console's session cookie; unsafe methods need the CSRF token."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None


AUTH = [BearerAuth(), ConsoleSessionAuth(csrf=True)]


def actor(request: HttpRequest) -> Actor:
    """The Actor for this API request, built once."""
    cached = getattr(request, "shopfloor_actor", None)
    if cached is None:
        cached = request.shopfloor_actor = Actor(request.auth)
    return cached


def staff_actor(request: HttpRequest) -> Actor:
    """The Actor, who must be an admin, a manager or an associate (403 otherwise)."""
    who = actor(request)
    require_staff(who)
    return who


def admin_actor(request: HttpRequest) -> Actor:
    """The Actor, who must be one of the retailer's admins (403 otherwise)."""
    who = actor(request)
    require_admin(who)
    return who


class Page(Schema):
    count: int


class ErrorOut(Schema):
    detail: str | list


def paginate(queryset, limit: int | None, offset: int, serialize) -> dict:
    """One page of `queryset` as `{"items": [...], "count": N}`, N counting every item."""
    page_size = settings.SHOPFLOOR["API_PAGE_SIZE"] if limit is None else limit
    items = list(queryset[offset : offset + page_size])
    if items and len(items) < page_size:
        # A short page is the last one: the items before it and its own are all there are.
        count = offset + len(items)
    else:
        count = queryset.count()
    return {"items": [serialize(item) for item in items], "count": count}


def detail_error(loc: list, message: str, status: int = 422) -> JsonResponse:
    return JsonResponse({"detail": [{"loc": loc, "msg": message, "type": "value_error"}]}, status=status)


# Input parsing ----------------------------------------------------------------------------


class RefusedBody(ValueError):
    """A body that is not JSON, or holds what no field may (NUL characters, NaN)."""

    def __init__(self, loc: list, message: str):
        self.loc = loc
        super().__init__(message)


def _refuse_constant(name):
    raise RefusedBody(["body"], f"{name} is not a JSON number.")


def _nul_location(value, loc: list) -> list | None:
    """Where a NUL character hides in parsed JSON (no database stores one in text), else None."""
    stack = [(value, loc)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return where
        elif isinstance(item, dict):
            for key, child in item.items():
                if "\x00" in key:
                    return where
                stack.append((child, [*where, key]))
        elif isinstance(item, list):
            stack.extend((child, [*where, index]) for index, child in enumerate(item))
    return None


class ApiParser(Parser):
    """Strict JSON bodies and query strings: refused input is a 422 naming where, never a 5xx later."""

    def parse_body(self, request: HttpRequest):
        try:
            data = json.loads(request.body, parse_constant=_refuse_constant)
        except RefusedBody:
            raise
        except (ValueError, RecursionError) as exc:
            raise RefusedBody(["body"], "The body is not valid JSON.") from exc
        where = _nul_location(data, ["body"])
        if where is not None:
            raise RefusedBody(where, "Text may not contain NUL characters.")
        return data

    def parse_querydict(self, data, list_fields, request: HttpRequest):
        for key, values in data.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                message = "Text may not contain NUL characters."
                raise ValidationError([{"type": "value_error", "loc": ["query", key], "msg": message}])
        return super().parse_querydict(data, list_fields, request)


# Idempotency-Key ----------------------------------------------------------------------


def _caller_scope(request: HttpRequest) -> str | None:
    authorization = request.headers.get("Authorization", "")
    if authorization.lower().startswith("bearer "):
        return "token:" + hash_token(authorization[7:].strip())
    if request.user.is_authenticated:
        return f"user:{request.user.pk}"
    return None


class IdempotencyMiddleware:
    """POST /api/ with an Idempotency-Key: the same key and body within 24 h answers the first response.

    It runs inside the request's transaction (TransactionPerRequestMiddleware), so the key's record
    commits with what the request wrote, or not at all. The key is claimed first, by inserting its row
    under a unique constraint: a second request with the same key waits for the first to commit
    (PostgreSQL holds it on the unique index; SQLite serialises writing transactions anyway) and then
    answers the first response. Only successes are kept: a request answered with an error writes
    nothing, its key included, so a corrected retry may use the same key (as Stripe does).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.headers.get("Idempotency-Key")
        if request.method != "POST" or not key or not request.path.startswith("/api/"):
            return self.get_response(request)
        if len(key) > 255 or not key.isascii() or not key.isprintable():
            return detail_error(["header", "Idempotency-Key"], "At most 255 printable ASCII characters.")
        scope = _caller_scope(request)
        if scope is None:
            return self.get_response(request)
        scope = hashlib.sha256(scope.encode()).hexdigest()
        request_hash = hashlib.sha256(request.get_full_path().encode() + b"\n" + request.body).hexdigest()
        ttl = timedelta(hours=settings.SHOPFLOOR["IDEMPOTENCY_TTL_HOURS"])
        IdempotencyRecord.objects.filter(scope=scope, key=key, created_at__lt=timezone.now() - ttl).delete()
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(scope=scope, key=key, request_hash=request_hash)
        except IntegrityError:
            return self.replay(IdempotencyRecord.objects.get(scope=scope, key=key), request_hash)
        response = self.get_response(request)
        if 200 <= response.status_code < 300 and not getattr(response, "streaming", False):
            IdempotencyRecord.objects.filter(pk=record.pk).update(
                status_code=response.status_code, response_body=response.content,
                content_type=response.get("Content-Type", "application/json"),
            )
        else:
            record.delete()
        return response

    def replay(self, previous: IdempotencyRecord, request_hash: str) -> HttpResponse:
        if previous.request_hash != request_hash:
            return detail_error(["header", "Idempotency-Key"], "This key was used with a different request body.")
        status = 200 if previous.status_code == 201 else previous.status_code
        replay = HttpResponse(bytes(previous.response_body or b""), status=status,
                              content_type=previous.content_type or "application/json")
        replay["Idempotent-Replayed"] = "true"
        return replay
