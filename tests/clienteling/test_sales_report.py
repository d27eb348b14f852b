"""Sales reports add up: a store's total is its credited sales, and its rows (per credited associate, plus the
store's own row) add up to it, in the API, the console and the CSV; the KPIs show the same figure."""

import itertools
from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shopfloor.accounts.models import AssociateRole
from shopfloor.clienteling.reports import STORE_ROW_NAME, store_sales
from shopfloor.orders.models import Order, OrderStatus, Refund
from shopfloor.periods import Period
from tests.conftest import CAST, PERSONAS, bearer_client, user_for
from tests.factories import make_associate, make_store

pytestmark = pytest.mark.django_db

DECEMBER = {"start": "2025-12-01", "end": "2025-12-31"}
_numbers = itertools.count(1)


def order(through, total, *, associate=None, store=None, status=OrderStatus.PLACED, day=10, month=12):
    """An order as attribution left it: credited to `associate` (and their store), to `store`, or to nobody."""
    credited_store = associate.store if associate is not None else store
    return Order.objects.create(
        external_id=f"SR-{next(_numbers)}", store=through, currency=through.currency, status=status,
        subtotal=Decimal(total), total=Decimal(total),
        placed_at=datetime.combine(date(2025, month, day), time(12), tzinfo=UTC),
        attributed_associate=associate, attributed_store=credited_store,
        attribution_rule="primary_associate" if associate else ("home_store" if store else "none"),
    )


@pytest.fixture
def chiado(world):
    """Lisbon Chiado's December: Ines 1,200.00 + 440.40 (that one ordered online), Joao 300.00 + 200.00,
    352.00 credited to the store (a home-store sale), 75.00 credited to nobody; plus what does not count."""
    store = make_store("chiado", "Lisbon Chiado")
    online = make_store("online", "Online Shop")
    ines = make_associate(store, "Ines Lopes", "ines@example.com")
    joao = make_associate(store, "Joao Silva", "joao@example.com")
    manager = make_associate(store, "Marta Chefe", "marta@example.com", role=AssociateRole.MANAGER)
    order(store, "1200.00", associate=ines)
    order(online, "440.40", associate=ines)
    order(store, "300.00", associate=joao)
    order(store, "200.00", associate=joao, status=OrderStatus.COMPLETED)
    order(store, "352.00", store=store)
    order(store, "75.00")
    # Not December's sales: cancelled, waiting for payment, November; and another store's credit.
    order(store, "999.00", associate=ines, status=OrderStatus.CANCELLED)
    order(store, "888.00", associate=joao, status=OrderStatus.PENDING_PAYMENT)
    order(store, "777.00", associate=ines, month=11)
    order(store, "50.00", store=online)
    world.chiado, world.online, world.ines, world.joao, world.marta = store, online, ines, joao, manager
    return world


EXPECTED_ROWS = [
    {"name": "Ines Lopes", "total": "1640.40", "orders": 2},
    {"name": "Joao Silva", "total": "500.00", "orders": 2},
    {"name": STORE_ROW_NAME, "total": "352.00", "orders": 1, "associate_id": None},
]


def test_the_api_rows_add_up_to_the_stores_credited_total(chiado, api_as):
    response = api_as(chiado.admin).get("/api/v1/reports/sales", {"store_id": chiado.chiado.pk, **DECEMBER})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["store_id"] == chiado.chiado.pk and body["currency"] == "EUR"
    assert body["total"] == "2492.40" and body["orders"] == 5
    expected = [{**EXPECTED_ROWS[0], "associate_id": chiado.ines.pk},
                {**EXPECTED_ROWS[1], "associate_id": chiado.joao.pk}, EXPECTED_ROWS[2]]
    assert body["rows"] == expected
    assert sum(Decimal(row["total"]) for row in body["rows"]) == Decimal(body["total"])
    assert sum(row["orders"] for row in body["rows"]) == body["orders"]
    # Credited to nobody: beside the total, not in it.
    assert body["uncredited"] == {"total": "75.00", "orders": 1}


