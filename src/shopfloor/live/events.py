"""Live events: who hears what, sent through the channel layer after the write commits.

Groups (the channel layer carries them between processes when it is Redis):
- `live-store-<id>`: every workspace of the store's associates (each filters by access.py);
- `live-admin`: every admin's workspace;
- `live-visitor-<id>`: every tab of one visitor;
- `live-associate-<id>`: every workspace tab of one associate.
"""

import contextvars
import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)

ADMIN_GROUP = "live-admin"

# Inside a consumer's database call, events are collected here and sent by the consumer afterwards.
_collected: contextvars.ContextVar[list | None] = contextvars.ContextVar("live_events", default=None)


def store_group(store_id: int) -> str:
    return f"live-store-{store_id}"


def visitor_group(visitor_id: int) -> str:
    return f"live-visitor-{visitor_id}"


def associate_group(associate_id: int) -> str:
    return f"live-associate-{associate_id}"


def _send(groups: list[str], event: dict) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    for group in groups:
        try:
            async_to_sync(layer.group_send)(group, event)
        except Exception:  # a lost live event is repaired by the next snapshot; the write stands
            logger.exception("Could not send a live event to %s", group)


def publish(groups: list[str], payload: dict) -> None:
    """Send `payload` (a JSON-able dict with a "type") to the groups once the transaction commits.

    Consumers receive it as {"type": "live.event", "payload": payload} and decide, per person,
    whether to pass it on.
    """
    event = {"type": "live.event", "payload": payload}
    bucket = _collected.get()
    if bucket is not None:
        transaction.on_commit(lambda: bucket.append((groups, event)))
    else:
        transaction.on_commit(lambda: _send(groups, event))


def collecting(function, *args, **kwargs):
    """Call `function`, returning (its result, the live events it published and committed)."""
    bucket: list = []
    token = _collected.set(bucket)
    try:
        return function(*args, **kwargs), bucket
    finally:
        _collected.reset(token)


async def deliver(layer, pending: list) -> None:
    for groups, event in pending:
        for group in groups:
            try:
                await layer.group_send(group, event)
            except Exception:  # a lost live event is repaired by the next snapshot; the write stands
                logger.exception("Could not send a live event to %s", group)


def to_store(store_id: int, payload: dict) -> None:
    publish([store_group(store_id), ADMIN_GROUP], payload)


def to_visitor(visitor_id: int, payload: dict) -> None:
    publish([visitor_group(visitor_id)], payload)


def to_associate(associate_id: int, payload: dict) -> None:
    publish([associate_group(associate_id)], payload)
