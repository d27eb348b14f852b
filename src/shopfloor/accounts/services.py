"""Writes on users, stores, associates, API tokens; the audit log."""

import hashlib
import secrets
import zoneinfo

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from shopfloor import references
from shopfloor.accounts.models import ApiToken, Associate, AuditEvent, RepCode, Store, User
from shopfloor.errors import Conflict, InvalidInput
from shopfloor.phones import normalize_phone

TOKEN_PREFIX = "sf_"


def record_event(actor_user, verb: str, target, **data) -> AuditEvent:
    """Write an audit event; services call this inside their transaction."""
    event = audit_event(actor_user, verb, target, **data)
    event.save(force_insert=True)
    return event


def audit_event(actor_user, verb: str, target, **data) -> AuditEvent:
    """The audit event `record_event` writes, unsaved: a service writing several writes them in one INSERT."""
    return AuditEvent(
        actor=actor_user if getattr(actor_user, "pk", None) else None,
        verb=verb,
        target_type=target._meta.label_lower if hasattr(target, "_meta") else str(type(target).__name__),
        target_id=str(getattr(target, "pk", target)),
        data=data,
    )


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_api_token(user: User, name: str = "") -> tuple[ApiToken, str]:
    """A new bearer token for `user`; the plain token is returned once and never stored."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        api_token = ApiToken.objects.create(
            user=user, name=name, prefix=token[:10], token_hash=hash_token(token)
        )
        record_event(user, "api_token.created", api_token, name=name)
    return api_token, token


def user_for_token(token: str) -> User | None:
    """The active user a bearer token belongs to, read with their associate and its store, or None."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    # The lookup is by a hash of the token, so timing reveals nothing about stored tokens.
    api_token = (ApiToken.objects.select_related("user__associate__store")
                 .filter(token_hash=hash_token(token), revoked_at__isnull=True).first())
    if api_token is None or not api_token.user.is_active:
        return None
    now = timezone.now()
    if api_token.last_used_at is None or (now - api_token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
    return api_token.user


def create_admin(email: str, password: str) -> User:
    email = email.strip().lower()
    with transaction.atomic():
        user, created = User.objects.get_or_create(
            email=email, defaults={"is_staff": True, "is_superuser": True}
        )
        user.is_staff = True
        user.is_superuser = True
        user.set_password(password)
        user.save()
        record_event(user, "admin.created" if created else "admin.password_set", user)
    return user


# Stores -------------------------------------------------------------------

STORE_FIELDS = ("code", "name", "selling_mode", "currency", "timezone", "approve_new_customers", "country")


def is_time_zone(name: str) -> bool:
    """An IANA time zone name this machine knows (e.g. Europe/Lisbon)."""
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def save_store(actor_user, data: dict, store: Store | None = None) -> Store:
    """Create or update a store; its time zone must be an IANA name, codes are upper-cased."""
    if data.get("timezone") is not None and not is_time_zone(data["timezone"]):
        raise InvalidInput.field("timezone", "Unknown time zone; use an IANA name such as Europe/Lisbon.")
    store = store or Store()
    for field in STORE_FIELDS:
        if field in data and data[field] is not None:
            setattr(store, field, data[field])
    store.currency = store.currency.upper()
    store.country = store.country.upper()
    try:
        with transaction.atomic():
            store.save()
            record_event(actor_user, "store.saved", store, **{k: str(v) for k, v in data.items()})
    except IntegrityError:
        raise InvalidInput.field("code", "A store with this code already exists.")
    return store


# Associates ---------------------------------------------------------------


def _check_parent(associate: Associate, parent: Associate | None) -> None:
    """Refuse a parent that would make the upline chain loop."""
    seen = set()
    node = parent
    while node is not None:
        if associate.pk is not None and node.pk == associate.pk:
            raise InvalidInput.field("parent_id", "This parent would make the upline chain loop.")
        if node.pk in seen:
            break
        seen.add(node.pk)
        node = node.parent


def clean_email(value: str | None) -> str:
    """An email address as stored: trimmed and lower-cased; ValueError when it is not one."""
    email = (value or "").strip().lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ValueError("Enter a valid email address.")
        if len(email) > 254:
            raise ValueError("At most 254 characters.")
    return email


def save_associate(actor_user, data: dict, associate: Associate | None = None) -> Associate:
    """Create or update an associate, their login and their rep codes, all or nothing."""
    creating = associate is None
    associate = associate or Associate()
    errors = []
    if data.get("email") is not None:
        try:
            data = {**data, "email": clean_email(data["email"])}
        except ValueError as exc:
            errors.append((("body", "email"), str(exc)))
    if data.get("rep_codes") is not None:
        codes = [code.strip() for code in data["rep_codes"]]
        if not all(0 < len(code) <= 64 for code in codes):
            errors.append((("body", "rep_codes"), "Each rep code has 1 to 64 characters."))
        data = {**data, "rep_codes": codes}
    if "store_id" in data and data["store_id"] is not None:
        store = references.one(Store.objects.all(), data["store_id"], "store_id", errors=errors)
        if store is not None:
            associate.store = store
    elif creating:
        errors.append((("body", "store_id"), "Field required."))
    parent = references.one(Associate.objects.all(), data.get("parent_id"), "parent_id", errors=errors)
    if "phone" in data and data["phone"]:
        try:
            data = {**data, "phone": normalize_phone(data["phone"], getattr(associate, "store", None))}
        except ValueError as exc:
            errors.append((("body", "phone"), str(exc)))
    if errors:
        raise InvalidInput(errors)
    if "parent_id" in data:
        _check_parent(associate, parent)
        associate.parent = parent
    for field in ("name", "email", "phone", "role", "active", "referral_code"):
        if field in data and data[field] is not None:
            setattr(associate, field, data[field])
    try:
        with transaction.atomic():
            associate.save()
            if data.get("password"):
                _set_login(associate, data["password"])
            elif associate.user_id and associate.email and associate.user.email != associate.email:
                # The login follows the associate's email address.
                User.objects.filter(pk=associate.user_id).update(email=associate.email)
            if data.get("rep_codes") is not None:
                set_rep_codes(associate, data["rep_codes"])
            record_event(actor_user, "associate.created" if creating else "associate.updated", associate)
    except IntegrityError as exc:
        message = str(exc).lower()
        if "referral" in message:
            raise InvalidInput.field("referral_code", "This referral code is taken.")
        if "code" in message:
            raise InvalidInput.field("rep_codes", "A rep code is already used by another associate.")
        if "email" in message:
            raise InvalidInput.field("email", "Another login uses this email.")
        raise Conflict("The associate clashes with an existing record.")
    return associate


def _set_login(associate: Associate, password: str) -> None:
    if not associate.email:
        raise InvalidInput.field("email", "An associate needs an email address to log in.")
    user = associate.user
    if user is None:
        if User.objects.filter(email=associate.email).exists():
            raise InvalidInput.field("email", "Another login uses this email.")
        user = User.objects.create_user(email=associate.email, password=password, name=associate.name)
        associate.user = user
        associate.save(update_fields=["user"])
    else:
        user.set_password(password)
        user.email = associate.email
        user.name = associate.name
        user.save()


def set_rep_codes(associate: Associate, codes: list[str]) -> None:
    """Replace the associate's rep codes; a code another associate holds is refused."""
    wanted = {code.strip() for code in codes if code and code.strip()}
    taken = sorted(
        RepCode.objects.filter(code__in=wanted).exclude(associate=associate).values_list("code", flat=True)
    )
    if taken:
        raise InvalidInput.field("rep_codes", f"Already used by another associate: {', '.join(taken)}.")
    RepCode.objects.filter(associate=associate).exclude(code__in=wanted).delete()
    existing = set(RepCode.objects.filter(associate=associate).values_list("code", flat=True))
    RepCode.objects.bulk_create(
        [RepCode(associate=associate, code=code) for code in sorted(wanted - existing)]
    )