def test_the_console_page_shows_the_same_rows_and_total(chiado, client):
    client.force_login(chiado.admin)
    html = client.get("/console/reports/", {"from": "2025-12-01", "to": "2025-12-31",
                                            "store": chiado.chiado.pk}).content.decode()
    assert "Total credited to Lisbon Chiado" in html
    assert '<td data-label="Sales" class="num nowrap" data-total="sales">2,492.40</td>' in html
    assert '<td data-label="Orders" class="num" data-total="orders">5</td>' in html
    for amount in ("1,640.40", "500.00", "352.00"):
        assert f'<td data-label="Sales" class="num nowrap">{amount}</td>' in html
    assert "Credited to the store" in html and "Marta Chefe" in html
    assert "Not in the total: 1 order (75.00 EUR) came through Lisbon Chiado credited to nobody." in html
    csv = client.get("/console/reports.csv", {"from": "2025-12-01", "to": "2025-12-31",
                                              "store": chiado.chiado.pk}).content.decode().splitlines()
    assert csv[1:] == [
        "store,Lisbon Chiado,,credited,5,2492.40,0.00,2492.40,EUR",
        "associate,Lisbon Chiado,Ines Lopes,credited,2,1640.40,0.00,1640.40,EUR",
        "associate,Lisbon Chiado,Joao Silva,credited,2,500.00,0.00,500.00,EUR",
        "associate,Lisbon Chiado,Marta Chefe,credited,0,0.00,0.00,0.00,EUR",
        "store_row,Lisbon Chiado,,credited,1,352.00,0.00,352.00,EUR",
        "not_in_total,Lisbon Chiado,,nobody,1,75.00,0.00,75.00,EUR",
    ]


def test_the_kpis_show_the_reports_total_under_a_label_that_says_what_it_holds(chiado, api_as, client):
    report = api_as(chiado.admin).get("/api/v1/reports/sales", {"store_id": chiado.chiado.pk, **DECEMBER}).json()
    kpis = api_as(chiado.admin).get("/api/v1/kpis", {"store_id": chiado.chiado.pk, "from": "2025-12-01",
                                                     "to": "2025-12-31"}).json()
    assert kpis["sales"][0]["attributed_sales"] == report["total"] == "2492.40"
    assert kpis["orders"] == report["orders"] == 5
    manager = api_as(chiado.marta.user).get("/api/v1/kpis", {"from": "2025-12-01", "to": "2025-12-31"}).json()
    assert manager["sales"][0]["attributed_sales"] == report["total"]
    client.force_login(chiado.marta.user)
    html = client.get("/console/kpis/", {"from": "2025-12-01", "to": "2025-12-31"}).content.decode()
    assert "Sales credited to Lisbon Chiado" in html and "Attributed sales" not in html
    assert ">2,492.40 <" in html


def test_the_store_an_order_came_through_is_a_filter(chiado, api_as, client):
    def sales(**params):
        body = api_as(chiado.admin).get("/api/v1/kpis", {"from": "2025-12-01", "to": "2025-12-31", **params}).json()
        return [(row["attributed_sales"], row["orders"]) for row in body["sales"]]

    assert sales(store_id=chiado.chiado.pk, through_store_id=chiado.chiado.pk) == [("2052.00", 4)]
    assert sales(store_id=chiado.chiado.pk, through_store_id=chiado.online.pk) == [("440.40", 1)]
    assert sales(store_id=chiado.online.pk) == [("50.00", 1)]
    client.force_login(chiado.admin)
    html = client.get("/console/kpis/", {"from": "2025-12-01", "to": "2025-12-31", "store": chiado.chiado.pk,
                                         "through": chiado.online.pk}).content.decode()
    assert "Sales credited to Lisbon Chiado, through Online Shop" in html and ">440.40 <" in html
    assert 'name="through"' in html
    # A manager may only filter by the stores they see.
    assert api_as(chiado.nora.user).get("/api/v1/kpis", {"through_store_id": chiado.online.pk}).status_code == 404


def test_team_mode_sales_are_on_the_stores_own_row(world, api_as):
    order(world.south, "80.00", store=world.south)
    order(world.south, "20.00", store=world.south)
    body = api_as(world.sam.user).get("/api/v1/reports/sales", {"store_id": world.south.pk, **DECEMBER}).json()
    assert body["total"] == "100.00" and body["orders"] == 2
    assert body["rows"] == [{"associate_id": None, "name": STORE_ROW_NAME, "total": "100.00", "orders": 2}]


