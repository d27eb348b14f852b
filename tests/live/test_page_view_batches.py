"""Page views written in batches (live/writes.py): the same rows as one by one, nothing lost when a tab closes,
and an older page reported late (a beacon overtaken by the next page's socket) never shows as the current one."""

import json
from datetime import timedelta

import pytest
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.test import Client
from django.utils import timezone

from shopfloor.live import visitors, writes
from shopfloor.live.identity import VisitorIdentity
from shopfloor.live.models import PageView, Visit, Visitor
from tests.live.conftest import associate_socket, drain, receive_until, runs_in_own_loop, visitor_key, visitor_socket

pytestmark = pytest.mark.django_db(transaction=True)


def _script(start):
    """(visitor index, url, seconds after start): two visitors interleaved, the same load twice within 2 s,
    and a page after a 31-minute silence (a new visit)."""
    return [
        (0, "http://shop.test/a", 0),
        (1, "http://shop.test/x", 1),
        (0, "http://shop.test/a", 1.5),
        (0, "http://shop.test/b", 40),
        (1, "http://shop.test/y", 41),
        (0, "http://shop.test/c", 45),
        (1, "http://shop.test/z", 41 + 31 * 60),
    ]


def _snapshot(visitors):
    rows = []
    for visitor in visitors:
        visitor.refresh_from_db()
        visits = list(
            Visit.objects.filter(visitor=visitor)
            .order_by("started_at")
            .values_list("page_view_count", "referrer", "last_seen_at", "started_at")
        )
        views = list(
            PageView.objects.filter(visitor=visitor)
            .order_by("started_at", "id")
            .values_list("url", "title", "referrer", "started_at", "seconds_on_page")
        )
        rows.append(
            (
                visitor.visit_count,
                visitor.page_view_count,
                visitor.current_url,
                visitor.current_title,
                visitor.page_started_at,
                visitor.last_seen_at,
                visits,
                views,
            )
        )
    return rows


def test_a_batch_writes_exactly_what_one_by_one_writes(world):
    start = timezone.now() - timedelta(hours=1)
    one_by_one = [visitors.connect_visitor(VisitorIdentity(world.north), visitor_key(), now=start) for _ in range(2)]
    batched = [visitors.connect_visitor(VisitorIdentity(world.north), visitor_key(), now=start) for _ in range(2)]
    for index, url, seconds in _script(start):
        visitors.record_page_view(
            one_by_one[index].pk, url, url[-1].upper(), "http://ref.test/", now=start + timedelta(seconds=seconds)
        )
    reports = [
        visitors.page_view_report(
            batched[index].pk, url, url[-1].upper(), "http://ref.test/", now=start + timedelta(seconds=seconds)
        )
        for index, url, seconds in _script(start)
    ]
    views = visitors.record_page_views(reports, already_live=True)
    assert views[2].pk == views[0].pk  # the same load reported twice
    assert _snapshot(batched) == _snapshot(one_by_one)
    assert PageView.objects.filter(visitor__in=batched).count() == 6


def test_an_older_page_reported_late_goes_into_the_history_behind_the_current_page(world):
    now = timezone.now()
    visitor = visitors.connect_visitor(VisitorIdentity(world.north), visitor_key(), now=now)
    visitors.record_page_view(visitor.pk, "http://shop.test/b", "B", now=now, client_at=1_700_000_005_000)
    # The beacon of the page before arrives after the next page's socket report: 5 s older by the widget's clock.
    visitors.record_page_view(
        visitor.pk, "http://shop.test/a", "A", now=now + timedelta(seconds=1), client_at=1_700_000_000_000
    )
    visitor.refresh_from_db()
    assert (visitor.current_url, visitor.page_reported_at, visitor.page_view_count) == (
        "http://shop.test/b",
        1_700_000_005_000,
        2,
    )
    history = list(
        PageView.objects.filter(visitor=visitor)
        .order_by("started_at")
        .values_list("url", "started_at", "seconds_on_page")
    )
    assert history == [("http://shop.test/a", now - timedelta(seconds=5), 5), ("http://shop.test/b", now, None)]


def test_a_beacon_overtaken_by_the_socket_never_shows_the_older_page(world):
    now = timezone.now()
    key = visitor_key()
    visitor = visitors.connect_visitor(VisitorIdentity(world.north), key, now=now)
    visitors.record_page_view(visitor.pk, "http://testserver/shop/bag/", "Bag", now=now, client_at=2_000)
    response = Client().post(
        "/live/beacon",
        data=json.dumps(
            {
                "store": world.north.widget_key,
                "visitor": key,
                "url": "http://testserver/shop/",
                "at": 1_000,
            }
        ),
        content_type="text/plain",
        headers={"Origin": "http://testserver"},
    )
    assert response.status_code == 204
    visitor.refresh_from_db()
    assert (visitor.current_url, visitor.page_view_count) == ("http://testserver/shop/bag/", 2)


