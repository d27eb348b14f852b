"""Writes that change who may be offered a chat — an associate's availability, a workspace opening, the
store's live settings — after which the store's queue is routed again (chats.route_queue).

The rest of live shopping's writes: visitors.py (visitors and page views), presence.py (associates' presence
and the launcher), chats.py (chats, routing, calls, Navigate, left messages).
"""

from django.db import transaction
from django.utils import timezone

from shopfloor.access import Actor
from shopfloor.accounts.models import Associate, Store
from shopfloor.errors import InvalidInput
from shopfloor.live import events
from shopfloor.live.chats import route_queue
from shopfloor.live.conf import settings_for
from shopfloor.live.models import AssociateLive, Availability, LiveSettings
from shopfloor.live.presence import associate_heartbeat, live_of, publish_launcher, require_associate


def set_availability(actor: Actor, availability: str, now=None) -> AssociateLive:
    associate = require_associate(actor)
    if availability not in Availability.values:
        raise InvalidInput.field("availability", f"One of {', '.join(Availability.values)}.")
    now = now or timezone.now()
    with transaction.atomic():
        row = live_of(associate)
        AssociateLive.objects.filter(pk=row.pk).update(availability=availability, availability_changed_at=now,
                                                       heartbeat_at=now)
        row.refresh_from_db()
        events.to_associate(associate.pk, {"type": "availability", "availability": availability})
        publish_launcher(associate.store)
        if availability == Availability.AVAILABLE:
            route_queue(associate.store)
    return row


def associate_arrived(associate_id: int) -> None:
    """A workspace tab opened: present now, so an available associate shows the launcher and takes the queue."""
    associate_heartbeat(associate_id)
    associate = Associate.objects.select_related("store", "live").filter(pk=associate_id).first()
    if associate is not None and associate.live.availability == Availability.AVAILABLE:
        with transaction.atomic():
            publish_launcher(associate.store)
            route_queue(associate.store)


def save_live_settings(actor_user, store: Store, data: dict) -> LiveSettings:
    """Change a store's live-shopping settings (admins, through the Django admin); audited."""
    from shopfloor.accounts.services import record_event

    errors = []
    chat_limit = data.get("chat_limit")
    if chat_limit is not None and not (isinstance(chat_limit, int) and 1 <= chat_limit <= 50):
        errors.append((("body", "chat_limit"), "Between 1 and 50 chats."))
    retention = data.get("retention_days")
    if retention is not None and not (isinstance(retention, int) and 1 <= retention <= 3650):
        errors.append((("body", "retention_days"), "Between 1 and 3650 days."))
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        live_settings = settings_for(store)
        for name in ("country_only", "chat_limit", "retention_days"):
            if data.get(name) is not None:
                setattr(live_settings, name, data[name])
        live_settings.save()
        record_event(actor_user, "live_settings.saved", live_settings, store_id=store.pk,
                     country_only=live_settings.country_only, chat_limit=live_settings.chat_limit,
                     retention_days=live_settings.retention_days)
        route_queue(store)
    return live_settings