# Who may read it ---------------------------------------------------------------------------------------

# What each persona gets for the report of the record's store (North in associate mode, South in team mode):
# associates see the store but their role may not read colleagues' sales (403, as on the console's reports).
OWN_STORE = {"owner": 403, "colleague": 403, "other_store": 404, "manager": 200, "other_manager": 404,
             "admin": 200, "customer": 403, "anonymous": 401}


@pytest.mark.parametrize("mode", ["associate", "team"])
@pytest.mark.parametrize("persona", PERSONAS)
def test_visibility_per_persona(world, mode, persona, client):
    store = world.north if mode == "associate" else world.south
    user = user_for(world, mode, persona)
    api = bearer_client(user) if user is not None else client
    response = api.get("/api/v1/reports/sales", {"store_id": store.pk, **DECEMBER})
    assert response.status_code == OWN_STORE[persona], (mode, persona, CAST[mode].get(persona), response.content)


def test_an_unknown_store_is_404_like_a_hidden_one(world, admin_api):
    assert admin_api.get("/api/v1/reports/sales", {"store_id": 987654, **DECEMBER}).status_code == 404


@pytest.mark.parametrize(("params", "field"), [
    ({"start": "2025-13-01"}, "start"),
    ({"end": "31/12/2025"}, "end"),
    ({"start": "2025-12-31", "end": "2025-12-01"}, "start"),
    ({"start": "2020-01-01", "end": "2025-12-31"}, "end"),
    ({"store_id": "x"}, "store_id"),
    ({"store_id": "0"}, "store_id"),
])
def test_bad_input_is_422_naming_the_field(world, admin_api, params, field):
    response = admin_api.get("/api/v1/reports/sales", {"store_id": world.north.pk, **DECEMBER, **params})
    assert response.status_code == 422, response.content
    assert response.json()["detail"][0]["loc"] == ["query", field]


def test_missing_dates_are_422(world, admin_api):
    response = admin_api.get("/api/v1/reports/sales", {"store_id": world.north.pk})
    assert response.status_code == 422
    assert {tuple(item["loc"]) for item in response.json()["detail"]} == {("query", "start"), ("query", "end")}


# Whatever the orders, the rows add up ---------------------------------------------------------------------

CREDIT = st.sampled_from(["ana", "bruno", "store", "other_store", "nobody"])
ORDERS = st.lists(st.tuples(CREDIT, st.sampled_from(["north", "south"]),
                            st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2),
                            st.sampled_from(list(OrderStatus.values)), st.integers(1, 31),
                            st.booleans()), max_size=12)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(orders=ORDERS)
def test_the_rows_always_add_up_to_the_total(world, orders):
    Refund.objects.all().delete()
    Order.objects.all().delete()
    expected_total, expected_orders = Decimal("0.00"), 0
    for credit, through_name, total, status, day, refunded in orders:
        through = getattr(world, through_name)
        if credit in ("ana", "bruno"):
            made = order(through, total, associate=getattr(world, credit), status=status, day=day)
        elif credit == "store":
            made = order(through, total, store=world.north, status=status, day=day)
        elif credit == "other_store":
            made = order(through, total, store=world.south, status=status, day=day)
        else:
            made = order(through, total, status=status, day=day)
        if refunded:
            Refund.objects.create(order=made, external_id=f"SR-R-{made.pk}", amount=Decimal("0.01"))
        if credit in ("ana", "bruno", "store") and status in ("placed", "completed"):
            expected_total += total
            expected_orders += 1
    report = store_sales(world.north, Period(date(2025, 12, 1), date(2025, 12, 31)))
    assert report.total == expected_total and report.orders == expected_orders
    assert sum((row.total for row in report.rows), Decimal(0)) == report.total
    assert sum(row.orders for row in report.rows) == report.orders
    assert sum((row.refunds for row in report.rows), Decimal(0)) == report.refunds
    assert [row.associate for row in report.rows].count(None) == 1
