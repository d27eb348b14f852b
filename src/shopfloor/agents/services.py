"""Agent onboarding: the public registration form, recruit links, approval into an agent with a login.

The models (AgentRegistration, AgentSignupSettings, RecruitLink, AgentGroup) are accounts'.

An approved agent gets a login without a password and an email with a set-password link made with
Django's password-reset token (single use: it dies once the password is set, or when it expires
after PASSWORD_RESET_TIMEOUT).

The public pages (/agents/register/ and /join/<code>/) answer anyone, so each client address gets a
budget of requests, counted in Django's cache (see registration_rate_limit):

AGENT_REGISTRATION_RATE_LIMIT   "<requests>/<second|minute|hour|day>", or "off" (default "20/hour"), from
                                Django settings or the environment. The count lives in the default cache:
                                with several server processes, configure a shared cache (Redis, database),
                                or each process counts on its own. The client address is the peer's, or
                                X-Forwarded-For's behind a proxy listed in LIVE_TRUSTED_PROXIES.
"""

import math
import os
import re

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from shopfloor import outbox
from shopfloor.access import Actor, NotAllowed, NotVisible
from shopfloor.accounts.models import (
    AgentRegistration,
    AgentSignupSettings,
    Associate,
    RecruitLink,
    RegistrationStatus,
    User,
)
from shopfloor.accounts.services import record_event
from shopfloor.comms.services import notify
from shopfloor.errors import Conflict, InvalidInput
from shopfloor.links import absolute_url
from shopfloor.phones import normalize_phone

DEFAULT_RATE_LIMIT = "20/hour"
_PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
_RATE = re.compile(r"(\d+)/(second|minute|hour|day)")


def registration_rate_limit() -> tuple[int, int] | None:
    """(requests, seconds) each client address may make to the public registration pages; None when off."""
    value = getattr(settings, "AGENT_REGISTRATION_RATE_LIMIT", None) or os.environ.get(
        "AGENT_REGISTRATION_RATE_LIMIT", DEFAULT_RATE_LIMIT
    )
    value = str(value).strip().lower().replace(" ", "")
    if value == "off":
        return None
    match = _RATE.fullmatch(value)
    if match is None or int(match.group(1)) < 1:
        raise ImproperlyConfigured(
            f"AGENT_REGISTRATION_RATE_LIMIT is {value!r}; write it as 20/hour (second, minute, hour or day) or off."
        )
    return int(match.group(1)), _PERIODS[match.group(2)]


def take_registration_attempt(address: str) -> int | None:
    """Count one request from `address` to the public registration pages. None while within the budget;
    else the seconds until its window ends (a window starts at the address's first request)."""
    limit = registration_rate_limit()
    if limit is None:
        return None
    allowed, seconds = limit
    count_key = f"shopfloor:agent-registration:{address or 'unknown'}"
    until_key = f"{count_key}:until"
    now = timezone.now().timestamp()
    # add() writes only a new key, so concurrent first requests share one window; incr() is atomic.
    cache.add(until_key, now + seconds, timeout=seconds)
    cache.add(count_key, 0, timeout=seconds)
    try:
        count = cache.incr(count_key)
    except ValueError:  # the window ended between add() and incr()
        cache.set(count_key, 1, timeout=seconds)
        count = 1
    if count <= allowed:
        return None
    return max(1, math.ceil((cache.get(until_key) or now + seconds) - now))


def registration_open() -> bool:
    signup = AgentSignupSettings.current()
    return signup.enabled and signup.store_id is not None


def recruiter_for(code: str) -> Associate:
    """The active agent behind a recruit link; NotVisible (404) for an unknown code or when registration is closed."""
    link = RecruitLink.objects.select_related("associate__store").filter(code=code or "").first()
    if link is None or not link.associate.active or not registration_open():
        raise NotVisible
    return link.associate


def recruit_link_for(associate: Associate) -> RecruitLink:
    link, _ = RecruitLink.objects.get_or_create(associate=associate)
    return link


