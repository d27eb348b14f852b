"""The channel layers: Channels' in-memory layer on one process (no REDIS_URL), Redis publish/subscribe across several.

On one process it is Channels' InMemoryChannelLayer (settings.py) with one of its documented options changed:
capacity 1,000 messages per channel instead of 100, because a workspace receives its store's page changes (a message per
tick, events.PageAnnouncements) besides every other live event, and a burst of them must not be dropped.
Channels sweeps every channel and group membership for expired messages on each receive and group_send, which
is O(sockets) per message: bench/live_load.py measures what that costs at 1,000 visitors on one process.

Several processes share Redis through RedisPubSubLayer below (settings.py).
"""

import asyncio
import contextlib

from channels_redis.pubsub import RedisPubSubChannelLayer


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

    async def discard_channel(self, channel: str) -> None:
        """Stop listening on a channel that nobody will receive from again (the health check's probe).

        A channel stays subscribed until a receive on it is cancelled (channels_redis unsubscribes then: that
        is how a consumer's channel ends), which a receive that got its message never is, so each health check
        would leave a subscription behind in Redis and a queue in this process. So: one more receive, cancelled.
        """
        receiver = asyncio.ensure_future(self.receive(channel))
        # One turn of the loop: the receive starts and waits on the channel's queue (the channel is subscribed
        # already, new_channel did that), where cancelling it unsubscribes.
        await asyncio.sleep(0)
        receiver.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await receiver