def test_a_clock_that_is_not_a_number_is_ignored(world):
    report = visitors.page_view_report(1, "http://shop.test/a", client_at="yesterday")
    assert report.client_at is None
    assert visitors.page_view_report(1, "http://shop.test/a", client_at=True).client_at is None


@runs_in_own_loop
async def test_page_views_wait_for_the_batch_and_none_is_lost_when_the_tab_closes(world, monkeypatch):
    monkeypatch.setattr(writes, "FLUSH_SECONDS", 60)  # only the closing tab may write them
    associate, _ = await associate_socket(world.ana.user)
    visitor, _ = await visitor_socket(world.north, url="http://testserver/shop/")
    for n in range(3):
        await visitor.send_json_to({"type": "page", "url": f"http://testserver/shop/p/{n}/", "at": 10_000 + n})
    await receive_until(associate, lambda f: f["type"] == "visitor_page" and f["visitor"]["page_at"] == 10_002)
    assert await PageView.objects.acount() == 0
    await visitor.disconnect()
    offline = await receive_until(associate, lambda f: f["type"] == "visitor" and f["visitor"]["status"] == "offline")
    # Written before the tab was marked gone, so the offline row already shows the last page.
    assert offline["visitor"]["current_url"] == "http://testserver/shop/p/2/"
    assert [url async for url in PageView.objects.order_by("started_at", "id").values_list("url", flat=True)] == [
        "http://testserver/shop/",
        *(f"http://testserver/shop/p/{n}/" for n in range(3)),
    ]
    await associate.disconnect()


@runs_in_own_loop
async def test_an_older_page_frame_is_written_but_not_shown(world):
    associate, _ = await associate_socket(world.ana.user)
    visitor, _ = await visitor_socket(world.north, url="http://testserver/shop/", title="Shop")
    await visitor.send_json_to({"type": "page", "url": "http://testserver/shop/new/", "at": 5_000})
    await visitor.send_json_to({"type": "page", "url": "http://testserver/shop/old/", "at": 4_000})
    await visitor.send_json_to({"type": "ping"})
    await receive_until(visitor, lambda f: f["type"] == "pong")
    frames = [f for f in await drain(associate, 0.5) if f["type"] == "visitor_page"]
    assert [f["visitor"]["current_url"] for f in frames] == ["http://testserver/shop/", "http://testserver/shop/new/"]
    await writes.flush()
    row = await Visitor.objects.aget()
    assert (row.current_url, row.page_view_count) == ("http://testserver/shop/new/", 3)
    await visitor.disconnect()
    await associate.disconnect()


@runs_in_own_loop
async def test_pings_refresh_the_heartbeat_in_a_batch(world, monkeypatch):
    from shopfloor.live import consumers

    monkeypatch.setattr(writes, "FLUSH_SECONDS", 60)
    monkeypatch.setattr(consumers, "HEARTBEAT_WRITE_SECONDS", 0)  # every ping writes
    visitor, _ = await visitor_socket(world.north)
    await writes.flush()
    long_ago = timezone.now() - timedelta(seconds=50)
    await Visitor.objects.aupdate(heartbeat_at=long_ago)
    await visitor.send_json_to({"type": "ping"})
    await receive_until(visitor, lambda f: f["type"] == "pong")
    assert (await Visitor.objects.aget()).heartbeat_at == long_ago  # waiting in the batch
    await writes.flush()
    assert (await Visitor.objects.aget()).heartbeat_at > long_ago
    await visitor.disconnect()


@runs_in_own_loop
async def test_the_in_memory_layer_delivers_a_group_message_to_every_member_once():
    layer = InMemoryChannelLayer(capacity=2)
    channels = [await layer.new_channel() for _ in range(3)]
    for channel in channels:
        await layer.group_add("store", channel)
    for n in range(3):  # the third overflows every member's capacity of 2 and is dropped, as Channels does
        await layer.group_send("store", {"type": "live.event", "n": n})
    received = [[(await layer.receive(channel))["n"] for _ in range(2)] for channel in channels]
    assert received == [[0, 1]] * 3
    await layer.group_discard("store", channels[0])
    await layer.group_send("store", {"type": "live.event", "n": 9})
    assert [(await layer.receive(channel))["n"] for channel in channels[1:]] == [9, 9]
    assert layer.channels.get(channels[0]) is None


def test_the_single_process_layer_holds_a_burst_of_a_thousand_messages(settings):
    if "Redis" in settings.CHANNEL_LAYERS["default"]["BACKEND"]:
        pytest.skip("several processes share Redis")
    layer = get_channel_layer()
    assert isinstance(layer, InMemoryChannelLayer)
    assert layer.capacity == 1000