def register_agent(data: dict, recruit_code: str | None = None) -> AgentRegistration:
    """Someone asks to sell as an agent; it waits for an admin. Through a recruit link they will be the
    recruiter's subagent, in the recruiter's store."""
    recruiter = recruiter_for(recruit_code) if recruit_code is not None else None
    if recruiter is None and not registration_open():
        raise NotVisible
    name = (data.get("name") or "").strip()
    email = (data.get("email") or "").strip().lower()
    errors = []
    if not name:
        errors.append((("body", "name"), "Tell us your name."))
    elif len(name) > 200:
        errors.append((("body", "name"), "At most 200 characters."))
    try:
        validate_email(email)
    except ValidationError:
        errors.append((("body", "email"), "Enter a valid email address."))
    phone = (data.get("phone") or "").strip()
    store = recruiter.store if recruiter else AgentSignupSettings.current().store
    if phone:
        try:
            phone = normalize_phone(phone, store)
        except ValueError:
            errors.append((("body", "phone"), "Enter a valid phone number, e.g. +351912345678."))
    about = (data.get("about") or "").strip()[:2000]
    if errors:
        raise InvalidInput(errors)
    if User.objects.filter(email__iexact=email).exists():
        raise InvalidInput.field("email", "An account with this email already exists; sign in instead.")
    try:
        with transaction.atomic():
            registration = AgentRegistration.objects.create(
                name=name, email=email, phone=phone, about=about, recruiter=recruiter, store=store
            )
            record_event(None, "agent.registered", registration, recruiter_id=recruiter.pk if recruiter else None)
            _tell_admins(registration)
    except IntegrityError:
        raise InvalidInput.field("email", "A registration with this email is already waiting for approval.")
    return registration


def _tell_admins(registration: AgentRegistration) -> None:
    url = reverse("agents:index")
    via = f" (recruited by {registration.recruiter.name})" if registration.recruiter else ""
    for admin in User.objects.filter(is_staff=True, is_active=True).order_by("pk"):
        notify(admin, "agent", f"Agent registration: {registration.name}", f"{registration.email}{via}", url)


def set_password_path(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse("agents:set_password", args=[uid, default_token_generator.make_token(user)])


def approve_registration(actor: Actor, registration: AgentRegistration) -> Associate:
    """Admins: the registration becomes an agent (the recruiter's subagent, when recruited) with a login;
    they get an email to set their password."""
    if not actor.is_admin:
        raise NotAllowed("Only the retailer's admins approve agents.")
    with transaction.atomic():
        registration = AgentRegistration.objects.select_for_update().get(pk=registration.pk)
        if registration.status != RegistrationStatus.PENDING:
            raise Conflict(f"This registration is already {registration.get_status_display().lower()}.")
        if User.objects.filter(email__iexact=registration.email).exists():
            raise Conflict("A login with this email exists already.")
        user = User.objects.create_user(email=registration.email, password=None, name=registration.name)
        recruiter = registration.recruiter if registration.recruiter and registration.recruiter.active else None
        associate = Associate.objects.create(
            user=user, store=registration.store, name=registration.name, email=registration.email,
            phone=registration.phone, parent=recruiter,
        )
        group = AgentSignupSettings.current().group
        if group is not None:
            group.associates.add(associate)
        registration.status = RegistrationStatus.APPROVED
        registration.decided_at = timezone.now()
        registration.decided_by = actor.user
        registration.associate = associate
        registration.save(update_fields=["status", "decided_at", "decided_by", "associate"])
        record_event(actor.user, "agent.approved", registration, associate_id=associate.pk,
                     parent_id=recruiter.pk if recruiter else None)
        link = absolute_url(set_password_path(user))
        _welcome(user.email, registration.name, link)
        if recruiter is not None and recruiter.user_id:
            notify(recruiter.user, "agent", f"{associate.name} joined as your subagent",
                   "Their sales now show on your agents page.", reverse("agents:index"))
    return associate


def reject_registration(actor: Actor, registration: AgentRegistration) -> AgentRegistration:
    if not actor.is_admin:
        raise NotAllowed("Only the retailer's admins reject agents.")
    with transaction.atomic():
        registration = AgentRegistration.objects.select_for_update().get(pk=registration.pk)
        if registration.status != RegistrationStatus.PENDING:
            raise Conflict(f"This registration is already {registration.get_status_display().lower()}.")
        registration.status = RegistrationStatus.REJECTED
        registration.decided_at = timezone.now()
        registration.decided_by = actor.user
        registration.save(update_fields=["status", "decided_at", "decided_by"])
        record_event(actor.user, "agent.rejected", registration)
    return registration


def _welcome(address: str, name: str, link: str) -> None:
    outbox.send_email(
        address, "Welcome to Shopfloor: set your password",
        f"Hello {name},\n\nYour agent registration was approved. Choose your password here:\n\n{link}\n\n"
        "The link works once. Then sign in with this email address.",
    )
