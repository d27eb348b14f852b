"""Associates in the live workspace: availability (their choice) and presence (heartbeats), and what the
storefront widget may offer from them (the "talk to us" launcher, the associates a shopper may ask for).
"""

from datetime import timedelta

from django.db import transaction
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.utils import timezone

from shopfloor.access import Actor, NotAllowed
from shopfloor.accounts.models import Associate, Store
from shopfloor.live import conf, events
from shopfloor.live.identity import requires_verified_identity
from shopfloor.live.models import AssociateLive, Availability, Visitor


def live_of(associate: Associate) -> AssociateLive:
    row, _ = AssociateLive.objects.get_or_create(associate=associate)
    return row


def require_associate(actor: Actor) -> Associate:
    if actor.associate is None:
        raise NotAllowed("Only associates take live chats.")
    return actor.associate


def associate_heartbeat(associate_id: int, now=None) -> None:
    now = now or timezone.now()
    if not AssociateLive.objects.filter(associate_id=associate_id).update(heartbeat_at=now):
        AssociateLive.objects.get_or_create(associate_id=associate_id, defaults={"heartbeat_at": now})


def associate_left(associate_id: int) -> None:
    """The last workspace tab closed: not present any more (availability, their choice, stays)."""
    with transaction.atomic():
        AssociateLive.objects.filter(associate_id=associate_id).update(heartbeat_at=None)
        associate = Associate.objects.select_related("store").filter(pk=associate_id).first()
        if associate is not None:
            publish_launcher(associate.store)


def is_present_and_available(now=None) -> Q:
    """An associate who chose to be available and whose heartbeat is within the presence window."""
    now = now or timezone.now()
    return Q(live__availability=Availability.AVAILABLE,
             live__heartbeat_at__gte=now - timedelta(seconds=conf.PRESENCE_WINDOW_SECONDS))


def present_available(store: Store, now=None):
    return Associate.objects.filter(is_present_and_available(now), store=store, active=True, user__isnull=False)


def may_take(associate: Associate, visitor: Visitor) -> bool:
    """An associate may take a request from this visitor (the online connector lets any associate of the
    store answer, DESIGN.md §3); an associate of another store may not."""
    return associate.store_id == visitor.store_id and associate.active


def talk_to_us(store: Store, customer=None) -> bool:
    """Whether the widget shows its "talk to us" launcher: an eligible associate is available and present."""
    if customer is None and requires_verified_identity(store):
        return False
    return present_available(store).exists()


def requestable_associates(store: Store) -> list[dict]:
    """Whom a visitor may ask for by name (the online connector): any active associate with a login in an
    associate-mode store; nobody in particular in a team-mode store, where the store answers."""
    if store.is_team_mode:
        return []
    return [{"id": a.pk, "name": a.name} for a in store.associates.filter(active=True, user__isnull=False)]


def welcome_facts(store: Store, customer=None) -> tuple[bool, list[dict]]:
    """(talk_to_us, requestable_associates) for a visitor's welcome, read together: in an associate-mode store
    both come from the same associates, so one query answers both."""
    if store.is_team_mode:
        return talk_to_us(store, customer), []
    rows = list(store.associates.filter(active=True, user__isnull=False).annotate(
        is_present_and_available=ExpressionWrapper(is_present_and_available(), output_field=BooleanField()),
    ).values_list("pk", "name", "is_present_and_available"))
    anyone = any(row[2] for row in rows) and not (customer is None and requires_verified_identity(store))
    return anyone, [{"id": pk, "name": name} for pk, name, _ in rows]


def publish_launcher(store: Store) -> None:
    """Tell the store's visitors whether somebody is there to talk to (they show the launcher or the form)."""
    events.publish([f"live-launcher-{store.pk}"], {"type": "availability", "talk_to_us": talk_to_us(store)})


def launcher_group(store_id: int) -> str:
    return f"live-launcher-{store_id}"
