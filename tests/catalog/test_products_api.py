"""/products and POST /products/bulk: the catalog, upserted by sku."""

import pytest

from shopfloor.catalog.models import Product
from tests.api.conftest import API, snapshot


def product(**fields):
    return {
        "sku": "SOFA-1",
        "name": "Sofa Oslo",
        "url": "/p/sofa-oslo",
        "image_url": "https://cdn.example.com/s.jpg",
        "price": "899.9",
        "category": "Living room",
        "in_stock": True,
        **fields,
    }


def test_a_product_is_created_then_updated_by_its_sku(world, admin_api):
    created = admin_api.post(f"{API}/products", product(), content_type="application/json")
    assert created.status_code == 201
    assert created.json() == {
        "id": created.json()["id"],
        "sku": "SOFA-1",
        "name": "Sofa Oslo",
        "url": "/p/sofa-oslo",
        "image_url": "https://cdn.example.com/s.jpg",
        "price": "899.90",
        "category": "Living room",
        "in_stock": True,
    }
    updated = admin_api.post(
        f"{API}/products", product(price="799", in_stock=False), content_type="application/json"
    )
    assert updated.status_code == 200
    assert (updated.json()["id"], updated.json()["price"], updated.json()["in_stock"]) == (
        created.json()["id"],
        "799.00",
        False,
    )
    assert Product.objects.count() == 1


def test_bulk_upserts_good_rows_and_reports_bad_ones_by_index(world, admin_api):
    Product.objects.create(sku="LAMP-2", name="Lamp", price="10.00")
    response = admin_api.post(
        f"{API}/products/bulk",
        {
            "products": [
                product(),
                product(sku="LAMP-2", name="Lamp Arco", price="49.5"),
                product(sku="BAD", price="-1"),
                product(sku="BAD-URL", url="javascript:alert(1)"),
                {"sku": "NO-NAME"},
                7,
            ]
        },
        content_type="application/json",
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["created"], body["updated"]) == (1, 1)
    assert [
        (error["index"], error["sku"], [d["loc"] for d in error["detail"]]) for error in body["errors"]
    ] == [
        (2, "BAD", [["body", "products", 2, "price"]]),
        (3, "BAD-URL", [["body", "products", 3, "url"]]),
        (4, "NO-NAME", [["body", "products", 4, "name"], ["body", "products", 4, "price"]]),
        (5, None, [["body", "products", 5]]),
    ]
    assert sorted((sku, str(price)) for sku, price in Product.objects.values_list("sku", "price")) == [
        ("LAMP-2", "49.50"),
        ("SOFA-1", "899.90"),
    ]


@pytest.mark.parametrize(
    ("fields", "loc"),
    [
        ({"price": "-0.01"}, ["body", "price"]),
        ({"price": "1.234"}, ["body", "price"]),
        ({"price": "NaN"}, ["body", "price"]),
        ({"sku": ""}, ["body", "sku"]),
        ({"url": "ftp://x"}, ["body", "url"]),
        ({"image_url": "data:image/png;base64,AA"}, ["body", "image_url"]),
    ],
)
def test_an_invalid_product_is_refused_naming_the_field(world, admin_api, fields, loc):
    before = snapshot()
    response = admin_api.post(f"{API}/products", product(**fields), content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == loc
    assert snapshot() == before
    assert Product.objects.count() == 0


def test_staff_search_the_catalog_and_only_admins_write_it(world, admin_api, api_as):
    admin_api.post(f"{API}/products", product(), content_type="application/json")
    admin_api.post(
        f"{API}/products",
        product(sku="LAMP-2", name="Lamp Arco", category="Lighting"),
        content_type="application/json",
    )
    ana = api_as(world.ana.user)
    assert [p["sku"] for p in ana.get(f"{API}/products", {"q": "lamp"}).json()["items"]] == ["LAMP-2"]
    assert [p["sku"] for p in ana.get(f"{API}/products", {"category": "Living room"}).json()["items"]] == [
        "SOFA-1"
    ]
    assert ana.post(f"{API}/products", product(sku="NEW"), content_type="application/json").status_code == 403
    assert (
        ana.post(
            f"{API}/products/bulk", {"products": [product(sku="NEW")]}, content_type="application/json"
        ).status_code
        == 403
    )
    assert Product.objects.count() == 2
