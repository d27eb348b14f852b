"""The conventions of API.md every endpoint shares: pagination, error shapes, ids, money and times."""

import json

import pytest

from tests.api.conftest import API, snapshot
from tests.factories import make_customer


def test_lists_page_with_limit_and_offset_and_count_everything(world, admin_api):
    for n in range(5):
        make_customer(world.north, f"Page{n}", "Zz")
    first = admin_api.get(f"{API}/customers", {"limit": 4, "offset": 0}).json()
    last = admin_api.get(f"{API}/customers", {"limit": 4, "offset": 8}).json()
    assert first["count"] == last["count"] == 11
    assert len(first["items"]) == 4
    assert [item["first_name"] for item in first["items"]] == ["Alice", "Beatriz", "Carla", "Daniel"]
    assert [item["first_name"] for item in last["items"]] == ["Page2", "Page3", "Page4"]
    beyond = admin_api.get(f"{API}/customers", {"offset": 100}).json()
    assert beyond == {"items": [], "count": 11}


@pytest.mark.parametrize(
    "path",
    [
        "/customers",
        "/orders",
        "/stores",
        "/associates",
        "/customer-groups",
        "/businesses",
        "/agencies",
        "/products",
    ],
)
def test_paging_parameters_out_of_range_are_422_on_every_list(world, admin_api, path):
    for params, loc in [
        ({"limit": 0}, ["query", "limit"]),
        ({"limit": 201}, ["query", "limit"]),
        ({"limit": "ten"}, ["query", "limit"]),
        ({"offset": -1}, ["query", "offset"]),
        ({"offset": 10**30}, ["query", "offset"]),
    ]:
        response = admin_api.get(API + path, params)
        assert response.status_code == 422, params
        assert response.json()["detail"][0]["loc"] == loc


@pytest.mark.parametrize(
    ("path", "param"), [("/associates", "store_id"), ("/agencies", "business_id"), ("/orders", "customer_id")]
)
def test_an_id_filter_out_of_range_is_422_not_a_crash(world, admin_api, path, param):
    for value in ["0", "-3", "abc", str(2**64), "1e3"]:
        response = admin_api.get(API + path, {param: value})
        assert response.status_code == 422, value
        assert response.json()["detail"][0]["loc"] == ["query", param]


@pytest.mark.parametrize(
    "path", ["/customers/{id}", "/customers/{id}/reps", "/orders/{id}", "/stores/{id}", "/associates/{id}"]
)
def test_a_path_id_out_of_range_is_422_and_an_unknown_one_404(world, admin_api, path):
    for value in ["0", "-1", "abc", str(2**63), "99999999999999999999999999"]:
        assert admin_api.get(API + path.format(id=value)).status_code == 422, value
    assert admin_api.get(API + path.format(id=2**63 - 1)).status_code == 404


def test_invalid_input_names_the_field_in_the_same_shape_as_rule_errors(world, admin_api):
    by_schema = admin_api.post(f"{API}/customers", {"store_id": "north"}, content_type="application/json")
    by_rule = admin_api.post(f"{API}/customers", {"store_id": 987654}, content_type="application/json")
    assert by_schema.status_code == by_rule.status_code == 422
    assert by_schema.json()["detail"][0]["loc"] == by_rule.json()["detail"][0]["loc"] == ["body", "store_id"]
    assert isinstance(by_schema.json()["detail"][0]["msg"], str)
    assert by_rule.json()["detail"][0]["msg"] == "Unknown store."


def test_a_body_that_is_not_a_json_object_is_a_422(world, admin_api):
    before = snapshot()
    for raw in [
        "{not json",
        "",
        "[1, 2]",
        "null",
        '"text"',
        '{"store_id": NaN}',
        '{"store_id": Infinity}',
        "[" * 5000 + "]" * 5000,
        b"\xff\xfe",
    ]:
        response = admin_api.generic("POST", f"{API}/customers", raw, content_type="application/json")
        assert response.status_code == 422, raw
        assert response.json()["detail"][0]["loc"][0] == "body"
    assert snapshot() == before


def test_text_with_a_nul_character_is_refused_where_it_is(world, admin_api):
    before = snapshot()
    body = {"store_id": world.north.pk, "first_name": "Nu\x00l", "tags": ["ok", "b\x00d"]}
    response = admin_api.post(f"{API}/customers", body, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] in (["body", "first_name"], ["body", "tags", 1])
    search = admin_api.get(f"{API}/customers", {"q": "a\x00"})
    assert search.status_code == 422
    assert search.json()["detail"][0]["loc"] == ["query", "q"]
    assert snapshot() == before


def test_a_form_encoded_body_is_refused_as_invalid_json(world, admin_api):
    response = admin_api.post(f"{API}/customers", {"store_id": world.north.pk})
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"loc": ["body"], "msg": "The body is not valid JSON.", "type": "value_error"}
    ]


def test_ids_are_integers_money_has_two_places_and_times_carry_a_zone(world, admin_api):
    order = admin_api.post(
        f"{API}/orders",
        {
            "external_id": "W-1",
            "customer_id": world.anas_customer.pk,
            "discount": 1,
            "lines": [{"sku": "A", "quantity": 3, "unit_price": "3.3"}],
        },
        content_type="application/json",
    ).json()
    assert isinstance(order["id"], int)
    assert (order["subtotal"], order["discount"], order["total"], order["lines"][0]["unit_price"]) == (
        "9.90",
        "1.00",
        "8.90",
        "3.30",
    )
    assert order["placed_at"].endswith("Z")
    customer = admin_api.get(f"{API}/customers/{world.anas_customer.pk}").json()
    assert customer["created_at"].endswith("Z")


def test_unknown_routes_and_methods_are_client_errors(world, admin_api):
    assert admin_api.get(f"{API}/nothing-here").status_code == 404
    assert admin_api.delete(f"{API}/customers/{world.anas_customer.pk}").status_code == 405


def test_the_schema_documents_additive_fields(world, client):
    schema = client.get(f"{API}/openapi.json").json()
    components = schema["components"]["schemas"]
    assert {"tel_url", "mailto_url", "photo_url"} <= set(components["RepOut"]["properties"])
    assert "unchanged" in components["BulkOut"]["properties"]
    assert "influencer_id" in components["AttributionOut"]["properties"]
    assert json.dumps(schema)
