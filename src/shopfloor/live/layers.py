"""The channel layer of a single process (no REDIS_URL): Channels' in-memory layer, made to scale with sockets.

Channels' InMemoryChannelLayer sweeps every channel and every group membership for expired entries on
each receive and each group_send. With thousands of visitor sockets (each in a group of its own and in
its store's launcher group) that sweep is O(sockets) per message and, with a message per page view,
O(sockets²) per second: at 1,000 visitors it took the whole process. Here the sweep runs at most
once per SWEEP_SECONDS, and group_send puts messages on the members' queues directly instead of
starting a task per member, without copying the message for each: a store's page view goes to every
workspace of the store, and the copies cost more than the rest of the fan-out. Receivers share the
message and only read it (every consumer here is a live consumer; none changes an event). Expiry is
unchanged; capacity defaults to 1,000 messages: a workspace receives its store's page changes (a message per
tick, events.PageAnnouncements) besides every other live event, and a burst of them must not be dropped.

Several processes share Redis through RedisPubSubLayer below (settings.py).
"""

import asyncio
import contextlib
import time

from channels.exceptions import ChannelFull
from channels.layers import InMemoryChannelLayer
from channels_redis.pubsub import RedisPubSubChannelLayer

SWEEP_SECONDS = 1.0


class ScalableInMemoryChannelLayer(InMemoryChannelLayer):
    def __init__(self, expiry=60, group_expiry=86400, capacity=1000, channel_capacity=None, **kwargs):
        super().__init__(
            expiry=expiry, group_expiry=group_expiry, capacity=capacity, channel_capacity=channel_capacity, **kwargs
        )
        self._swept_at = 0.0

    def _clean_expired(self):
        now = time.monotonic()
        if now - self._swept_at < SWEEP_SECONDS:
            return
        self._swept_at = now
        super()._clean_expired()

    async def send(self, channel, message):
        assert isinstance(message, dict), "message is not a dict"
        assert "__asgi_channel__" not in message
        self.require_valid_channel_name(channel)
        queue = self.channels.get(channel)
        if queue is None:
            queue = self.channels[channel] = asyncio.Queue(maxsize=self.get_capacity(channel))
        try:
            queue.put_nowait((time.time() + self.expiry, message))
        except asyncio.QueueFull:
            raise ChannelFull(channel) from None

    async def group_send(self, group, message):
        assert isinstance(message, dict), "Message is not a dict"
        self.require_valid_group_name(group)
        self._clean_expired()
        for channel in list(self.groups.get(group, {})):
            # As Channels does: a full channel misses the message, the others get it.
            with contextlib.suppress(ChannelFull):
                await self.send(channel, message)

    async def flush(self):
        await super().flush()
        self._swept_at = 0.0


class RedisPubSubLayer(RedisPubSubChannelLayer):
    """The layer of several processes: channels_redis over Redis publish/subscribe.

    Not channels_redis' RedisChannelLayer: there every socket of a process shares one Redis inbox, read one
    message at a time (three round trips each, behind one lock), and its capacity (100 messages) counts the
    whole process's backlog; a workspace's page-view stream filled it, and then every further message to that
    process was dropped (two processes at 1,000 visitors delivered under half of the page changes, p99 ~2 s).
    With publish/subscribe a message is one PUBLISH, Redis pushes it to the processes that have a member of the
    group, and each process hands it to its own sockets. Nothing is stored: a process that is not subscribed
    misses it, as a closed socket would, and the snapshot (and resume by message number) repairs that.
    """

    async def close_pools(self):
        """Close this event loop's Redis connections (the tests run one loop after another)."""
        layer = self._layers.pop(asyncio.get_running_loop(), None)
        if layer is not None:
            await layer.flush()

    async def discard_channel(self, channel: str) -> None:
        """Stop listening on a channel that nobody will receive from again (the health check's): publish/subscribe
        keeps a subscription per channel until its receiver is cancelled, which a receive that got its message
        never is, so each health check would leave one behind."""
        layer = self._get_layer()
        layer.channels.pop(channel, None)
        await layer._get_shard(channel).unsubscribe(channel)
