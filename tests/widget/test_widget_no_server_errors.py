"""Whatever a page (or anyone) sends the widget, the answer is a 2xx or a 4xx, never a 5xx."""

import json

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shopfloor.lists.models import ListItem
from shopfloor.widget.services import sign_identity, verify_identity

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=8,
)
FIELDS = ["store", "identity", "signature", "list_ids", "sku", "room", "quantity", "note", "first_name",
          "last_name", "email", "phone", "name"]
bodies = st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=6) | json_values
SLOW = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture
def ana_token(world, products):
    from tests.widget.conftest import start_session

    return start_session(world.north, email="ana@example.com")[1]["token"]


@SLOW
@given(body=bodies)
def test_the_panel_endpoints_answer_any_json_with_a_4xx_or_success(world, ana_token, body):
    client = Client(headers={"X-Shopfloor-Widget": ana_token})
    for path in ("/widget/save", "/widget/customers", f"/widget/customers/{world.anas_customer.pk}/lists",
                 "/widget/session"):
        response = client.post(path, json.dumps(body), content_type="application/json")
        assert response.status_code < 500, (path, body, response.content[:300])
    ListItem.objects.all().delete()


@SLOW
@given(identity=st.text(max_size=60), signature=st.text(max_size=70))
def test_any_identity_and_signature_text_is_verified_without_an_error(world, identity, signature):
    assert verify_identity(world.north, identity, signature).kind in ("anonymous", "customer", "associate")


@SLOW
@given(query=st.text(max_size=120), path_id=st.integers(0, 2**70))
def test_any_search_or_customer_id_in_the_path_is_answered(world, ana_token, query, path_id):
    client = Client(headers={"X-Shopfloor-Widget": ana_token})

    assert client.get("/widget/customers", {"q": query}).status_code == 200
    assert client.get(f"/widget/customers/{path_id}/lists").status_code in (404, 200)


def test_a_non_ascii_signature_is_anonymous(world):
    identity, _ = sign_identity(world.north, email="ana@example.com")

    assert verify_identity(world.north, identity, "é" * 64).kind == "anonymous"


def test_text_that_is_not_valid_unicode_is_422(world, ana_token):
    client = Client(headers={"X-Shopfloor-Widget": ana_token})

    response = client.post("/widget/customers", '{"first_name": "\\ud800"}', content_type="application/json")

    assert response.status_code == 422


@pytest.mark.parametrize("path, body", [
    ("/widget/customers", {"first_name": "Rui\x00"}),
    ("/widget/save", {"list_ids": [1], "sku": "LIN-1", "room": "Hall\x00"}),
])
def test_text_with_a_nul_character_is_422(world, ana_token, path, body):
    client = Client(headers={"X-Shopfloor-Widget": ana_token})

    response = client.post(path, json.dumps(body), content_type="application/json")

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "body"]


def test_a_nul_character_in_a_search_is_ignored(world, ana_token):
    client = Client(headers={"X-Shopfloor-Widget": ana_token})

    response = client.get("/widget/customers", {"q": "Ali\x00ce"})

    assert [c["name"] for c in response.json()["items"]] == ["Alice Almeida"]


def test_a_store_key_with_a_nul_character_is_an_unknown_store(db):
    assert Client().get("/widget/session", {"store": "key\x00"}).status_code == 404
