"""KPIs per selling mode: whose figures each person sees (hidden → 404), what they add up to, the chart and CSV."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.utils import timezone

from shopfloor.attribution.models import InteractionKind
from shopfloor.attribution.services import record_interaction
from shopfloor.clienteling.models import Task, TaskStatus

pytestmark = pytest.mark.django_db


def this_month_day(day: int) -> datetime:
    today = timezone.localdate()
    return datetime.combine(today.replace(day=min(day, today.day)), time(10), tzinfo=UTC)


@pytest.fixture
def sales(world, place_order):
    """Ana sells 100 + 50, Bruno 30 (North, associate mode); South (team mode) sells 200, Tom helping."""
    place_order(world.anas_customer, "100.00", placed_at=this_month_day(1))
    place_order(world.shopper, "50.00", placed_at=this_month_day(1))
    place_order(world.brunos_customer, "30.00", placed_at=this_month_day(1))
    order = place_order(world.toms_customer, "200.00", placed_at=this_month_day(1))
    order.influencer = world.tom
    order.save()
    return order


def kpis(client, **params):
    response = client.get("/api/v1/kpis", params)
    assert response.status_code == 200, response.content
    return response.json()


def test_an_associate_in_associate_mode_sees_their_own_sales(world, api_as, sales):
    body = kpis(api_as(world.ana.user))
    assert body["scope"] == "own" and body["associate_id"] == world.ana.pk
    assert body["sales"] == [{"currency": "EUR", "attributed_sales": "150.00", "orders": 2,
                              "average_order_value": "75.00"}]
    assert body["orders"] == 2


def test_an_associate_in_team_mode_sees_the_stores_sales(world, api_as, sales):
    body = kpis(api_as(world.tina.user))
    assert (body["scope"], body["store_id"]) == ("store", world.south.pk)
    assert body["sales"][0]["attributed_sales"] == "200.00"


def test_a_manager_sees_the_store_and_each_associate(world, api_as, sales):
    client = api_as(world.nora.user)
    assert kpis(client)["sales"][0]["attributed_sales"] == "180.00"
    assert kpis(client, associate_id=world.bruno.pk)["sales"][0]["attributed_sales"] == "30.00"


def test_admins_see_everything_and_any_store(world, admin_api, sales):
    assert kpis(admin_api)["orders"] == 4
    assert kpis(admin_api, store_id=world.south.pk)["sales"][0]["attributed_sales"] == "200.00"
    helped = kpis(admin_api, associate_id=world.tom.pk)
    assert helped["sales"][0]["attributed_sales"] == "200.00"  # team mode: the sales Tom helped with


@pytest.mark.parametrize("viewer, params", [
    ("ana", {"associate_id": "bruno"}),   # a colleague's figures, associate mode
    ("tina", {"associate_id": "tom"}),    # team mode: the store's, not a colleague's
    ("nora", {"associate_id": "tom"}),    # another store's associate
    ("nora", {"store_id": "south"}),      # another store
    ("ana", {"store_id": "north"}),       # an associate may not pick a store
])
def test_figures_one_may_not_see_are_404(world, api_as, sales, viewer, params):
    resolved = {key: getattr(world, value).pk for key, value in params.items()}
    response = api_as(getattr(world, viewer).user).get("/api/v1/kpis", resolved)
    assert response.status_code == 404


def test_customers_contacted_tasks_completed_and_overdue(world, api_as, make_task):
    record_interaction(world.ana, InteractionKind.CHAT, customer=world.anas_customer)
    record_interaction(world.ana, InteractionKind.CALL, customer=world.anas_customer)
    done = make_task(world.ana, customer_id=world.shopper.pk)
    Task.objects.filter(pk=done.pk).update(status=TaskStatus.DONE, completed_at=timezone.now(),
                                           completed_by=world.ana.user)
    make_task(world.ana, due_on=timezone.localdate() - timedelta(days=2))
    body = kpis(api_as(world.ana.user))
    assert body["customers_contacted"] == 2
    assert (body["tasks_completed"], body["tasks_overdue"]) == (1, 1)
    assert kpis(api_as(world.bruno.user))["customers_contacted"] == 0


def test_a_bad_period_is_a_422(world, api_as):
    client = api_as(world.ana.user)
    assert client.get("/api/v1/kpis", {"from": "2026-05-02", "to": "2026-05-01"}).status_code == 422
    assert client.get("/api/v1/kpis", {"from": "2020-01-01", "to": "2026-05-01"}).status_code == 422
    assert client.get("/api/v1/kpis", {"from": "yesterday"}).status_code == 422


def test_a_chosen_period_counts_only_its_orders(world, api_as, place_order):
    place_order(world.anas_customer, "10.00", placed_at=datetime(2026, 3, 5, 12, tzinfo=UTC))
    place_order(world.anas_customer, "20.00", placed_at=datetime(2026, 4, 5, 12, tzinfo=UTC))
    body = kpis(api_as(world.ana.user), **{"from": "2026-03-01", "to": "2026-03-31"})
    assert body["sales"][0]["attributed_sales"] == "10.00"
    assert (body["start"], body["end"]) == ("2026-03-01", "2026-03-31")


def test_the_kpi_page_shows_figures_a_chart_and_per_associate_rows_for_managers(world, client_as, sales):
    html = client_as(world.nora.user).get("/console/kpis/").content.decode()
    assert 'data-kpi="sales">180.00' in html
    assert "chart__svg" in html
    assert "Per associate" in html and "Bruno Dias" in html
    own = client_as(world.ana.user).get("/console/kpis/").content.decode()
    assert 'data-kpi="sales">150.00' in own and "Per associate" not in own
    assert 'data-kpi="outreach">' in own


def test_the_kpi_page_refuses_a_colleagues_figures(world, client_as, sales):
    assert client_as(world.ana.user).get(f"/console/kpis/?associate={world.bruno.pk}").status_code == 404


def test_the_csv_has_the_scope_and_each_associate(world, client_as, sales):
    response = client_as(world.nora.user).get("/console/kpis.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("scope,store,associate,from,to,currency,attributed_sales,orders")
    assert lines[1].startswith("store,North Store,,")
    assert ",EUR,180.00,3," in lines[1]
    assert any(line.startswith("associate,North Store,Ana Pop,") and ",150.00,2," in line for line in lines)


def test_the_period_is_whole_days(world):
    from shopfloor.periods import period_between

    period = period_between(date(2026, 1, 1), date(2026, 1, 31))
    start, end = period.bounds()
    assert (start.day, end.month, end.day) == (1, 2, 1)


def test_lookbook_conversion_counts_orders_within_14_days_of_opening(world, api_as, place_order):
    from shopfloor.lookbooks.models import Lookbook

    opened = this_month_day(1) - timedelta(days=20) if timezone.localdate().day < 21 else this_month_day(1)
    start = opened.date().isoformat()
    Lookbook.objects.create(customer=world.anas_customer, author=world.ana, store=world.north, title="A",
                            opened_at=opened)
    Lookbook.objects.create(customer=world.shopper, author=world.ana, store=world.north, title="B",
                            opened_at=opened)
    place_order(world.anas_customer, "10.00", placed_at=opened + timedelta(days=3))
    place_order(world.shopper, "10.00", placed_at=opened + timedelta(days=20))  # too late to count
    body = kpis(api_as(world.ana.user), **{"from": start, "to": (opened + timedelta(days=25)).date().isoformat()})
    assert body["lookbook_conversion"] == 0.5


def test_outreach_sent_clicked_and_converted(world, api_as, place_order):
    from shopfloor.outreach.models import OutreachMessage, TrackedLink

    def message(customer, clicked):
        sent = OutreachMessage.objects.create(customer=customer, associate=world.ana, store=world.north,
                                              channel="email", to_address=customer.email, body="Hello",
                                              status="sent", sent_at=timezone.now())
        TrackedLink.objects.create(message=sent, url="https://shop.example/x", click_count=1 if clicked else 0)
        return sent

    message(world.anas_customer, clicked=True)
    message(world.shopper, clicked=False)
    place_order(world.anas_customer, "40.00")
    body = kpis(api_as(world.ana.user))
    assert (body["outreach_sent"], body["outreach_clicked"], body["outreach_conversion"]) == (2, 1, 0.5)
    assert body["customers_contacted"] == 2
    assert kpis(api_as(world.bruno.user))["outreach_sent"] == 0


def test_chat_response_time_is_the_average_wait_until_taken(world, api_as):
    from shopfloor.live.models import Chat, Visitor

    now = timezone.now()
    visitor = Visitor.objects.create(store=world.north, key="v-1", first_seen_at=now, last_seen_at=now)
    for wait in (30, 90):
        Chat.objects.create(store=world.north, visitor=visitor, associate=world.ana, origin="reactive",
                            status="closed", created_at=now, taken_at=now + timedelta(seconds=wait))
    assert kpis(api_as(world.ana.user))["chat_response_seconds"] == 60.0
    assert kpis(api_as(world.bruno.user))["chat_response_seconds"] is None


def test_the_kpi_and_report_pages_share_the_period_form_and_chart(world, client_as, sales):
    """console/_period_form.html and _sales_chart.html: what each page keeps selected and its preset links keep."""
    admin = client_as(world.admin)
    html = admin.get(f"/console/kpis/?store={world.south.pk}").content.decode()
    assert f'<option value="{world.south.pk}" selected>South Store</option>' in html
    assert f'href="?preset=this_month&amp;store={world.south.pk}"' in html
    assert 'action="/console/kpis/" aria-label="KPI period"' in html and 'id="kpi-from"' in html
    assert "chart__svg" in html
    nora = client_as(world.nora.user).get(f"/console/kpis/?associate={world.bruno.pk}").content.decode()
    assert f'<option value="{world.bruno.pk}" selected>Bruno Dias</option>' in nora
    assert f'href="?preset=this_month&amp;associate={world.bruno.pk}"' in nora
    assert 'id="kpi-store"' not in nora  # managers pick associates, not stores
    report = admin.get(f"/console/reports/?store={world.north.pk}").content.decode()
    assert f'<option value="{world.north.pk}" selected>North Store</option>' in report
    assert f'href="?preset=this_month&amp;store={world.north.pk}"' in report
    assert 'action="/console/reports/" aria-label="Report period"' in report and 'id="report-associate"' not in report
    assert "Sales over time" in report and "chart__svg" in report
