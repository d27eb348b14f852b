"""The lists API through HTTP: create, read grouped by room, items, comments, and who may do what."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from shopfloor.lists.models import MAX_COMMENT_LENGTH, CustomerList, ListComment, ListItem
from shopfloor.lists.selectors import iso_utc


def post(client, url, body=None, **extra):
    return client.post(url, json.dumps(body or {}), content_type="application/json", **extra)


def patch(client, url, body):
    return client.patch(url, json.dumps(body), content_type="application/json")


def test_an_associate_creates_a_list_for_their_customer(world, api_as):
    response = post(api_as(world.ana.user), "/api/v1/lists", {"customer_id": world.anas_customer.pk, "name": "Bedroom"})
    assert response.status_code == 201
    body = response.json()
    assert body["customer_id"] == world.anas_customer.pk
    assert body["name"] == "Bedroom"
    assert body["created_by_id"] == world.ana.user.pk
    assert body["deleted_at"] is None
    assert body["item_count"] == 0


def test_a_list_for_a_customer_the_associate_cannot_see_is_refused_as_unknown(world, api_as):
    response = post(api_as(world.ana.user), "/api/v1/lists", {"customer_id": world.brunos_customer.pk, "name": "X"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "customer_id"]
    assert not CustomerList.objects.exists()


def test_an_empty_name_answers_422_naming_the_field(world, api_as):
    response = post(api_as(world.ana.user), "/api/v1/lists", {"customer_id": world.anas_customer.pk, "name": ""})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "name"]


def test_the_list_comes_back_with_items_grouped_by_room_and_comments(world, api_as, anas_list):
    client = api_as(world.ana.user)
    lamp = anas_list.items.get(product__sku="LAMP-1")
    post(client, f"/api/v1/lists/{anas_list.pk}/comments", {"body": "Shall we add a rug?"})
    post(client, f"/api/v1/lists/{anas_list.pk}/items/{lamp.pk}/comments", {"body": "Warm white bulb"})
    response = client.get(f"/api/v1/lists/{anas_list.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["item_count"] == 3
    assert [room["name"] for room in body["rooms"]] == ["Living room", "Kitchen"]
    living = body["rooms"][0]["items"]
    assert [(item["sku"], item["quantity"], item["note"]) for item in living] == [
        ("LAMP-1", 2, "By the reading chair"), ("SOFA-2", 1, ""),
    ]
    assert [c["body"] for c in living[0]["comments"]] == ["Warm white bulb"]
    assert living[1]["comments"] == []
    assert [(c["body"], c["author"], c["by_customer"]) for c in body["comments"]] == [
        ("Shall we add a rug?", "Ana Pop", False),
    ]


def test_lists_page_shows_only_what_the_caller_sees(world, api_as, anas_list):
    assert api_as(world.ana.user).get("/api/v1/lists").json()["count"] == 1
    assert api_as(world.nora.user).get("/api/v1/lists").json()["count"] == 1
    assert api_as(world.bruno.user).get("/api/v1/lists").json() == {"items": [], "count": 0}
    assert api_as(world.tom.user).get("/api/v1/lists").json()["count"] == 0
    page = api_as(world.admin).get(f"/api/v1/lists?customer_id={world.anas_customer.pk}").json()
    assert [item["id"] for item in page["items"]] == [anas_list.pk]


def test_saving_the_same_product_into_the_same_room_adds_to_its_quantity(world, api_as, anas_list):
    client = api_as(world.ana.user)
    response = post(client, f"/api/v1/lists/{anas_list.pk}/items",
                    {"sku": "LAMP-1", "room": "living room", "quantity": 3})
    assert response.status_code == 201
    assert response.json()["quantity"] == 5
    assert response.json()["room"] == "Living room"
    assert anas_list.items.count() == 3


def test_an_item_is_added_into_a_new_room_and_an_unknown_sku_is_422(world, api_as, anas_list):
    client = api_as(world.ana.user)
    response = post(client, f"/api/v1/lists/{anas_list.pk}/items", {"sku": "RUG-4", "room": "Hall", "note": "2.5 m"})
    assert response.status_code == 201
    assert (response.json()["room"], response.json()["note"]) == ("Hall", "2.5 m")
    response = post(client, f"/api/v1/lists/{anas_list.pk}/items", {"sku": "NOPE", "room": "Hall"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "sku"]
    assert anas_list.items.count() == 4


def test_save_puts_one_product_into_every_selected_list_or_none(world, api_as, anas_list, products):
    client = api_as(world.ana.user)
    second = post(client, "/api/v1/lists", {"customer_id": world.anas_customer.pk, "name": "Second home"}).json()
    response = post(client, "/api/v1/lists/save",
                    {"list_ids": [anas_list.pk, second["id"]], "sku": "RUG-4", "room": "Hall", "quantity": 2})
    assert response.status_code == 201
    assert sorted(ListItem.objects.filter(product__sku="RUG-4").values_list("list_id", flat=True)) == sorted(
        [anas_list.pk, second["id"]])
    # One invisible list refuses the whole save.
    brunos = CustomerList.objects.create(customer=world.brunos_customer, name="Bruno's")
    response = post(client, "/api/v1/lists/save", {"list_ids": [anas_list.pk, brunos.pk], "sku": "BOWL-3",
                                                   "room": "Dining"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][:2] == ["body", "list_ids"]
    assert not ListItem.objects.filter(room__name="Dining").exists()


def test_an_item_changes_quantity_room_and_note(world, api_as, anas_list):
    client = api_as(world.ana.user)
    bowl = anas_list.items.get(product__sku="BOWL-3")
    response = patch(client, f"/api/v1/lists/{anas_list.pk}/items/{bowl.pk}",
                     {"quantity": 4, "room": "Dining room", "note": "Set of four"})
    assert response.status_code == 200
    assert (response.json()["quantity"], response.json()["room"], response.json()["note"]) == (4, "Dining room",
                                                                                               "Set of four")
    # The kitchen held only the bowl, so it is gone.
    assert list(anas_list.rooms.values_list("name", flat=True)) == ["Living room", "Dining room"]


@pytest.mark.parametrize("body, field", [({"quantity": 0}, "quantity"), ({"quantity": 10_000}, "quantity"),
                                         ({"room": ""}, "room"), ({"note": "x" * 1001}, "note")])
def test_bad_item_changes_answer_422_and_change_nothing(world, api_as, anas_list, body, field):
    lamp = anas_list.items.get(product__sku="LAMP-1")
    response = patch(api_as(world.ana.user), f"/api/v1/lists/{anas_list.pk}/items/{lamp.pk}", body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == field
    lamp.refresh_from_db()
    assert (lamp.quantity, lamp.room.name, lamp.note) == (2, "Living room", "By the reading chair")


def test_moving_an_item_into_a_room_that_has_the_product_is_a_conflict(world, api_as, anas_list):
    client = api_as(world.ana.user)
    post(client, f"/api/v1/lists/{anas_list.pk}/items", {"sku": "LAMP-1", "room": "Kitchen"})
    lamp = anas_list.items.get(product__sku="LAMP-1", room__name="Living room")
    assert patch(client, f"/api/v1/lists/{anas_list.pk}/items/{lamp.pk}", {"room": "Kitchen"}).status_code == 409


def test_an_item_is_removed(world, api_as, anas_list):
    bowl = anas_list.items.get(product__sku="BOWL-3")
    response = api_as(world.ana.user).delete(f"/api/v1/lists/{anas_list.pk}/items/{bowl.pk}")
    assert response.status_code == 204
    assert not ListItem.objects.filter(pk=bowl.pk).exists()
    assert list(anas_list.rooms.values_list("name", flat=True)) == ["Living room"]


def test_an_item_of_another_list_is_not_found(world, api_as, anas_list):
    other = CustomerList.objects.create(customer=world.anas_customer, name="Other")
    lamp = anas_list.items.get(product__sku="LAMP-1")
    response = patch(api_as(world.ana.user), f"/api/v1/lists/{other.pk}/items/{lamp.pk}", {"quantity": 9})
    assert response.status_code == 404


def test_comments_are_sanitized_to_text_line_breaks_and_links(world, api_as, anas_list):
    client = api_as(world.ana.user)
    body = ('<script>alert(1)</script><b>Bold</b> idea\nsee <a href="https://shop.example/x" onclick="evil()">this'
            '</a> <a href="javascript:alert(1)">bad</a> <img src=x onerror=alert(1)>')
    response = post(client, f"/api/v1/lists/{anas_list.pk}/comments", {"body": body})
    assert response.status_code == 201
    assert response.json()["body"] == "Bold idea\nsee this (https://shop.example/x) bad"
    assert client.get(f"/api/v1/lists/{anas_list.pk}/comments").json()["count"] == 1


@pytest.mark.parametrize("body", ["", "   ", "<p></p>", "x" * (MAX_COMMENT_LENGTH + 1)])
def test_empty_or_too_long_comments_answer_422_and_write_nothing(world, api_as, anas_list, body):
    response = post(api_as(world.ana.user), f"/api/v1/lists/{anas_list.pk}/comments", {"body": body})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "body"]
    assert not ListComment.objects.exists()


def test_a_comment_of_exactly_the_limit_is_accepted(world, api_as, anas_list):
    body = "y" * MAX_COMMENT_LENGTH
    response = post(api_as(world.ana.user), f"/api/v1/lists/{anas_list.pk}/comments", {"body": body})
    assert response.status_code == 201


def test_item_comments_are_their_own_thread(world, api_as, anas_list):
    client = api_as(world.ana.user)
    lamp = anas_list.items.get(product__sku="LAMP-1")
    post(client, f"/api/v1/lists/{anas_list.pk}/items/{lamp.pk}/comments", {"body": "On the lamp"})
    post(client, f"/api/v1/lists/{anas_list.pk}/comments", {"body": "On the list"})
    thread = client.get(f"/api/v1/lists/{anas_list.pk}/items/{lamp.pk}/comments").json()
    assert [(c["body"], c["item_id"]) for c in thread["items"]] == [("On the lamp", lamp.pk)]
    assert [c["body"] for c in client.get(f"/api/v1/lists/{anas_list.pk}/comments").json()["items"]] == [
        "On the list"]


def test_renaming_a_list(world, api_as, anas_list):
    response = patch(api_as(world.ana.user), f"/api/v1/lists/{anas_list.pk}", {"name": "Lounge"})
    assert (response.status_code, response.json()["name"]) == (200, "Lounge")


# Who may do what ---------------------------------------------------------------------------------------

SEES = ["ana", "nora", "admin"]
HIDDEN = ["bruno", "tom", "sam"]


def _user(world, who):
    return world.admin if who == "admin" else getattr(world, who).user


@pytest.mark.parametrize("who", SEES + HIDDEN)
def test_reading_a_list_follows_the_customers_visibility(world, api_as, anas_list, who):
    response = api_as(_user(world, who)).get(f"/api/v1/lists/{anas_list.pk}")
    assert response.status_code == (200 if who in SEES else 404)


@pytest.mark.parametrize("who", HIDDEN)
def test_another_associates_customers_list_cannot_be_touched(world, api_as, anas_list, who):
    client = api_as(_user(world, who))
    lamp = anas_list.items.get(product__sku="LAMP-1")
    base = f"/api/v1/lists/{anas_list.pk}"
    assert post(client, f"{base}/comments", {"body": "Hi"}).status_code == 404
    assert post(client, f"{base}/items/{lamp.pk}/comments", {"body": "Hi"}).status_code == 404
    assert post(client, f"{base}/items", {"sku": "RUG-4", "room": "Hall"}).status_code == 404
    assert patch(client, f"{base}/items/{lamp.pk}", {"quantity": 9}).status_code == 404
    assert client.delete(f"{base}/items/{lamp.pk}").status_code == 404
    assert post(client, f"{base}/duplicate", {}).status_code == 404
    assert post(client, f"{base}/notify").status_code == 404
    assert client.delete(base).status_code == 404
    assert client.get(f"{base}.pdf").status_code == 404
    anas_list.refresh_from_db()
    assert anas_list.deleted_at is None
    assert CustomerList.objects.count() == 1
    assert not ListComment.objects.exists()
    assert anas_list.items.count() == 3
    lamp.refresh_from_db()
    assert lamp.quantity == 2


def test_a_customer_login_and_anonymous_callers_are_refused(world, api_as, anas_list):
    from django.test import Client

    assert api_as(world.shopper.user).get(f"/api/v1/lists/{anas_list.pk}").status_code == 403
    assert Client().get(f"/api/v1/lists/{anas_list.pk}").status_code == 401


def test_team_mode_associates_share_the_stores_customers_lists(world, api_as, products):
    client = api_as(world.tom.user)
    created = post(client, "/api/v1/lists", {"customer_id": world.tinas_customer.pk, "name": "Patio"})
    assert created.status_code == 201
    assert api_as(world.tina.user).get(f"/api/v1/lists/{created.json()['id']}").status_code == 200
    assert api_as(world.ana.user).get(f"/api/v1/lists/{created.json()['id']}").status_code == 404


def test_unknown_and_huge_ids_are_404_or_422_never_5xx(world, api_as):
    client = api_as(world.ana.user)
    assert client.get("/api/v1/lists/999999").status_code == 404
    assert client.get(f"/api/v1/lists/{2**70}").status_code in (404, 422)
    assert client.get("/api/v1/lists/abc").status_code == 404


@pytest.mark.parametrize("microsecond", [0, 500000, 120000, 1, 123456])
def test_the_lists_dates_read_as_text_equal_the_dates_the_models_hold(world, api_as, anas_list, microsecond):
    lamp = anas_list.items.get(product__sku="LAMP-1")
    client = api_as(world.ana.user)
    post(client, f"/api/v1/lists/{anas_list.pk}/comments", {"body": "On the list"})
    post(client, f"/api/v1/lists/{anas_list.pk}/items/{lamp.pk}/comments", {"body": "On the lamp"})
    moment = datetime(2026, 3, 9, 7, 5, 3, microsecond, tzinfo=UTC)
    ListComment.objects.filter(item__isnull=True).update(created_at=moment)
    ListItem.objects.filter(pk=lamp.pk).update(created_at=moment, updated_at=moment + timedelta(days=400))
    body = client.get(f"/api/v1/lists/{anas_list.pk}").json()
    written = moment.isoformat().replace("+00:00", "Z")
    assert body["comments"][0]["created_at"] == written
    living = body["rooms"][0]["items"]
    assert (living[0]["created_at"], living[0]["updated_at"]) == (
        written, (moment + timedelta(days=400)).isoformat().replace("+00:00", "Z"))
    for item in ListItem.objects.all():
        [row] = [row for room in body["rooms"] for row in room["items"] if row["id"] == item.pk]
        assert (row["created_at"], row["updated_at"]) == (
            item.created_at.isoformat().replace("+00:00", "Z"), item.updated_at.isoformat().replace("+00:00", "Z"))
    for comment in ListComment.objects.all():
        rows = body["comments"] + [c for room in body["rooms"] for item in room["items"] for c in item["comments"]]
        [row] = [row for row in rows if row["id"] == comment.pk]
        assert row["created_at"] == comment.created_at.isoformat().replace("+00:00", "Z")


@pytest.mark.parametrize("text, written", [
    ("2026-11-29 07:25:03.5+00", "2026-11-29T07:25:03.500000Z"),
    ("2026-11-29 07:25:03+00", "2026-11-29T07:25:03Z"),
    ("2026-11-29 07:25:03.123456", "2026-11-29T07:25:03.123456Z"),
    ("2026-11-29 07:25:03", "2026-11-29T07:25:03Z"),
    ("2026-11-29 08:25:03.25+01", "2026-11-29T07:25:03.250000Z"),
    ("2026-11-29 12:55:03+05:30", "2026-11-29T07:25:03Z"),
    ("2026-11-29T07:25:03.500000Z", "2026-11-29T07:25:03.500000Z"),
])
def test_database_datetimes_in_text_are_written_as_utc_iso_8601(text, written):
    assert iso_utc(text) == written
