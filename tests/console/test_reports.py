"""Sales reports per store and per associate: managers see their store, admins every store,
associates are refused; the chart has a table; the CSV carries exactly the same figures."""

from datetime import date
from decimal import Decimal

import pytest

from shopfloor.access import actor_for
from shopfloor.orders.services import change_order_status, refund_order
from tests.console.conftest import noon

MARCH = {"from": "2025-03-01", "to": "2025-03-31"}


@pytest.fixture
def march(world, ten_percent, place_order):
    admin = actor_for(world.admin)
    anas = place_order(world.anas_customer, "149.50", quantity=2, placed_at=noon(date(2025, 3, 3)))
    place_order(world.anas_customer, "50.00", placed_at=noon(date(2025, 3, 10)))
    place_order(world.brunos_customer, "1000.00", placed_at=noon(date(2025, 3, 3)))
    place_order(world.toms_customer, "80.00", placed_at=noon(date(2025, 3, 5)))
    place_order(world.tinas_customer, "20.00", placed_at=noon(date(2025, 3, 5)))
    # Not sales of March: cancelled, waiting for payment, or outside the period.
    change_order_status(admin, place_order(world.anas_customer, "500.00", placed_at=noon(date(2025, 3, 4))),
                        "cancelled")
    place_order(world.anas_customer, "70.00", placed_at=noon(date(2025, 3, 4)), status="pending_payment")
    place_order(world.anas_customer, "900.00", placed_at=noon(date(2025, 4, 1)))
    refund_order(admin, anas, "R-1", Decimal("99.00"))
    return world


HEADER = "level,store,associate,credit,orders,sales,refunds,net_sales,currency"
# A store's total, then the rows that add up to it (associates, then the store's own), then what came
# through the store credited to nobody (not in the total).
NORTH_ROWS = [
    "store,North Store,,credited,3,1349.00,99.00,1250.00,EUR",
    "associate,North Store,Bruno Dias,credited,1,1000.00,0.00,1000.00,EUR",
    "associate,North Store,Ana Pop,credited,2,349.00,99.00,250.00,EUR",
    "associate,North Store,Nora Manager,credited,0,0.00,0.00,0.00,EUR",
    "store_row,North Store,,credited,0,0.00,0.00,0.00,EUR",
    "not_in_total,North Store,,nobody,0,0.00,0.00,0.00,EUR",
]
# Team mode: the store is credited, so its own row holds the sales.
SOUTH_ROWS = [
    "store,South Store,,credited,2,100.00,0.00,100.00,EUR",
    "associate,South Store,Sam Manager,credited,0,0.00,0.00,0.00,EUR",
    "associate,South Store,Tina Sousa,credited,0,0.00,0.00,0.00,EUR",
    "associate,South Store,Tom Reis,credited,0,0.00,0.00,0.00,EUR",
    "store_row,South Store,,credited,2,100.00,0.00,100.00,EUR",
    "not_in_total,South Store,,nobody,0,0.00,0.00,0.00,EUR",
]


def test_an_admin_downloads_every_stores_figures_as_csv(client_as, march):
    response = client_as(march.admin).get("/console/reports.csv", MARCH)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="sales-2025-03-01-2025-03-31.csv"'
    assert response.content.decode().splitlines() == [HEADER, *NORTH_ROWS, *SOUTH_ROWS]


def test_a_manager_sees_only_their_store(client_as, march):
    north = client_as(march.nora.user).get("/console/reports.csv", MARCH).content.decode().splitlines()
    assert north == [HEADER, *NORTH_ROWS]
    html = client_as(march.sam.user).get("/console/reports/", MARCH).content.decode()
    assert "South Store" in html and "North Store" not in html
    assert "Ana Pop" not in html and "Bruno Dias" not in html
    assert "Credited to the store" in html and "Total credited to South Store" in html


def test_a_manager_asking_for_another_store_gets_404(client_as, march):
    response = client_as(march.nora.user).get("/console/reports/", {**MARCH, "store": march.south.pk})
    assert response.status_code == 404
    assert client_as(march.nora.user).get("/console/reports.csv", {"store": march.south.pk}).status_code == 404
    assert client_as(march.nora.user).get("/console/reports/", {"store": "x"}).status_code == 404


