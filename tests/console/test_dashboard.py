"""The agent dashboard: mode-aware sales, commission, balance, earnings with their breakdown, payouts,
subagents and the referral link; an associate never sees another associate's figures in associate mode."""

import re
from decimal import Decimal

import pytest

from shopfloor import periods
from shopfloor.access import actor_for
from shopfloor.commissions.models import OrderAccrual, RuleSemantics
from shopfloor.commissions.payouts import record_adjustment, record_payout
from shopfloor.orders.services import refund_order
from tests.commissions.conftest import make_rule, set_levels
from tests.console.conftest import noon


def kpis(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-kpi="([a-z-]+)">([^<]*)<', html))


@pytest.fixture
def sales(world, ten_percent, place_order):
    """Ana: 299.00 this month and 50.00 last month; Bruno: 1000.00 this month; South: 80 + 20 this month."""
    last_month = periods.last_month().start
    return {
        "ana_now": place_order(world.anas_customer, "149.50", quantity=2),
        "ana_before": place_order(world.anas_customer, "50.00", placed_at=noon(last_month)),
        "bruno_now": place_order(world.brunos_customer, "1000.00"),
        "tom_now": place_order(world.toms_customer, "80.00"),
        "tina_now": place_order(world.tinas_customer, "20.00"),
    }


def test_an_associate_in_associate_mode_sees_their_own_sales_and_commission(client_as, world, sales):
    response = client_as(world.ana.user).get("/console/dashboard/")
    assert response.status_code == 200
    assert kpis(response.content.decode()) == {
        "sales-this-month": "299.00", "sales-last-month": "50.00",
        # 10% of both orders, still in their hold period.
        "pending": "34.90", "approved": "0.00", "balance": "0.00",
    }


def test_an_associate_never_sees_another_associates_figures(client_as, world, sales):
    html = client_as(world.bruno.user).get("/console/dashboard/").content.decode()
    assert kpis(html) == {
        "sales-this-month": "1,000.00", "sales-last-month": "0.00",
        "pending": "100.00", "approved": "0.00", "balance": "0.00",
    }
    assert sales["ana_now"].external_id not in html
    assert "299.00" not in html and "29.90" not in html


def test_in_team_mode_the_dashboard_shows_the_stores_sales(client_as, world, sales):
    html = client_as(world.tina.user).get("/console/dashboard/").content.decode()
    found = kpis(html)
    assert found["sales-this-month"] == "100.00"
    assert "Sales credited to South Store" in html
    # Both store orders are listed, with who helped.
    assert sales["tom_now"].external_id in html and sales["tina_now"].external_id in html
    assert "Helped by Tom Reis" in html


def test_refunds_come_off_the_sales(client_as, world, sales):
    refund_order(actor_for(world.admin), sales["ana_now"], "R-1", Decimal("99.00"))
    assert kpis(client_as(world.ana.user).get("/console/dashboard/").content.decode())["sales-this-month"] == "200.00"


def test_each_earning_expands_to_its_breakdown(client_as, world, sales):
    html = client_as(world.ana.user).get("/console/dashboard/").content.decode()
    assert html.count('class="ledger__item"') == 2
    assert "Ten percent (version 1)" in html
    assert "<dt>Rate</dt><dd>10%</dd>" in html
    assert "<dt>Base</dt><dd>299.00</dd>" in html
    assert "<dt>Product</dt><dd>2 × CH-1 at 149.50</dd>" in html


def test_an_earning_lists_the_rules_that_matched_and_did_not_pay(client_as, world, ten_percent, place_order):
    make_rule("5", priority=-1, name="Everything 5%")
    make_rule("2.00", "fixed_per_order", name="Any order")
    place_order(world.anas_customer, "80.00")
    html = client_as(world.ana.user).get("/console/dashboard/").content.decode()
    assert html.count('class="ledger__item"') == 2  # 10% of the line, and the order bonus
    assert ("<dt>Did not pay</dt><dd>Everything 5%: a higher-priority percentage rule, "
            "&#x27;Ten percent&#x27;, applied</dd>") in html
    assert "<dt>Per order</dt><dd>2.00</dd>" in html
    assert "Rules combined" not in html


def test_an_earning_accrued_one_rule_per_line_says_so(client_as, world, ten_percent, place_order):
    order = place_order(world.anas_customer, "80.00")
    # As migration 0012 marked the orders accrued before the rules added up.
    OrderAccrual.objects.filter(order=order).update(semantics=RuleSemantics.ONE_RULE_PER_LINE)
    html = client_as(world.ana.user).get("/console/dashboard/").content.decode()
    assert "<dt>Rules combined</dt><dd>One rule per line (accrued before the rules added up)</dd>" in html
    assert "Did not pay" not in html


def test_an_override_on_the_childs_commission_shows_it_and_the_agents_own_rate(client_as, world, ten_percent,
                                                                                  place_order):
    world.ana.parent = world.bruno
    world.ana.save()
    set_levels("10", basis="child_commission", agent_rates=[(world.bruno, "20")])
    place_order(world.anas_customer, "80.00")
    html = client_as(world.bruno.user).get("/console/dashboard/").content.decode()
    # Ana earns 8.00; Bruno his own 20% of it.
    assert "<dt>Child&#x27;s commission</dt><dd>8.00</dd>" in html
    assert "<dt>Rate</dt><dd>20% (their own rate)</dd>" in html
    assert "1.60" in html


def test_payouts_and_adjustments_show_in_the_balance_and_history(client_as, world, sales):
    record_adjustment(world.admin, world.ana, "40.00", "Opening balance")
    record_payout(world.admin, world.ana, "25.00", "bank", reference="TR-77")
    html = client_as(world.ana.user).get("/console/dashboard/").content.decode()
    assert kpis(html)["balance"] == "15.00"
    assert "TR-77" in html and "Bank transfer" in html


def test_subagents_are_listed_with_their_sales(client_as, world, sales):
    world.bruno.parent = world.ana
    world.bruno.save()
    html = client_as(world.ana.user).get("/console/dashboard/").content.decode()
    assert "Your subagents" in html
    row = re.search(r"Bruno Dias</span>.*?</tr>", html, re.S).group(0)
    assert "1,000.00 EUR" in row
    # Bruno has no subagents of his own.
    assert "No subagents" in client_as(world.bruno.user).get("/console/dashboard/").content.decode()


def test_the_referral_link_has_a_copy_button(client_as, world):
    html = client_as(world.ana.user).get("/console/dashboard/").content.decode()
    assert f'value="http://testserver/r/{world.ana.referral_code}"' in html
    assert 'data-copy="#referral-link"' in html


def test_associates_and_managers_get_the_dashboard_first_in_the_menu(client_as, world):
    for person in (world.ana, world.nora, world.tom):
        html = client_as(person.user).get("/console/customers/").content.decode()
        labels = re.findall(r'class="nav__label">([^<]+)<', html)
        assert labels[0] == "Dashboard"
    admin_html = client_as(world.admin).get("/console/customers/").content.decode()
    assert "Dashboard" not in re.findall(r'class="nav__label">([^<]+)<', admin_html)


def test_who_may_open_the_dashboard(client, client_as, world):
    assert client.get("/console/dashboard/").status_code == 302
    assert client_as(world.shopper.user).get("/console/dashboard/").status_code == 403
    # Admins have no earnings of their own: they are sent to the reports.
    assert client_as(world.admin).get("/console/dashboard/")["Location"] == "/console/reports/"


def test_the_dashboard_query_count_does_not_grow_with_entries(client_as, world, ten_percent, place_order,
                                                               django_assert_max_num_queries):
    for _ in range(3):
        place_order(world.anas_customer, "10.00")
    client = client_as(world.ana.user)
    client.get("/console/dashboard/")
    with django_assert_max_num_queries(30):
        client.get("/console/dashboard/")
    for _ in range(8):
        place_order(world.anas_customer, "10.00")
    with django_assert_max_num_queries(30):
        client.get("/console/dashboard/")
