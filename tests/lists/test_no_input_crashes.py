"""Odd input on the console's list pages, the customer's link pages and the lists API never answers a 5xx,
on SQLite and PostgreSQL (which refuses NUL characters in text)."""

import json

import pytest
from django.test import Client

from shopfloor.errors import InvalidInput
from shopfloor.lists import services
from shopfloor.lists.models import CustomerList, ListComment, ListItem

ODD = ["\x00", "²", "9" * 30, "-1", "<script>", "a\x00b", " " * 3, "é" * 300, "\x00" * 5]


@pytest.fixture
def ana(world):
    client = Client(raise_request_exception=False)
    client.force_login(world.ana.user)
    return client


def _json(client, method, url, body):
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("value", ODD)
def test_console_list_pages_take_any_text(world, ana, anas_list, value):
    lamp = anas_list.items.get(product__sku="LAMP-1")
    base = f"/console/lists/{anas_list.pk}/"
    answers = [
        ana.get("/console/lists/", {"q": value}),
        ana.get(base, {"thread": value, "edit": value, "comments": value}),
        ana.post(f"/console/customers/{world.anas_customer.pk}/lists/new/", {"name": value}),
        ana.post(f"{base}rename/", {"name": value}),
        ana.post(f"{base}items/{lamp.pk}/", {"quantity": value, "room": value, "note": value}),
        ana.post(f"{base}comments/", {"body": value, "item_id": value}),
        ana.post(f"{base}comments/", {"body": value}),
        ana.get(f"{base}duplicate/", {"q": value}),
        ana.post(f"{base}duplicate/", {"customer_id": value, "name": value}),
    ]
    assert [response.status_code for response in answers if response.status_code >= 500] == []


@pytest.mark.parametrize("value", ODD)
def test_the_customers_link_pages_take_any_text(world, anas_list, value):
    anas_list.refresh_from_db()
    path = services.collaboration_path(anas_list)
    lamp = anas_list.items.get(product__sku="LAMP-1")
    client = Client(raise_request_exception=False)
    answers = [
        client.get(f"/c/list/{value}/"),
        client.post(f"{path}comment/", {"body": value, "item_id": value}),
        client.post(f"{path}comment/", {"body": value}),
        client.post(f"{path}items/{lamp.pk}/quantity/", {"quantity": value}),
    ]
    assert [response.status_code for response in answers if response.status_code >= 500] == []


@pytest.mark.parametrize("value", ODD)
def test_the_lists_api_takes_any_text(world, api_as, anas_list, value):
    api = api_as(world.ana.user)
    lamp = anas_list.items.get(product__sku="LAMP-1")
    base = f"/api/v1/lists/{anas_list.pk}"
    answers = [
        api.get("/api/v1/lists", {"q": value, "customer_id": value}),
        _json(api, "post", "/api/v1/lists", {"customer_id": world.anas_customer.pk, "name": value}),
        _json(api, "patch", base, {"name": value}),
        _json(api, "post", f"{base}/items", {"sku": value, "room": value, "note": value}),
        _json(api, "post", f"{base}/items", {"sku": "RUG-4", "room": value, "note": value}),
        _json(api, "post", "/api/v1/lists/save", {"list_ids": [anas_list.pk], "sku": "RUG-4", "room": value,
                                                  "note": value}),
        _json(api, "patch", f"{base}/items/{lamp.pk}", {"room": value, "note": value}),
        _json(api, "post", f"{base}/comments", {"body": value}),
        _json(api, "post", f"{base}/items/{lamp.pk}/comments", {"body": value}),
        _json(api, "post", f"{base}/duplicate", {"name": value}),
    ]
    assert [response.status_code for response in answers if response.status_code >= 500] == []


def test_nul_characters_are_refused_by_name_and_nothing_is_written(world, ana, api_as, anas_list):
    lamp = anas_list.items.get(product__sku="LAMP-1")
    api = api_as(world.ana.user)
    response = _json(api, "patch", f"/api/v1/lists/{anas_list.pk}/items/{lamp.pk}", {"note": "a\x00b"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "note"]
    response = _json(api, "post", "/api/v1/lists", {"customer_id": world.anas_customer.pk, "name": "a\x00b"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "name"]
    response = _json(api, "post", f"/api/v1/lists/{anas_list.pk}/items", {"sku": "RUG-4", "room": "Hall\x00"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "room"]
    lamp.refresh_from_db()
    assert lamp.note == "By the reading chair"
    assert CustomerList.objects.count() == 1 and ListItem.objects.count() == 3 and not ListComment.objects.exists()


def test_nul_characters_in_console_forms_are_refused_with_a_message(world, ana, anas_list):
    lamp = anas_list.items.get(product__sku="LAMP-1")
    base = f"/console/lists/{anas_list.pk}/"
    page = ana.post(f"{base}rename/", {"name": "Lounge\x00"}, follow=True).content.decode()
    assert "The name was not changed: Text may not contain NUL characters." in page
    page = ana.post(f"{base}items/{lamp.pk}/", {"quantity": "3", "room": "Study", "note": "x\x00"},
                    follow=True).content.decode()
    assert "Cork Table Lamp was not changed: Text may not contain NUL characters." in page
    response = ana.post(f"/console/customers/{world.anas_customer.pk}/lists/new/", {"name": "\x00"})
    assert response.status_code == 302
    anas_list.refresh_from_db()
    lamp.refresh_from_db()
    assert (anas_list.name, lamp.quantity, lamp.room.name) == ("Living room refresh", 2, "Living room")
    assert CustomerList.objects.count() == 1


def test_a_sku_with_a_nul_character_is_no_product(world, anas_list, as_actor):
    with pytest.raises(InvalidInput) as refused:
        services.save_product(as_actor(world.ana), [anas_list], "LAMP-1\x00", "Hall")
    assert refused.value.errors == [(("body", "sku"), "No product has this SKU.")]
    assert ListItem.objects.count() == 3
