"""The rules add up, through the API: each line pays its best percentage and its best per-unit rule, and every
order bonus whose conditions hold pays once (the numbers a retailer moving from SalesKing expects).

The rules are created with POST /commission-rules, the orders recorded with POST /orders and their earnings
read back with GET /earnings; POST /commissions/simulate shows the same before anything is recorded.
"""

from decimal import Decimal

import pytest

from shopfloor.catalog.models import Product
from shopfloor.catalog.services import category_named
from shopfloor.commissions.models import OrderAccrual
from tests.commissions.api.conftest import API
from tests.factories import make_customer

D = Decimal


def post(api, path, body):
    response = api.post(f"{API}{path}", body, content_type="application/json")
    assert response.status_code in (200, 201), response.content
    return response.json()


def earnings_of(api, order_id):
    """The order's earnings, in the order they were written: (rule name, sku or None, amount), and the items."""
    items = sorted(api.get(f"{API}/earnings", {"order_id": order_id}).json()["items"], key=lambda item: item["id"])
    return [(item["breakdown"]["rule"]["name"], (item["breakdown"].get("line") or {}).get("sku"), item["amount"])
            for item in items], items


def simulated(api, body):
    answer = post(api, "/commissions/simulate", body)
    return [(e["breakdown"]["rule"]["name"], e["sku"], e["amount"]) for e in answer["earnings"]], answer["total"]


@pytest.fixture
def salesking(world, admin_api):
    """The retailer's SalesKing rules: 12% textiles, 8% lighting, 5% everything, 10.00 on a customer's first
    order and 25.00 on orders of 500.00 or more."""
    for sku, name, category in (("TEX-1", "Linen throw", "Textiles"), ("LAMP-1", "Floor lamp", "Lighting"),
                                ("POT-1", "Cast-iron pot", "Kitchen")):
        Product.objects.create(sku=sku, name=name, price=D("1.00"), category=category_named(category))
    for rule in (
        {"name": "Textiles 12%", "value": "12", "priority": 10, "categories": ["Textiles"]},
        {"name": "Lighting 8%", "value": "8", "priority": 10, "categories": ["Lighting"]},
        {"name": "Everything 5%", "value": "5", "priority": 1},
        {"name": "First order", "kind": "fixed_per_order", "value": "10", "first_order_only": True},
        {"name": "Orders of 500 or more", "kind": "fixed_per_order", "value": "25", "min_subtotal": "500.00"},
    ):
        post(admin_api, "/commission-rules", rule)
    return world


LINES = [{"sku": "TEX-1", "quantity": 1, "unit_price": "366.00"},
         {"sku": "LAMP-1", "quantity": 1, "unit_price": "351.90"},
         {"sku": "POT-1", "quantity": 1, "unit_price": "34.90"}]
FIRST_ORDER = [
    ("Textiles 12%", "TEX-1", "43.92"),
    ("Lighting 8%", "LAMP-1", "28.15"),  # 28.152
    ("Everything 5%", "POT-1", "1.75"),  # 1.745, half-up
    ("First order", None, "10.00"),
    ("Orders of 500 or more", None, "25.00"),
]


def test_a_first_order_earns_108_82_as_in_salesking(salesking, admin_api):
    newcomer = make_customer(salesking.north, "Nina", "Nova", primary=salesking.ana)
    body = {"external_id": "SK-1", "customer_id": newcomer.pk, "lines": LINES}
    assert simulated(admin_api, body) == (FIRST_ORDER, "108.82")

    order = post(admin_api, "/orders", body)
    assert order["attribution"]["associate_id"] == salesking.ana.pk
    earned, items = earnings_of(admin_api, order["id"])
    assert earned == FIRST_ORDER
    assert sum(D(amount) for _, _, amount in earned) == D("108.82")
    assert {item["associate_id"] for item in items} == {salesking.ana.pk}
    # Each earning says how the rules combined, and which rules matched its line and did not pay.
    assert {item["breakdown"]["semantics"] for item in items} == {"rules_add_up"}
    assert [[(passed["rule"]["name"], passed["reason"]) for passed in item["breakdown"]["not_paid"]]
            for item in items] == [
        [("Everything 5%", "a higher-priority percentage rule, 'Textiles 12%', applied")],
        [("Everything 5%", "a higher-priority percentage rule, 'Lighting 8%', applied")],
        [], [], [],
    ]
    assert OrderAccrual.objects.get(order_id=order["id"]).semantics == "rules_add_up"

    # The same basket again is no longer a first order: 98.82.
    again = post(admin_api, "/orders", {**body, "external_id": "SK-2"})
    earned, _ = earnings_of(admin_api, again["id"])
    assert earned == [row for row in FIRST_ORDER if row[0] != "First order"]
    assert simulated(admin_api, {**body, "external_id": "SK-3"})[1] == "98.82"


def test_the_designs_example_earns_15_the_bonus_takes_no_line_away(world, admin_api):
    Product.objects.create(sku="SHOE-1", name="Loafer", price=D("50.00"), category=category_named("Shoes"))
    Product.objects.create(sku="BAG-1", name="Tote", price=D("40.00"))
    for rule in (
        {"name": "Shoes 10%", "value": "10", "priority": 10, "categories": ["Shoes"]},
        {"name": "Everything 5%", "value": "5", "priority": 1},
        {"name": "Over 100", "kind": "fixed_per_order", "value": "3.00", "priority": 5, "min_subtotal": "100.00"},
    ):
        post(admin_api, "/commission-rules", rule)
    body = {"external_id": "D-1", "customer_id": world.anas_customer.pk,
            "lines": [{"sku": "SHOE-1", "quantity": 2, "unit_price": "50.00"},
                      {"sku": "BAG-1", "quantity": 1, "unit_price": "40.00"}]}
    expected = [("Shoes 10%", "SHOE-1", "10.00"), ("Everything 5%", "BAG-1", "2.00"), ("Over 100", None, "3.00")]
    assert simulated(admin_api, body) == (expected, "15.00")

    order = post(admin_api, "/orders", body)
    earned, items = earnings_of(admin_api, order["id"])
    assert earned == expected
    assert items[0]["breakdown"]["not_paid"][0]["reason"] == "a higher-priority percentage rule, 'Shoes 10%', applied"
    assert [line["sku"] for line in items[2]["breakdown"]["lines"]] == ["SHOE-1", "BAG-1"]
