"""selectors.list_page (the console page's reading) agrees with selectors.list_detail (the whole list)."""

from datetime import timedelta

from django.utils import timezone

from shopfloor.lists import selectors, services
from shopfloor.lists.models import ListComment


def _items(detail):
    return [(group.room.pk, [(item.pk, item.quantity, item.note, item.product.sku, item.product.name,
                              item.product.price, item.product.in_stock, item.product.image_url)
                             for item in group.items]) for group in detail.rooms]


def _pks(comments):
    return [comment.pk for comment in comments]


def test_the_page_reads_the_same_items_and_counts_as_the_whole_list(world, anas_list, as_actor):
    ana = as_actor(world.ana)
    lamp = anas_list.items.get(product__sku="LAMP-1")
    bowl = anas_list.items.get(product__sku="BOWL-3")
    for number in range(4):
        services.add_comment(ana, anas_list, f"Lamp {number}", item=lamp)
        services.add_comment(ana, anas_list, f"List {number}")
    services.add_comment(ana, anas_list, "Bowl", item=bowl)
    # Same moment for every comment: the order falls back to the id, on both readings.
    ListComment.objects.update(created_at=timezone.now() - timedelta(hours=1))
    full = selectors.list_detail(anas_list)
    page = selectors.list_page(anas_list, latest_list_comments=3)
    assert _items(page) == _items(full)
    assert (page.item_count, page.comment_count) == (full.item_count, full.comment_count) == (3, 4)
    threads = {item.pk: item.thread for item in full.items}
    assert {item.pk: item.comment_count for item in page.items} == {pk: len(t) for pk, t in threads.items()} == {
        lamp.pk: 4, bowl.pk: 1, anas_list.items.get(product__sku="SOFA-2").pk: 0}
    assert all(item.thread == [] and not item.is_thread_read for item in page.items)
    assert _pks(page.comments) == _pks(full.comments)[-3:]
    assert [item.created_at for item in page.items] == [None, None, None]

    opened = selectors.list_page(anas_list, latest_list_comments=3, expanded={lamp.pk, None})
    assert _pks(opened.comments) == _pks(full.comments)
    opened_items = {item.pk: item for item in opened.items}
    assert _pks(opened_items[lamp.pk].thread) == _pks(threads[lamp.pk]) and opened_items[lamp.pk].is_thread_read
    assert opened_items[bowl.pk].thread == [] and not opened_items[bowl.pk].is_thread_read
    assert _pks(selectors.item_thread(lamp)) == _pks(threads[lamp.pk])
    assert [comment.body for comment in selectors.item_thread(lamp)] == ["Lamp 0", "Lamp 1", "Lamp 2", "Lamp 3"]


def test_an_empty_list_reads_as_empty(world, as_actor):
    empty = services.create_list(as_actor(world.ana), world.anas_customer, "Empty")
    page = selectors.list_page(empty, expanded={None, 5})
    assert (page.rooms, page.comments, page.item_count, page.comment_count) == ([], [], 0, 0)
