"""The console's list pages: the list grouped by room, edits, comments, the menu's actions, the index."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from shopfloor.lists import services
from shopfloor.lists.models import CustomerList, ListComment


@pytest.fixture
def console(world):
    def login(person):
        client = Client()
        client.force_login(getattr(person, "user", person))
        return client

    return login


def test_the_list_page_shows_items_grouped_by_room_with_their_threads(world, console, anas_list, as_actor):
    lamp = anas_list.items.get(product__sku="LAMP-1")
    services.add_comment(as_actor(world.ana), anas_list, "List-level <i>note</i>")
    services.add_comment(as_actor(world.ana), anas_list, "Lamp thread", item=lamp)
    response = console(world.ana).get(f"/console/lists/{anas_list.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert page.index("Living room") < page.index("Cork Table Lamp") < page.index("Kitchen") < page.index(
        "Stoneware Serving Bowl")
    assert "List-level note" in page
    # An item's thread is closed, with its count; it opens on demand (the thread/ fragment, or ?thread=).
    assert "Lamp thread" not in page
    assert f'data-fragment="/console/lists/{anas_list.pk}/items/{lamp.pk}/thread/"' in page
    assert f'href="?thread={lamp.pk}#item-{lamp.pk}">Read the 1 comment' in page
    assert "Notify customer" in page and "Duplicate" in page and "Print" in page and "Delete" in page


def test_the_list_page_of_another_associates_customer_is_404(world, console, anas_list):
    assert console(world.bruno).get(f"/console/lists/{anas_list.pk}/").status_code == 404
    assert console(world.nora).get(f"/console/lists/{anas_list.pk}/").status_code == 200


@pytest.mark.parametrize("action, data", [
    ("comments/", {"body": "sneaky"}),
    ("duplicate/", {}),
    ("delete/", {}),
    ("notify/", {}),
    ("rename/", {"name": "Mine now"}),
])
def test_another_associate_cannot_act_on_the_list_through_the_console(world, console, anas_list, action, data):
    response = console(world.bruno).post(f"/console/lists/{anas_list.pk}/{action}", data)
    assert response.status_code == 404
    anas_list.refresh_from_db()
    assert (anas_list.deleted_at, anas_list.name, anas_list.notified_at) == (None, "Living room refresh", None)
    assert CustomerList.objects.count() == 1
    assert not ListComment.objects.exists()


def test_editing_an_item_from_the_console(world, console, anas_list):
    lamp = anas_list.items.get(product__sku="LAMP-1")
    response = console(world.ana).post(f"/console/lists/{anas_list.pk}/items/{lamp.pk}/",
                                       {"quantity": "3", "room": "Study", "note": "Desk corner"})
    assert response.status_code == 302
    lamp.refresh_from_db()
    assert (lamp.quantity, lamp.room.name, lamp.note) == (3, "Study", "Desk corner")


def test_a_bad_quantity_in_the_console_shows_a_message_and_changes_nothing(world, console, anas_list):
    lamp = anas_list.items.get(product__sku="LAMP-1")
    response = console(world.ana).post(f"/console/lists/{anas_list.pk}/items/{lamp.pk}/",
                                       {"quantity": "-4", "room": "Study", "note": ""}, follow=True)
    assert "From 1 to 999" in response.content.decode()
    lamp.refresh_from_db()
    assert (lamp.quantity, lamp.room.name) == (2, "Living room")


def test_removing_an_item_and_commenting_from_the_console(world, console, anas_list):
    client = console(world.ana)
    bowl = anas_list.items.get(product__sku="BOWL-3")
    assert client.post(f"/console/lists/{anas_list.pk}/items/{bowl.pk}/remove/").status_code == 302
    assert not anas_list.items.filter(pk=bowl.pk).exists()
    lamp = anas_list.items.get(product__sku="LAMP-1")
    client.post(f"/console/lists/{anas_list.pk}/comments/", {"body": "On the list"})
    client.post(f"/console/lists/{anas_list.pk}/comments/", {"body": "On the lamp", "item_id": lamp.pk})
    assert list(ListComment.objects.order_by("id").values_list("body", "item_id")) == [
        ("On the list", None), ("On the lamp", lamp.pk)]


def test_delete_restore_and_duplicate_from_the_console(world, console, anas_list):
    client = console(world.ana)
    response = client.post(f"/console/lists/{anas_list.pk}/delete/")
    assert response["Location"] == "/console/lists/"
    index = client.get("/console/lists/").content.decode()
    assert "Recently deleted" in index and "Restore" in index
    assert client.get(f"/console/lists/{anas_list.pk}/").status_code == 404
    assert client.post(f"/console/lists/{anas_list.pk}/restore/").status_code == 302
    assert client.get(f"/console/lists/{anas_list.pk}/").status_code == 200
    page = client.get(f"/console/lists/{anas_list.pk}/duplicate/?q=filipa").content.decode()
    assert "Filipa Faria" in page
    response = client.post(f"/console/lists/{anas_list.pk}/duplicate/", {"customer_id": world.shopper.pk,
                                                                          "name": "Filipa's copy"})
    copy = CustomerList.objects.get(name="Filipa's copy")
    assert response["Location"] == f"/console/lists/{copy.pk}/"
    assert copy.customer == world.shopper and copy.items.count() == 3


def test_duplicating_for_a_hidden_customer_in_the_console_is_404(world, console, anas_list):
    response = console(world.ana).post(f"/console/lists/{anas_list.pk}/duplicate/",
                                       {"customer_id": world.brunos_customer.pk})
    assert response.status_code == 404
    assert CustomerList.objects.count() == 1


def test_notify_from_the_console_shows_the_link_to_copy(world, console, anas_list, django_capture_on_commit_callbacks):
    client = console(world.ana)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/console/lists/{anas_list.pk}/notify/")
    anas_list.refresh_from_db()
    page = client.get(f"/console/lists/{anas_list.pk}/").content.decode()
    assert services.collaboration_path(anas_list) in page
    assert "Revoke link" in page


def test_the_index_lists_what_the_user_sees_and_searches(world, console, anas_list):
    assert "Living room refresh" in console(world.ana).get("/console/lists/").content.decode()
    assert "Living room refresh" not in console(world.bruno).get("/console/lists/").content.decode()
    assert "Living room refresh" not in console(world.ana).get("/console/lists/?q=zzz").content.decode()
    assert "Living room refresh" in console(world.ana).get("/console/lists/?q=alice").content.decode()
    assert 'href="/console/lists/"' in console(world.ana).get("/console/lists/").content.decode()


def test_creating_a_list_from_the_customer_page(world, console):
    response = console(world.ana).post(f"/console/customers/{world.anas_customer.pk}/lists/new/", {"name": "Hall"})
    customer_list = CustomerList.objects.get()
    assert response["Location"] == f"/console/lists/{customer_list.pk}/"
    assert console(world.bruno).post(f"/console/customers/{world.anas_customer.pk}/lists/new/",
                                     {"name": "x"}).status_code == 404


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_list_page_and_api_use_as_many_queries_for_many_items_and_comments(world, console, api_as, anas_list,
                                                                               as_actor, products):
    client, api = console(world.ana), api_as(world.ana.user)
    page, detail = f"/console/lists/{anas_list.pk}/", f"/api/v1/lists/{anas_list.pk}"
    api.get(detail)  # the token's first use of the minute notes its last use
    before = (_queries(client, page), _queries(api, detail))
    ana = as_actor(world.ana)
    for room in ("Study", "Hall", "Porch"):
        for sku in products:
            services.save_product(ana, [anas_list], sku, room)
    for item in anas_list.items.all():
        services.add_comment(ana, anas_list, "Thread", item=item)
        services.add_comment(ana, anas_list, "List")
    assert (_queries(client, page), _queries(api, detail)) == before


def test_item_threads_are_closed_and_the_list_thread_shows_its_latest_comments(world, console, anas_list,
                                                                              as_actor):
    ana = as_actor(world.ana)
    lamp = anas_list.items.get(product__sku="LAMP-1")
    for number in range(1, 6):
        services.add_comment(ana, anas_list, f"Lamp note {number}", item=lamp)
    for number in range(1, 13):
        services.add_comment(ana, anas_list, f"List note {number:02d}")
    client = console(world.ana)
    page = client.get(f"/console/lists/{anas_list.pk}/").content.decode()
    assert "Lamp note" not in page
    assert f'href="?thread={lamp.pk}#item-{lamp.pk}">Read the 5 comments' in page
    assert "List note 02" not in page and "List note 03" in page and "List note 12" in page
    assert "Show all 12 comments" in page
    page = client.get(f"/console/lists/{anas_list.pk}/?thread={lamp.pk}&comments=all").content.decode()
    assert all(f"Lamp note {n}" in page for n in range(1, 6))
    assert page.index("Lamp note 1") < page.index("Lamp note 5")
    assert all(f"List note {n:02d}" in page for n in range(1, 13))
    assert "Show all" not in page
    fragment = f"/console/lists/{anas_list.pk}/items/{lamp.pk}/thread/"
    assert f'<details class="thread" data-fragment="{fragment}" open>' in page


def test_the_thread_fragment_holds_the_whole_thread_and_its_form(world, console, anas_list, as_actor):
    ana = as_actor(world.ana)
    lamp = anas_list.items.get(product__sku="LAMP-1")
    bowl = anas_list.items.get(product__sku="BOWL-3")
    for number in range(1, 5):
        services.add_comment(ana, anas_list, f"Lamp note {number}", item=lamp)
    services.add_comment(ana, anas_list, "Bowl note", item=bowl)
    services.add_comment(ana, anas_list, "On the list")
    response = console(world.ana).get(f"/console/lists/{anas_list.pk}/items/{lamp.pk}/thread/")
    assert response.status_code == 200
    fragment = response.content.decode()
    assert [fragment.index(f"Lamp note {n}") for n in range(1, 5)] == sorted(
        fragment.index(f"Lamp note {n}") for n in range(1, 5))
    assert "Bowl note" not in fragment and "On the list" not in fragment and "<html" not in fragment
    assert f'<input type="hidden" name="item_id" value="{lamp.pk}">' in fragment
    assert '<label class="visually-hidden" for="comment-item-' in fragment and "Comment on Cork Table Lamp" in fragment
    assert 'name="csrfmiddlewaretoken"' in fragment
    empty = console(world.ana).get(f"/console/lists/{anas_list.pk}/items/{bowl.pk}/thread/").content.decode()
    assert "Bowl note" in empty and "Lamp note" not in empty


def test_the_edit_fragment_holds_the_items_form_and_remove_button(world, console, anas_list):
    lamp = anas_list.items.get(product__sku="LAMP-1")
    response = console(world.ana).get(f"/console/lists/{anas_list.pk}/items/{lamp.pk}/edit/")
    assert response.status_code == 200
    fragment = response.content.decode()
    assert f'action="/console/lists/{anas_list.pk}/items/{lamp.pk}/"' in fragment
    assert f'action="/console/lists/{anas_list.pk}/items/{lamp.pk}/remove/"' in fragment
    assert f'id="qty-{lamp.pk}" type="number" name="quantity" min="1" max="999" value="2"' in fragment
    assert 'name="room" value="Living room"' in fragment
    assert ">By the reading chair</textarea>" in fragment
    assert 'data-confirm="Remove Cork Table Lamp from the list?"' in fragment


def test_without_scripts_the_page_opens_one_items_form_or_thread(world, console, anas_list):
    lamp = anas_list.items.get(product__sku="LAMP-1")
    client = console(world.ana)
    page = client.get(f"/console/lists/{anas_list.pk}/").content.decode()
    assert 'name="quantity"' not in page and f'href="?edit={lamp.pk}#item-{lamp.pk}">Edit Cork Table Lamp' in page
    page = client.get(f"/console/lists/{anas_list.pk}/?edit={lamp.pk}").content.decode()
    assert page.count('name="quantity"') == 1 and f'id="qty-{lamp.pk}"' in page
    assert page.count('name="item_id"') == 0
    page = client.get(f"/console/lists/{anas_list.pk}/?thread={lamp.pk}").content.decode()
    assert page.count('name="item_id"') == 1 and f'value="{lamp.pk}"' in page


@pytest.mark.parametrize("query", ["thread=abc", "thread=-1", "thread=0", f"thread={10**30}", "edit=1.5",
                                   f"edit={10**30}", "thread=%EF%BC%91", "edit=", "comments=nope",
                                   "thread=" + "9" * 5000, "edit=0" + "1" * 19])
def test_odd_thread_and_edit_parameters_show_the_page_as_usual(world, console, anas_list, query):
    response = console(world.ana).get(f"/console/lists/{anas_list.pk}/?{query}")
    assert response.status_code == 200
    assert 'name="quantity"' not in response.content.decode()


@pytest.mark.parametrize("part", ["edit", "thread"])
def test_the_fragments_of_a_hidden_list_or_another_lists_item_are_404(world, console, anas_list, as_actor, part):
    lamp = anas_list.items.get(product__sku="LAMP-1")
    other = services.create_list(as_actor(world.ana), world.anas_customer, "Other")
    assert console(world.bruno).get(f"/console/lists/{anas_list.pk}/items/{lamp.pk}/{part}/").status_code == 404
    assert console(world.ana).get(f"/console/lists/{other.pk}/items/{lamp.pk}/{part}/").status_code == 404
    assert console(world.ana).get(f"/console/lists/{anas_list.pk}/items/{10**30}/{part}/").status_code == 404
    assert console(world.nora).get(f"/console/lists/{anas_list.pk}/items/{lamp.pk}/{part}/").status_code == 200
    assert console(world.ana).post(f"/console/lists/{anas_list.pk}/items/{lamp.pk}/{part}/").status_code == 405
    anonymous = Client().get(f"/console/lists/{anas_list.pk}/items/{lamp.pk}/{part}/")
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]


def test_after_commenting_on_an_item_the_page_opens_its_thread(world, console, anas_list):
    lamp = anas_list.items.get(product__sku="LAMP-1")
    client = console(world.ana)
    response = client.post(f"/console/lists/{anas_list.pk}/comments/", {"body": "On the lamp", "item_id": lamp.pk})
    created = ListComment.objects.get()
    assert response["Location"] == f"/console/lists/{anas_list.pk}/?thread={lamp.pk}#comment-{created.pk}"
    assert "On the lamp" in client.get(response["Location"]).content.decode()
    response = client.post(f"/console/lists/{anas_list.pk}/comments/", {"body": "On the list"})
    assert response["Location"] == f"/console/lists/{anas_list.pk}/#comment-{created.pk + 1}"
    response = client.post(f"/console/lists/{anas_list.pk}/comments/", {"body": "", "item_id": lamp.pk})
    assert response["Location"] == f"/console/lists/{anas_list.pk}/?thread={lamp.pk}#item-{lamp.pk}"
    assert ListComment.objects.count() == 2


def test_a_refused_edit_reopens_the_items_form(world, console, anas_list):
    lamp = anas_list.items.get(product__sku="LAMP-1")
    response = console(world.ana).post(f"/console/lists/{anas_list.pk}/items/{lamp.pk}/", {"quantity": "0"})
    assert response["Location"] == f"/console/lists/{anas_list.pk}/?edit={lamp.pk}#item-{lamp.pk}"
    response = console(world.ana).post(f"/console/lists/{anas_list.pk}/items/{lamp.pk}/", {"quantity": "4"})
    assert response["Location"] == f"/console/lists/{anas_list.pk}/#item-{lamp.pk}"


def test_comment_bodies_are_escaped_and_links_made_clickable_on_the_page(world, console, anas_list, as_actor):
    services.add_comment(as_actor(world.ana), anas_list, "See https://example.com/lamp &lt;b&gt;now&lt;/b&gt;\nok")
    page = console(world.ana).get(f"/console/lists/{anas_list.pk}/").content.decode()
    link = '<a href="https://example.com/lamp" rel="nofollow">https://example.com/lamp</a>'
    assert f"See {link} &lt;b&gt;now&lt;/b&gt;<br>ok" in page


def test_renaming_a_list_from_the_menu(world, console, anas_list):
    client = console(world.ana)
    assert client.post(f"/console/lists/{anas_list.pk}/rename/", {"name": "  Lounge  "}).status_code == 302
    anas_list.refresh_from_db()
    assert anas_list.name == "Lounge"
    response = client.post(f"/console/lists/{anas_list.pk}/rename/", {"name": ""}, follow=True)
    assert "The name was not changed: May not be empty." in response.content.decode()
    anas_list.refresh_from_db()
    assert anas_list.name == "Lounge"


@pytest.mark.parametrize("item_id", ["abc", str(10**30), "-1", "1.5"])
def test_odd_item_ids_in_forms_answer_404_never_5xx(world, console, anas_list, item_id):
    response = console(world.ana).post(f"/console/lists/{anas_list.pk}/comments/", {"body": "x", "item_id": item_id})
    assert response.status_code == 404
    assert not ListComment.objects.exists()


def test_huge_ids_in_urls_answer_404(world, console):
    client = console(world.ana)
    assert client.get(f"/console/lists/{10**30}/").status_code == 404
    assert client.post(f"/console/lists/{10**30}/items/{10**30}/", {"quantity": 2}).status_code == 404
    assert client.get(f"/c/lists/{10**30}/").status_code in (302, 404)
    assert client.get(f"/c/list/{10**30}-abc/").status_code == 404


def test_the_console_customer_page_shows_their_lists_and_starts_one(world, console, anas_list, as_actor):
    hidden = services.create_list(as_actor(world.ana), world.anas_customer, "Scrapped idea")
    services.delete_list(as_actor(world.ana), hidden)
    page = console(world.ana).get(f"/console/customers/{world.anas_customer.pk}/").content.decode()
    assert f'href="/console/lists/{anas_list.pk}/">Living room refresh</a>' in page
    assert "3 items" in page
    assert "Scrapped idea" not in page
    assert f'action="/console/customers/{world.anas_customer.pk}/lists/new/"' in page
