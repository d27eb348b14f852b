"""Writes on what attribution reads: the interactions rule 4 looks for, and the attribution windows."""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from shopfloor import references
from shopfloor.access import Actor, NotAllowed, require_admin, visible_associates, visible_customers
from shopfloor.accounts.models import Associate
from shopfloor.accounts.services import record_event
from shopfloor.attribution.models import AttributionSettings, Interaction, InteractionKind
from shopfloor.customers.models import Customer
from shopfloor.errors import InvalidInput


def attribution_settings() -> AttributionSettings:
    """The windows row, or the defaults when nobody has saved settings yet (reading writes nothing)."""
    return AttributionSettings.objects.filter(pk=1).first() or AttributionSettings(pk=1)


# How far ahead of the server's clock an interaction may be dated (clock skew of the caller).
INTERACTION_CLOCK_SKEW = timedelta(minutes=5)
MAX_WINDOW_DAYS = 365


def record_interaction(associate: Associate, kind: str, customer: Customer | None = None, visitor_id: str = "",
                       occurred_at=None, source_ref: str = "") -> Interaction:
    """Note that an associate chatted, called, notified a list or had a lookbook opened (rule 4's evidence).

    The one entry point for every capability that talks to customers. With a `source_ref`
    (e.g. "chat:42") it is idempotent per associate: the same ref again returns the first
    interaction unchanged. The returned interaction's `created` says whether it is new.
    Visibility is the caller's business (`record_interaction_for` checks it for a person's request).
    """
    errors = []
    if kind not in InteractionKind.values:
        errors.append((("body", "kind"), f"Must be one of {', '.join(InteractionKind.values)}."))
    visitor_id = (visitor_id or "").strip()
    if customer is None and not visitor_id:
        errors.append((("body", "customer_id"), "An interaction needs a customer_id or a visitor_id."))
    if len(visitor_id) > 64:
        errors.append((("body", "visitor_id"), "At most 64 characters."))
    source_ref = (source_ref or "").strip()
    if len(source_ref) > 200:
        errors.append((("body", "source_ref"), "At most 200 characters."))
    now = timezone.now()
    occurred_at = occurred_at or now
    if occurred_at > now + INTERACTION_CLOCK_SKEW:
        errors.append((("body", "occurred_at"), "May not be in the future."))
    if errors:
        raise InvalidInput(errors)
    if source_ref:
        existing = Interaction.objects.filter(associate=associate, source_ref=source_ref).first()
        if existing is not None:
            existing.created = False
            return existing
    try:
        with transaction.atomic():
            interaction = Interaction.objects.create(
                associate=associate, kind=kind, customer=customer, visitor_id=visitor_id,
                occurred_at=occurred_at, source_ref=source_ref,
            )
    except IntegrityError:
        # The same source ref recorded a moment earlier by a concurrent call.
        existing = Interaction.objects.filter(associate=associate, source_ref=source_ref).first()
        if existing is None:
            raise
        existing.created = False
        return existing
    interaction.created = True
    return interaction


def record_interaction_for(actor: Actor, data: dict) -> Interaction:
    """A staff member records an interaction (POST /interactions): their own, or, for managers and admins,
    that of an active associate they see, with a customer they see (else the id is unknown, 422)."""
    errors = []
    customer = references.one(visible_customers(actor), data.get("customer_id"), "customer_id", errors=errors)
    associate = actor.associate
    if data.get("associate_id") is not None:
        associate = references.one(visible_associates(actor).filter(active=True), data["associate_id"],
                                   "associate_id", errors=errors)
    elif associate is None:
        errors.append((("body", "associate_id"), "Field required: whose interaction is it?"))
    if errors:
        raise InvalidInput(errors)
    if not actor.is_admin and not actor.is_manager and associate.pk != actor.associate.pk:
        raise NotAllowed("Associates record their own interactions.")
    return record_interaction(
        associate, data["kind"], customer=customer, visitor_id=data.get("visitor_id") or "",
        occurred_at=data.get("occurred_at"), source_ref=data.get("source_ref") or "",
    )


def update_attribution_settings(actor: Actor, data: dict) -> AttributionSettings:
    """Change the referral (attribution) and influence windows, in days (admins)."""
    require_admin(actor)
    names = ("attribution_window_days", "influence_window_days")
    errors = [
        (("body", name), f"Must be between 1 and {MAX_WINDOW_DAYS} days.")
        for name in names
        if data.get(name) is not None and not 1 <= data[name] <= MAX_WINDOW_DAYS
    ]
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        settings_row, _ = AttributionSettings.objects.select_for_update().get_or_create(pk=1)
        for name in names:
            if data.get(name) is not None:
                setattr(settings_row, name, data[name])
        settings_row.save()
        record_event(actor.user, "attribution_settings.updated", settings_row,
                     **{name: getattr(settings_row, name) for name in names})
    return settings_row
