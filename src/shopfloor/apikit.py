"""What every app's API module shares: authentication, the actor, pagination, errors, idempotency."""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from ninja import Schema
from ninja.security import HttpBearer, SessionAuth

from shopfloor.access import Actor, NotAllowed, require_staff
from shopfloor.accounts.models import IdempotencyRecord
from shopfloor.accounts.services import hash_token, user_for_token

MAX_ID = 2**63 - 1


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
    cached = getattr(request, "_shopfloor_actor", None)
    if cached is None:
        cached = Actor(request.auth)
        request._shopfloor_actor = cached
    return cached


def staff_actor(request: HttpRequest) -> Actor:
    """The Actor, who must be an admin, a manager or an associate (403 otherwise)."""
    who = actor(request)
    require_staff(who)
    return who


def admin_actor(request: HttpRequest) -> Actor:
    who = actor(request)
    if not who.is_admin:
        raise NotAllowed("Only the retailer's admins may do this.")
    return who


class Page(Schema):
    count: int


class ErrorOut(Schema):
    detail: str | list


def paginate(queryset, limit: int | None, offset: int, serialize) -> dict:
    page_size = settings.SHOPFLOOR["API_PAGE_SIZE"] if limit is None else limit
    items = list(queryset[offset : offset + page_size])
    return {"items": [serialize(item) for item in items], "count": queryset.count()}


def detail_error(loc: list, message: str, status: int = 422) -> JsonResponse:
    return JsonResponse({"detail": [{"loc": loc, "msg": message, "type": "value_error"}]}, status=status)


# Idempotency-Key ----------------------------------------------------------------------

# Answers worth replaying: success and invalid input. Others (401, 403, 409, 5xx) may
# change on a retry, so their key is released.
REPLAYABLE = {200, 201, 202, 204, 400, 404, 422}


def _caller_scope(request: HttpRequest) -> str | None:
    authorization = request.headers.get("Authorization", "")
    if authorization.lower().startswith("bearer "):
        return "token:" + hash_token(authorization[7:].strip())
    if request.user.is_authenticated:
        return f"user:{request.user.pk}"
    return None


class IdempotencyMiddleware:
    """POST /api/ with an Idempotency-Key: the same key and body within 24 h answers the first response.

    The key is claimed by inserting a row under a unique constraint, so two
    concurrent requests with one key cannot both run: the second is told 409.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.headers.get("Idempotency-Key")
        if request.method != "POST" or not key or not request.path.startswith("/api/"):
            return self.get_response(request)
        if len(key) > 255:
            return detail_error(["header", "Idempotency-Key"], "At most 255 characters.")
        scope = _caller_scope(request)
        if scope is None:
            return self.get_response(request)
        scope = hashlib.sha256(scope.encode()).hexdigest()
        request_hash = hashlib.sha256(request.path.encode() + b"\n" + request.body).hexdigest()
        ttl = timedelta(hours=settings.SHOPFLOOR["IDEMPOTENCY_TTL_HOURS"])
        IdempotencyRecord.objects.filter(scope=scope, key=key, created_at__lt=timezone.now() - ttl).delete()
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(scope=scope, key=key, request_hash=request_hash)
        except IntegrityError:
            previous = IdempotencyRecord.objects.filter(scope=scope, key=key).first()
            if previous is None:
                return JsonResponse({"detail": "Please retry this request."}, status=409)
            if previous.request_hash != request_hash:
                return detail_error(
                    ["header", "Idempotency-Key"], "This key was used with a different request body."
                )
            if previous.status_code is None:
                return JsonResponse({"detail": "A request with this Idempotency-Key is in progress."}, status=409)
            status = 200 if previous.status_code == 201 else previous.status_code
            replay = HttpResponse(bytes(previous.response_body or b""), status=status,
                                  content_type=previous.content_type or "application/json")
            replay["Idempotent-Replayed"] = "true"
            return replay
        try:
            response = self.get_response(request)
        except BaseException:
            record.delete()
            raise
        if response.status_code in REPLAYABLE and not getattr(response, "streaming", False):
            IdempotencyRecord.objects.filter(pk=record.pk).update(
                status_code=response.status_code, response_body=response.content,
                content_type=response.get("Content-Type", "application/json"),
            )
        else:
            record.delete()
        return response


