"""Page changes gathered per tick (events.PageAnnouncements): one channel-layer message per store and tick, still
one visitor_page frame per page change for each workspace, and never overtaken by a later event of the visitor."""

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from shopfloor.live import events, writes
from tests.live.conftest import (
    associate_socket,
    customer_token,
    drain,
    receive_until,
    runs_in_own_loop,
    visitor_socket,
)

pytestmark = pytest.mark.django_db(transaction=True)


def _count_group_sends(monkeypatch) -> list[tuple[str, str]]:
    """(group, message type) of every group message the layer carries from now on."""
    layer = get_channel_layer()
    sent = []
    original = layer.group_send

    async def group_send(group, message):
        sent.append((group, message["type"]))
        await original(group, message)

    monkeypatch.setattr(layer, "group_send", group_send)
    return sent


@runs_in_own_loop
async def test_page_changes_of_one_tick_travel_as_one_message_and_arrive_as_one_frame_each(world, monkeypatch):
    monkeypatch.setattr(events, "PAGE_TICK_SECONDS", 0.5)
    associate, _ = await associate_socket(world.ana.user)
    visitors = [(await visitor_socket(world.north, url=f"http://testserver/shop/{n}/"))[0] for n in range(3)]
    await writes.flush()
    await events.page_announcements().flush()  # the hellos' pages
    await drain(associate)
    sent = _count_group_sends(monkeypatch)
    for n, visitor in enumerate(visitors):
        await visitor.send_json_to({"type": "page", "url": f"http://testserver/shop/p/{n}/", "at": 20_000 + n})
    frames = [await receive_until(associate, lambda f: f["type"] == "visitor_page") for _ in range(3)]
    assert sorted(f["visitor"]["current_url"] for f in frames) == [f"http://testserver/shop/p/{n}/" for n in range(3)]
    assert sent == [(events.store_group(world.north.pk), "live.pages"), (events.ADMIN_GROUP, "live.pages")]
    for visitor in visitors:
        await visitor.disconnect()
    await associate.disconnect()


@runs_in_own_loop
async def test_a_page_change_goes_out_before_the_row_that_shows_the_tab_closed(world, monkeypatch):
    monkeypatch.setattr(events, "PAGE_TICK_SECONDS", 60)  # only the closing tab's own events may send it
    associate, _ = await associate_socket(world.ana.user)
    visitor, _ = await visitor_socket(world.north, url="http://testserver/shop/")
    await writes.flush()
    await events.page_announcements().flush()  # the hello's page
    await drain(associate)
    await visitor.send_json_to({"type": "page", "url": "http://testserver/shop/last/", "at": 30_000})
    await visitor.send_json_to({"type": "ping"})
    await receive_until(visitor, lambda f: f["type"] == "pong")
    await visitor.disconnect()
    frames = []
    while not frames or frames[-1]["type"] != "visitor" or frames[-1]["visitor"]["status"] != "offline":
        frames.append(await associate.receive_json_from(timeout=5))
    assert [(f["type"], f["visitor"]["current_url"]) for f in frames] == [
        ("visitor_page", "http://testserver/shop/last/"), ("visitor", "http://testserver/shop/last/")]
    await associate.disconnect()


@runs_in_own_loop
async def test_a_workspace_gets_no_page_change_of_a_visitor_it_does_not_list(world, monkeypatch):
    monkeypatch.setattr(events, "PAGE_TICK_SECONDS", 0.05)
    # Bruno's customer: Ana (associate mode) may not see them.
    token = await database_sync_to_async(customer_token)(world.north, world.brunos_customer)
    visitor, _ = await visitor_socket(world.north, token=token, url="http://testserver/shop/")
    await writes.flush()
    bruno, snapshot = await associate_socket(world.bruno.user)
    assert [row["customer_id"] for row in snapshot["visitors"]] == [world.brunos_customer.pk]
    ana, snapshot = await associate_socket(world.ana.user)
    assert snapshot["visitors"] == []
    await visitor.send_json_to({"type": "page", "url": "http://testserver/shop/seen/", "at": 40_000})
    page = await receive_until(bruno, lambda f: f["type"] == "visitor_page" and
                               f["visitor"]["current_url"] == "http://testserver/shop/seen/")
    assert page["visitor"]["page_at"] == 40_000
    assert [f for f in await drain(ana, 0.3) if f["type"] == "visitor_page"] == []
    await visitor.disconnect()
    await bruno.disconnect()
    await ana.disconnect()
