"""The channel layer of a single process (no REDIS_URL): Channels' in-memory layer, made to scale with sockets.

Channels' InMemoryChannelLayer sweeps every channel and every group membership for expired entries on
each receive and each group_send. With thousands of visitor sockets (each in a group of its own and in
its store's launcher group) that sweep is O(sockets) per message and, with a message per page view,
O(sockets²) per second: at 1,000 visitors it took the whole process. Here the sweep runs at most
once per SWEEP_SECONDS, and group_send puts messages on the members' queues directly instead of
starting a task per member, without copying the message for each: a store's page view goes to every
workspace of the store, and the copies cost more than the rest of the fan-out. Receivers share the
message and only read it (every consumer here is a live consumer; none changes an event). Expiry is
unchanged; capacity defaults to 1,000 messages: a workspace receives a message per page view of every
visitor of its store, and a burst of them must not be dropped.

Several processes use channels_redis instead (settings.py); nothing here is shared between processes.
"""

import asyncio
import contextlib
import time

from channels.exceptions import ChannelFull
from channels.layers import InMemoryChannelLayer

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
