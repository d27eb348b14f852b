"""The rules add up, through the API: each line pays its best percentage and its best per-unit rule, and every
order bonus whose conditions hold pays once (the numbers a retailer moving from SalesKing expects); and the
uplines' overrides are paid on the basis the retailer sets (the sale's commissionable amount, or the child's
commission as SalesKing pays), with a parent agent's own rate where one is set.

The rules are created with POST /commission-rules, the settings changed with PATCH /commission-settings, the
orders recorded with POST /orders and their earnings read back with GET /earnings; POST /commissions/simulate
shows the same before anything is recorded.
"""

from decimal import Decimal

import pytest

from shopfloor.catalog.models import Product
from shopfloor.catalog.services import category_named
from shopfloor.commissions.models import OrderAccrual
from tests.commissions.api.conftest import API, snapshot
from tests.factories import make_associate, make_customer

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


# Uplines: the override basis is a retailer setting --------------------------------------------------------

SETTINGS = f"{API}/commission-settings"


@pytest.fixture
def team(salesking):
    """Ana sells under Marta (level 1), who is under João (level 2)."""
    joao = make_associate(salesking.north, "João Lima", with_login=False)
    marta = make_associate(salesking.north, "Marta Sá", with_login=False, parent=joao)
    salesking.ana.parent = marta
    salesking.ana.save()
    return marta, joao


def first_order(world, api, external_id):
    newcomer = make_customer(world.north, "Nina", external_id, primary=world.ana)
    return post(api, "/orders", {"external_id": external_id, "customer_id": newcomer.pk, "lines": LINES})


def overrides_of(api, order_id):
    items = sorted(api.get(f"{API}/earnings", {"order_id": order_id, "kind": "override"}).json()["items"],
                   key=lambda item: item["level"])
    return [(item["associate_id"], item["breakdown"]["basis"], item["breakdown"]["base"], item["breakdown"]["rate"],
             item["breakdown"]["own_rate"], item["amount"]) for item in items]


def test_by_default_uplines_earn_their_rate_of_the_sales_commissionable_amount(salesking, team, admin_api):
    marta, joao = team
    patched = admin_api.patch(SETTINGS, {"override_levels": [{"level": 1, "rate": "5"}, {"level": 2, "rate": "2"}]},
                              content_type="application/json").json()
    assert (patched["override_basis"], patched["agent_override_rates"]) == ("commissionable_amount", [])
    order = first_order(salesking, admin_api, "U-1")
    assert overrides_of(admin_api, order["id"]) == [
        (marta.pk, "commissionable_amount", "752.80", "5", False, "37.64"),
        (joao.pk, "commissionable_amount", "752.80", "2", False, "15.06"),  # 15.056
    ]


def test_on_the_childs_commission_as_salesking_pays_with_a_parent_agents_own_rate(salesking, team, admin_api):
    marta, joao = team
    body = {"override_basis": "child_commission",
            "override_levels": [{"level": 1, "rate": "10"}, {"level": 2, "rate": "5"}]}
    assert admin_api.patch(SETTINGS, body, content_type="application/json").json()["override_basis"] == \
        "child_commission"
    order = first_order(salesking, admin_api, "U-2")
    # Ana earns 108.82: Marta 10% of it, 10.88 (10.882); João 5% of Marta's 10.88, 0.54 (0.544).
    assert overrides_of(admin_api, order["id"]) == [
        (marta.pk, "child_commission", "108.82", "10", False, "10.88"),
        (joao.pk, "child_commission", "10.88", "5", False, "0.54"),
    ]

    answer = admin_api.patch(SETTINGS, {"agent_override_rates": [{"associate_id": marta.pk, "rate": "15"}]},
                             content_type="application/json").json()
    assert answer["agent_override_rates"] == [{"associate_id": marta.pk, "rate": "15.00"}]
    again = first_order(salesking, admin_api, "U-3")
    # Marta's own 15% of 108.82 = 16.32 (16.323); João 5% of it, 0.82 (0.816).
    assert overrides_of(admin_api, again["id"]) == [
        (marta.pk, "child_commission", "108.82", "15", True, "16.32"),
        (joao.pk, "child_commission", "16.32", "5", False, "0.82"),
    ]
    # The simulation shows the same before an order is recorded.
    newcomer = make_customer(salesking.north, "Nina", "Simulated", primary=salesking.ana)
    simulation = post(admin_api, "/commissions/simulate", {"customer_id": newcomer.pk, "lines": LINES})
    assert [e["amount"] for e in simulation["earnings"] if e["kind"] == "override"] == ["16.32", "0.82"]

    # Going back to the commissionable amount changes nothing already written.
    admin_api.patch(SETTINGS, {"override_basis": "commissionable_amount", "agent_override_rates": []},
                    content_type="application/json")
    assert [row[1:] for row in overrides_of(admin_api, again["id"])] == [
        ("child_commission", "108.82", "15", True, "16.32"), ("child_commission", "16.32", "5", False, "0.82")]


@pytest.mark.parametrize(("body", "loc"), [
    ({"override_basis": "gross_sales"}, ["body", "override_basis"]),
    ({"agent_override_rates": [{"associate_id": 987654, "rate": "3"}]}, ["body", "agent_override_rates", 0,
                                                                          "associate_id"]),
    ({"agent_override_rates": [{"associate_id": "ANA", "rate": "3"}]}, ["body", "agent_override_rates", 0,
                                                                         "associate_id"]),
    ({"agent_override_rates": [{"associate_id": 1, "rate": "101"}]}, ["body", "agent_override_rates", 0, "rate"]),
    ({"agent_override_rates": [{"associate_id": 1}]}, ["body", "agent_override_rates", 0, "rate"]),
])
def test_a_bad_override_setting_is_422_naming_the_field_and_writes_nothing(world, admin_api, body, loc):
    before = snapshot()
    response = admin_api.patch(SETTINGS, body, content_type="application/json")
    assert response.status_code == 422, response.content
    assert response.json()["detail"][0]["loc"] == loc
    assert snapshot() == before


def test_an_agent_listed_twice_is_422_at_the_second(world, admin_api):
    body = {"agent_override_rates": [{"associate_id": world.ana.pk, "rate": "3"},
                                     {"associate_id": world.ana.pk, "rate": "4"}]}
    response = admin_api.patch(SETTINGS, body, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "agent_override_rates", 1, "associate_id"]
