"""The demo shop's catalog pages: home, collections, product pages, search."""

from decimal import Decimal

import pytest

from shopfloor.catalog.services import upsert_product
from tests.factories import make_store


def add_product(sku, name, price, category="Lighting", in_stock=True):
    product, _ = upsert_product(None, {
        "sku": sku, "name": name, "price": Decimal(price), "category": category, "in_stock": in_stock,
        "url": f"/shop/products/{sku}/", "image_url": f"/shop/images/{sku}.svg",
    })
    return product


@pytest.fixture
def catalog(shop_store):
    return [
        add_product("LGT-1", "Alfama table lamp", "122.50"),
        add_product("LGT-2", "Belém floor lamp", "351.90"),
        add_product("LGT-3", "Douro candle holder", "32.00", in_stock=False),
        add_product("TAB-1", "Sintra ceramic bowl", "18.00", category="Tableware"),
    ]


def test_the_home_page_shows_each_collection_and_products_marked_with_their_sku(client, catalog):
    response = client.get("/shop/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="/shop/collections/lighting/"' in html
    assert 'href="/shop/collections/tableware/"' in html
    assert "3 products" in html and "1 product<" in html
    assert 'data-shopfloor-sku="LGT-1"' in html
    assert "Chiado" in html


def test_a_collection_lists_only_its_products_in_the_chosen_order(client, catalog):
    response = client.get("/shop/collections/lighting/?sort=price-asc")
    assert response.status_code == 200
    html = response.content.decode()
    positions = [html.index(f'data-shopfloor-sku="{sku}"') for sku in ("LGT-3", "LGT-1", "LGT-2")]
    assert positions == sorted(positions)
    assert 'data-shopfloor-sku="TAB-1"' not in html
    assert "Sold out" in html


def test_the_featured_order_puts_sold_out_products_last(client, catalog):
    html = client.get("/shop/collections/lighting/").content.decode()
    assert html.index('data-shopfloor-sku="LGT-2"') < html.index('data-shopfloor-sku="LGT-3"')


def test_an_unknown_sort_falls_back_to_featured(client, catalog):
    assert client.get("/shop/collections/lighting/?sort=%27;drop").status_code == 200


def test_a_collection_page_takes_a_fixed_number_of_queries(client, catalog, django_assert_max_num_queries):
    for number in range(20):
        add_product(f"EXTRA-{number}", f"Lamp {number}", "10.00")
    with django_assert_max_num_queries(5):
        response = client.get("/shop/collections/lighting/")
    assert response.content.decode().count("data-shopfloor-sku=") == 23


def test_the_product_page_carries_the_sku_name_and_price_for_the_widget(client, catalog):
    response = client.get("/shop/products/LGT-1/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-shopfloor-sku="LGT-1"' in html
    assert 'data-shopfloor-price="122.50"' in html
    assert "€122.50" in html
    assert "Add to bag" in html
    assert 'href="/shop/collections/lighting/"' in html
    # Related products from the same collection.
    assert 'data-shopfloor-sku="LGT-2"' in html


def test_a_sold_out_product_offers_no_add_to_bag_button(client, catalog):
    html = client.get("/shop/products/LGT-3/").content.decode()
    assert "Sold out for now" in html
    assert "Add to bag" not in html


@pytest.mark.parametrize("path", ["/shop/products/NOPE/", "/shop/collections/nope/"])
def test_unknown_products_and_collections_are_not_found(client, catalog, path):
    assert client.get(path).status_code == 404


def test_search_finds_products_by_name_and_collection(client, catalog):
    html = client.get("/shop/search/?q=lamp").content.decode()
    assert 'data-shopfloor-sku="LGT-1"' in html and 'data-shopfloor-sku="LGT-2"' in html
    assert 'data-shopfloor-sku="TAB-1"' not in html
    html = client.get("/shop/search/?q=tableware").content.decode()
    assert 'data-shopfloor-sku="TAB-1"' in html
    html = client.get("/shop/search/?q=zzz").content.decode()
    assert "Nothing matches" in html


def test_the_shop_sells_for_the_first_store_when_no_store_is_configured(client, db, settings):
    settings.SHOPFLOOR = {**settings.SHOPFLOOR, "DEMO_SHOP_STORE": ""}
    make_store("first", "First Store")
    make_store("second", "A Second Store")
    assert "First Store" in client.get("/shop/").content.decode()


def test_without_any_store_the_shop_says_it_is_not_open(client, db, settings):
    settings.SHOPFLOOR = {**settings.SHOPFLOOR, "DEMO_SHOP_STORE": ""}
    response = client.get("/shop/")
    assert response.status_code == 503
    assert "shopfloor demo" in response.content.decode()


def test_product_images_are_drawn_locally(client, catalog):
    response = client.get("/shop/images/LGT-1.svg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"


def test_pages_load_no_outside_resources(client, catalog):
    for path in ("/shop/", "/shop/collections/lighting/", "/shop/products/LGT-1/", "/shop/account/login/"):
        # The Shopfloor widget is embedded by absolute URL, as an outside storefront would: this server.
        html = client.get(path).content.decode().replace("http://testserver/widget.js", "/widget.js")
        assert "http://" not in html and "https://" not in html and "//fonts" not in html, path
