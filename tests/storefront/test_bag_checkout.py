"""The demo shop's bag lives in the session; checkout records the order through the orders service."""

from decimal import Decimal

import pytest

from shopfloor.attribution.models import AttributionRule
from shopfloor.catalog.services import upsert_product
from shopfloor.customers.models import CustomerStatus
from shopfloor.orders.models import Order
from tests.factories import make_customer, make_user


@pytest.fixture
def products(shop_store):
    lamp, _ = upsert_product(None, {"sku": "LGT-1", "name": "Alfama table lamp", "price": Decimal("122.50")})
    bowl, _ = upsert_product(None, {"sku": "TAB-1", "name": "Sintra bowl", "price": Decimal("18.00")})
    gone, _ = upsert_product(None, {"sku": "GONE-1", "name": "Sold out vase", "price": Decimal("9.00"),
                                    "in_stock": False})
    return lamp, bowl, gone


@pytest.fixture
def shopper(shop_store, rep):
    return make_customer(shop_store, "Carolina", "Mendes", primary=rep,
                         user=make_user("carolina@example.com"))


def test_adding_to_the_bag_answers_json_for_the_script_and_counts_the_items(client, products):
    response = client.post("/shop/bag/add/", {"sku": "LGT-1", "quantity": "2"},
                           headers={"Accept": "application/json"})
    assert response.json() == {"bag_count": 2, "name": "Alfama table lamp"}
    response = client.post("/shop/bag/add/", {"sku": "TAB-1"})
    assert response.status_code == 302 and response["Location"] == "/shop/bag/"
    html = client.get("/shop/bag/").content.decode()
    assert "€263.00" in html  # 2 × 122.50 + 18.00, free delivery over €80
    assert "Free" in html


def test_a_small_bag_pays_for_delivery(client, products):
    client.post("/shop/bag/add/", {"sku": "TAB-1"})
    html = client.get("/shop/bag/").content.decode()
    assert "€6.90" in html and "€24.90" in html


def test_a_sold_out_or_unknown_product_cannot_go_in_the_bag(client, products):
    client.post("/shop/bag/add/", {"sku": "GONE-1"})
    assert client.post("/shop/bag/add/", {"sku": "NOPE"}).status_code == 404
    assert "Your bag is empty" in client.get("/shop/bag/").content.decode()


def test_quantities_are_capped_nonsense_is_ignored_and_zero_removes_the_line(client, products):
    client.post("/shop/bag/add/", {"sku": "LGT-1", "quantity": "500"})
    assert client.session["shop_bag"] == {"LGT-1": 20}
    client.post("/shop/bag/update/", {"sku": "LGT-1", "quantity": "three"})
    assert client.session["shop_bag"] == {"LGT-1": 20}
    client.post("/shop/bag/update/", {"sku": "LGT-1", "quantity": "0"})
    assert client.session["shop_bag"] == {}


def test_checkout_records_one_order_attributed_to_the_shoppers_associate(client, products, shopper, rep):
    client.force_login(shopper.user)
    client.post("/shop/bag/add/", {"sku": "LGT-1", "quantity": "2"})
    key = client.session["shop_checkout_key"]
    response = client.post("/shop/checkout/")
    assert response["Location"] == "/shop/account/"
    order = Order.objects.get()
    assert order.external_id == f"SHOP-{key}"
    assert (order.customer, order.total, order.currency) == (shopper, Decimal("245.00"), "EUR")
    assert order.attribution_rule == AttributionRule.PRIMARY_ASSOCIATE
    assert order.attributed_associate == rep
    assert list(order.lines.values_list("sku", "quantity")) == [("LGT-1", 2)]
    assert "shop_bag" not in client.session
    # A second click finds an empty bag and records nothing more.
    client.post("/shop/checkout/")
    assert Order.objects.count() == 1
    assert order.external_id in client.get("/shop/account/").content.decode()


def test_checkout_asks_an_anonymous_visitor_to_sign_in(client, products):
    client.post("/shop/bag/add/", {"sku": "LGT-1"})
    response = client.post("/shop/checkout/")
    assert response["Location"] == "/shop/account/login/?next=/shop/bag/"
    assert not Order.objects.exists()


def test_a_pending_customer_cannot_check_out(client, products, shop_store):
    pending = make_customer(shop_store, "Rita", "Neves", user=make_user("rita@example.com"),
                            status=CustomerStatus.PENDING)
    client.force_login(pending.user)
    client.post("/shop/bag/add/", {"sku": "LGT-1"})
    client.post("/shop/checkout/")
    assert not Order.objects.exists()
    assert "awaiting approval" in client.get("/shop/bag/").content.decode()
