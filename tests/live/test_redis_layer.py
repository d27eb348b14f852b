"""The layer of several processes (REDIS_URL): Redis publish/subscribe, which carries a workspace's whole page-view
stream between processes. Runs whenever REDIS_URL is set (CI sets it)."""

import asyncio
import os
import uuid

import pytest
from channels.layers import channel_layers, get_channel_layer
from django.conf import settings

from shopfloor.live.layers import RedisPubSubLayer
from tests.live.conftest import runs_in_own_loop

pytestmark = pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL")


def test_several_processes_share_redis_through_publish_and_subscribe():
    assert isinstance(get_channel_layer(), RedisPubSubLayer)


@runs_in_own_loop
async def test_a_burst_of_500_group_messages_reaches_a_member_on_another_process_in_order():
    # Two layers as two processes would have them. channels_redis' RedisChannelLayer kept 100 of these (its
    # capacity counts a whole process's backlog) and dropped the rest.
    here, there = channel_layers.make_backend("default"), channel_layers.make_backend("default")
    group = f"live-store-{uuid.uuid4().hex[:8]}"
    try:
        channel = await here.new_channel()
        await here.group_add(group, channel)
        for n in range(500):
            await there.group_send(group, {"type": "live.pages", "n": n})
        received = [(await asyncio.wait_for(here.receive(channel), 5))["n"] for _ in range(500)]
        assert received == list(range(500))
        await here.group_discard(group, channel)
    finally:
        await here.flush()
        await there.flush()


@runs_in_own_loop
async def test_a_member_that_left_the_group_gets_no_more_of_its_messages():
    here, there = channel_layers.make_backend("default"), channel_layers.make_backend("default")
    group = f"live-store-{uuid.uuid4().hex[:8]}"
    try:
        staying, leaving = await here.new_channel(), await here.new_channel()
        await here.group_add(group, staying)
        await here.group_add(group, leaving)
        await here.group_discard(group, leaving)
        await there.group_send(group, {"type": "live.pages", "n": 1})
        assert (await asyncio.wait_for(here.receive(staying), 5))["n"] == 1
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(here.receive(leaving), 0.3)
    finally:
        await here.flush()
        await there.flush()


@runs_in_own_loop
async def test_a_health_check_leaves_no_subscription_behind():
    from redis.asyncio import Redis

    from shopfloor.health import _channel_layer_round_trip

    for _ in range(3):
        await _channel_layer_round_trip()
    probes = f"{settings.CHANNEL_LAYERS['default']['CONFIG']['prefix']}healthz.*"
    redis = Redis.from_url(os.environ["REDIS_URL"])
    try:
        # Asked of Redis itself, on another connection than the one the unsubscribes went by: until it has read them.
        for _ in range(40):
            subscribed = await redis.pubsub_channels(probes)
            if not subscribed:
                break
            await asyncio.sleep(0.05)
        assert subscribed == []
    finally:
        await redis.aclose()
