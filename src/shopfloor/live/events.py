"""Live events: who hears what, sent through the channel layer after the write commits.

Groups (the channel layer carries them between processes when it is Redis):
- `live-store-<id>`: every workspace of the store's associates (each filters by access.py);
- `live-admin`: every admin's workspace;
- `live-visitor-<id>`: every tab of one visitor;
- `live-associate-<id>`: every workspace tab of one associate.

Page changes, the hot path, travel differently (PageAnnouncements below): a process gathers its visitors'
page changes for PAGE_TICK_SECONDS and sends one `live.pages` message per store, so the channel layer
carries a message per store and tick instead of one per page view and group.
"""

import asyncio
import contextvars
import logging
import weakref

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django_tasks import task

from shopfloor import jobs

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


# The event loop of this serving process (its lifespan sets it): where its sockets and, without Redis,
# its channel layer live. Tasks run on another thread of the process and hand their sends to it.
_serving_loop: asyncio.AbstractEventLoop | None = None
# Seconds a broadcast may wait for the serving loop before it counts as failed.
SEND_TIMEOUT = 5


def serve_from_this_loop(serving: bool = True) -> None:
    """Called by the server's lifespan: broadcasts run by this process's tasks go through this loop."""
    global _serving_loop
    _serving_loop = asyncio.get_running_loop() if serving else None


def send_to_groups(groups: list[str], event: dict) -> None:
    """Send `event` to the groups now, from a thread that is not the serving loop's (a task)."""
    layer = get_channel_layer()
    if layer is None:
        return
    loop = _serving_loop
    for group in groups:
        try:
            if loop is not None and loop.is_running():
                asyncio.run_coroutine_threadsafe(layer.group_send(group, event), loop).result(SEND_TIMEOUT)
            else:
                async_to_sync(layer.group_send)(group, event)
        except Exception:  # a lost live event is repaired by the next snapshot; the write stands
            logger.exception("Could not send a live event to %s", group)


@task(queue_name=jobs.LIVE_QUEUE)
def broadcast_task(groups: list[str], event: dict) -> None:
    """A live event from a write outside the sockets (an HTTP request, a job), sent after its COMMIT."""
    send_to_groups(groups, event)


def publish(groups: list[str], payload: dict) -> None:
    """Send `payload` (a JSON-able dict with a "type") to the groups once the transaction commits.

    Consumers receive it as {"type": "live.event", "payload": payload} and decide, per person,
    whether to pass it on. Inside a consumer's database call (`collecting`) the consumer sends it
    itself after the call; elsewhere (an HTTP request, a job) it is a task on the live queue.
    """
    event = {"type": "live.event", "payload": payload}
    bucket = _collected.get()
    if bucket is not None:
        transaction.on_commit(lambda: bucket.append((groups, event)))
    else:
        jobs.defer(broadcast_task, groups, event)


def collecting(function, *args, **kwargs):
    """Call `function`, returning (its result, the live events it published and committed)."""
    bucket: list = []
    token = _collected.set(bucket)
    try:
        return function(*args, **kwargs), bucket
    finally:
        _collected.reset(token)


async def deliver(layer, pending: list) -> None:
    if pending:
        # Page changes announced before this event go out first: a visitor's later row never overtakes them.
        await page_announcements().flush()
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


# How long a page change may wait for others to share its trip through the channel layer.
PAGE_TICK_SECONDS = 0.025


class PageAnnouncements:
    """This process's visitors' page changes, sent to their stores' workspaces once per tick.

    At 1,000 visitors a store has 200 page views a second; sent one by one, each was a group message to the
    store and one to the admins, and on Redis a PUBLISH and a wake-up of every receiving socket per page view.
    Gathered per tick, it is one message per store and tick whatever the traffic, for at most
    PAGE_TICK_SECONDS more latency. Each workspace still gets one `visitor_page` frame per page change
    (AssociateConsumer.live_pages), so the browser protocol is unchanged.
    """

    def __init__(self):
        self.waiting: dict[int, list] = {}
        self.lock = asyncio.Lock()
        self.timer: asyncio.TimerHandle | None = None
        self.layer = None
        self.sending: set[asyncio.Task] = set()

    def add(self, layer, store_id: int, visitor_id: int, text: str) -> None:
        """Announce a page change (`text`: the visitor_page frame, JSON-encoded once for every workspace)."""
        self.layer = layer
        self.waiting.setdefault(store_id, []).append((visitor_id, text))
        if self.timer is None:
            self.timer = asyncio.get_running_loop().call_later(PAGE_TICK_SECONDS, self._due)

    def _due(self) -> None:
        self.timer = None
        task = asyncio.ensure_future(self.flush())
        self.sending.add(task)  # held until done: the loop keeps only a weak reference to its tasks
        task.add_done_callback(self.sending.discard)

    async def flush(self) -> None:
        """Send what is waiting (after a send in progress): everything announced before the call is on its way."""
        if not self.waiting and not self.lock.locked():
            return
        async with self.lock:
            waiting, self.waiting = self.waiting, {}
            if self.timer is not None:
                self.timer.cancel()
                self.timer = None
            for store_id, pages in waiting.items():
                event = {"type": "live.pages", "pages": pages}
                for group in (store_group(store_id), ADMIN_GROUP):
                    try:
                        await self.layer.group_send(group, event)
                    except Exception:  # lost page changes are repaired by the next page view or snapshot
                        logger.exception("Could not send %d page changes to %s", len(pages), group)


def per_event_loop(factory):
    """A function answering this event loop's own `factory()`, made on first use.

    A server has one loop; the tests run several one after another, and what a loop's sockets
    gather (its locks, its timers) must not outlive it or leak into the next.
    """
    instances: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def this_loops():
        loop = asyncio.get_running_loop()
        instance = instances.get(loop)
        if instance is None:
            instance = instances[loop] = factory()
        return instance

    return this_loops


# This event loop's page announcements.
page_announcements = per_event_loop(PageAnnouncements)
