"""Odd input on the console pages, the customer's pages and the API never answers a 5xx (SQLite and PostgreSQL)."""

import pytest
from django.test import Client

ODD = ["\x00", "²", "9" * 30, "-1", "<script>", "a\x00b", " " * 3, "é" * 300]


@pytest.fixture
def ana(world):
    client = Client(raise_request_exception=False)
    client.force_login(world.ana.user)
    return client


@pytest.mark.parametrize("value", ODD)
def test_console_forms_take_any_text(world, ana, make_look, make_lookbook, value):
    look = make_look(world.ana)
    lookbook = make_lookbook(world.ana, world.anas_customer)
    answers = [
        ana.post("/console/looks/new/", {"title": value, "message": value, "product": [value, "LGT-1"],
                                         f"note-{value}": value}),
        ana.get(f"/console/looks/{look.pk}/", {"q": value}),
        ana.post(f"/console/looks/{look.pk}/share/", {"customer": [value], "channel": value}),
        ana.get("/console/lookbooks/", {"status": value}),
        ana.get("/console/lookbooks/new/", {"customer": value}),
        ana.post("/console/lookbooks/new/", {"customer": world.anas_customer.pk, "title": value,
                                             "product": ["LGT-1"], "expires_on": value, "cover_sku": value}),
        ana.post(f"/console/lookbooks/{lookbook.pk}/", {"title": value, "product": [value], "expires_on": value}),
        ana.post(f"/console/customers/{world.anas_customer.pk}/message/", {
            "channel": value, "template": value, "subject": value, "body": value}),
        ana.get("/console/social/", {"q": value, "sku": value}),
    ]
    assert [response.status_code for response in answers if response.status_code >= 500] == []


@pytest.mark.parametrize("value", ODD)
def test_public_links_take_any_token(world, value):
    client = Client(raise_request_exception=False)
    for path in (f"/c/lookbook/{value}", f"/c/lookbook/{value}/p/1", f"/o/l/{value}", f"/o/unsubscribe/{value}"):
        assert client.get(path).status_code < 500
    assert client.post(f"/o/unsubscribe/{value}").status_code < 500


@pytest.mark.parametrize("value", ODD)
def test_the_api_takes_any_text(world, api_as, make_look, value):
    look = make_look(world.ana)
    api = api_as(world.ana.user)
    answers = [
        api.post("/api/v1/looks", {"title": value, "items": [{"sku": value, "note": value}]},
                 content_type="application/json"),
        api.post("/api/v1/lookbooks", {"customer_id": world.anas_customer.pk, "title": value,
                                       "items": [{"sku": "LGT-1", "note": value}], "cover_sku": value},
                 content_type="application/json"),
        api.post(f"/api/v1/looks/{look.pk}/share", {"customer_ids": [world.anas_customer.pk], "channel": value},
                 content_type="application/json"),
        api.post("/api/v1/outreach", {"customer_id": world.anas_customer.pk, "channel": "email", "subject": value,
                                      "body": value}, content_type="application/json"),
        api.get("/api/v1/lookbooks", {"status": value, "customer_id": value}),
    ]
    assert [response.status_code for response in answers if response.status_code >= 500] == []
