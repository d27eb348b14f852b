"""The demo shop embeds the widget as an outside storefront would, and marks its products."""

import re

import pytest
from django.test import Client

from shopfloor.catalog.models import Category, Product
from shopfloor.widget.services import Kind, verify_identity

SCRIPT = re.compile(r'<script type="module" src="([^"]+)" data-store="([^"]+)"(?: data-identity="([^"]+)" '
                    r'data-signature="([0-9a-f]+)")?></script>')


@pytest.fixture
def shop(world, settings):
    settings.SHOPFLOOR = {**settings.SHOPFLOOR, "DEMO_SHOP_STORE": world.north.code}
    lamps = Category.objects.create(name="Lamps", slug="lamps")
    Product.objects.create(sku="LAMP-1", name="Oak lamp", price="120.00", category=lamps)
    return world


def _script(client, path):
    response = client.get(path)
    assert response.status_code == 200
    match = SCRIPT.search(response.content.decode())
    assert match, "no widget script on the page"
    return match.groups()


def test_an_anonymous_visitor_gets_the_script_without_an_identity(shop):
    src, key, identity, signature = _script(Client(), "/shop/")

    assert src == "http://testserver/widget.js"
    assert key == shop.north.widget_key
    assert identity is None and signature is None


def test_a_signed_in_associate_is_embedded_by_email_with_a_valid_signature(shop):
    client = Client()
    client.force_login(shop.ana.user)

    _, _, identity, signature = _script(client, "/shop/collections/lamps/")

    assert identity.startswith("email:ana@example.com|")
    verified = verify_identity(shop.north, identity, signature)
    assert (verified.kind, verified.associate_id) == (Kind.ASSOCIATE, shop.ana.pk)


def test_a_signed_in_shopper_is_embedded_by_their_login_and_verified_as_that_customer(shop):
    client = Client()
    client.force_login(shop.shopper.user)

    _, _, identity, signature = _script(client, "/shop/products/LAMP-1/")

    assert identity.startswith("email:filipa@example.com|")
    verified = verify_identity(shop.north, identity, signature)
    assert (verified.kind, verified.customer_id) == (Kind.CUSTOMER, shop.shopper.pk)


def test_embedding_the_widget_costs_the_page_no_query(shop, django_assert_num_queries):
    from django.template import Context, Template
    from django.test import RequestFactory

    request = RequestFactory().get("/shop/")
    request.user = shop.ana.user
    template = Template("{% load widget_tags %}{% shopfloor_widget %}")

    with django_assert_num_queries(0):
        html = template.render(Context({"request": request, "store": shop.north}))
    assert 'data-identity="email:ana@example.com|' in html


def test_collection_and_product_pages_mark_their_products(shop):
    client = Client()

    collection = client.get("/shop/collections/lamps/").content.decode()
    product = client.get("/shop/products/LAMP-1/").content.decode()

    assert 'data-shopfloor-sku="LAMP-1" data-shopfloor-name="Oak lamp"' in collection
    assert 'data-shopfloor-sku="LAMP-1"' in product
    assert "data-shopfloor-save-slot" in product