def test_an_admin_filters_one_store(client_as, march):
    lines = client_as(march.admin).get("/console/reports.csv", {**MARCH, "store": march.south.pk}).content.decode()
    assert lines.splitlines() == [HEADER, *SOUTH_ROWS]


@pytest.mark.parametrize("person", ["ana", "tom"])
def test_associates_may_not_open_reports(client_as, march, person):
    client = client_as(getattr(march, person).user)
    assert client.get("/console/reports/", MARCH).status_code == 403
    response = client.get("/console/reports.csv", MARCH)
    assert response.status_code == 403
    assert b"1000.00" not in response.content


def test_people_without_console_access_may_not_either(client, client_as, march):
    assert client.get("/console/reports/").status_code == 302
    assert client.get("/console/reports.csv").status_code == 302
    assert client_as(march.shopper.user).get("/console/reports.csv").status_code == 403


def test_the_page_has_a_chart_with_a_table_of_the_same_numbers(client_as, march):
    html = client_as(march.admin).get("/console/reports/", MARCH).content.decode()
    assert "Sales per day, EUR" in html
    assert '<svg class="chart__svg"' in html and 'role="img"' in html
    assert html.count('rx="2"><title>') == 31
    assert "<title>Mon 3 Mar: 1,299.00 EUR, 2 orders</title>" in html
    assert '<th scope="row">Mon 3 Mar</th><td class="num">2</td><td class="num">1,299.00</td>' in html
    assert '<th scope="row">Tue 4 Mar</th><td class="num">0</td><td class="num">0.00</td>' in html
    assert "1,350.00" in html  # net sales over both stores (1250 + 100)


def test_long_periods_are_drawn_per_week(client_as, march):
    html = client_as(march.admin).get("/console/reports/", {"from": "2025-01-01", "to": "2025-06-30"}).content.decode()
    assert "Sales per week, EUR" in html
    assert html.count('rx="2"><title>') == 27  # Wed 1 Jan to Mon 30 Jun 2025 touches 27 weeks
    assert "3 Mar–9 Mar" in html


def test_presets_pick_their_period(client_as, march):
    from shopfloor import periods

    html = client_as(march.admin).get("/console/reports/", {"preset": "last_month"}).content.decode()
    period = periods.last_month()
    assert f'name="from" value="{period.start:%Y-%m-%d}"' in html
    assert 'class="preset is-active" href="?preset=last_month"' in html
    default = client_as(march.admin).get("/console/reports/").content.decode()
    assert f'name="from" value="{periods.this_month().start:%Y-%m-%d}"' in default


@pytest.mark.parametrize("params, message", [
    ({"from": "2025-13-01", "to": "2025-03-31"}, "Give dates as YYYY-MM-DD."),
    ({"from": "2025-04-01", "to": "2025-03-31"}, "The period starts after it ends."),
    ({"from": "2020-01-01", "to": "2025-03-31"}, "Choose a period of two years or less."),
])
def test_bad_periods_are_refused_clearly(client_as, march, params, message):
    response = client_as(march.admin).get("/console/reports/", params)
    assert response.status_code == 422
    assert message in response.content.decode()
    csv_response = client_as(march.admin).get("/console/reports.csv", params)
    assert csv_response.status_code == 422
    assert csv_response.content.decode() == message


def test_names_cannot_become_spreadsheet_formulas(client_as, march):
    march.bruno.name = "=HYPERLINK(\"http://x\")"
    march.bruno.save()
    lines = client_as(march.admin).get("/console/reports.csv", MARCH).content.decode().splitlines()
    assert 'associate,North Store,"\'=HYPERLINK(""http://x"")",credited,1,1000.00,0.00,1000.00,EUR' in lines


def test_the_report_query_count_is_flat(client_as, march, place_order, django_assert_max_num_queries):
    client = client_as(march.admin)
    with django_assert_max_num_queries(20):
        client.get("/console/reports/", MARCH)
    for _ in range(10):
        place_order(march.brunos_customer, "5.00", placed_at=noon(date(2025, 3, 20)))
    with django_assert_max_num_queries(20):
        client.get("/console/reports/", MARCH)
