"""Each earning keeps the inputs it was computed from, wherever the ledger stores them.

An earning or override holds base and rate in columns; the rule's name and value at its version
are in RuleVersion; the seller's name, the upline chain and the rules that matched a line and did
not pay are once per order on its accrual.
Editing the rule, the override rates, an associate's name or parent afterwards changes none of
what an existing entry says — whichever path accrued it (one order, the intake, a settlement).
"""

from decimal import Decimal

import pytest

from shopfloor.access import Actor
from shopfloor.accounts.models import Associate
from shopfloor.commissions.configuration import save_commission_rule
from shopfloor.commissions.models import EntryKind, LedgerEntry, OrderAccrual, RuleVersion
from shopfloor.commissions.services import accrue_order
from shopfloor.commissions.settlement import settle_orders
from shopfloor.orders.services import record_order
from tests.commissions.conftest import make_order, make_rule, set_levels

D = Decimal


def breakdowns(order):
    return [(entry.kind, entry.level, entry.breakdown)
            for entry in LedgerEntry.objects.filter(order_id=order.pk).order_by("pk")]


def accrue_by_order(agency):
    order = make_order(agency.ana, [("BOOT", 1, "50.00"), ("GIFT", 2, "25.00")], discount="10.00")
    accrue_order(order)
    return order


def accrue_by_settlement(agency):
    order = make_order(agency.ana, [("BOOT", 1, "50.00"), ("GIFT", 2, "25.00")], discount="10.00")
    assert settle_orders() == 1
    return order


def accrue_on_arrival(agency):
    order, _ = record_order(Actor(agency.admin), {
        "external_id": "arrival-1", "customer_id": agency.customer.pk, "discount": D("10.00"),
        "lines": [{"sku": "BOOT", "quantity": 1, "unit_price": D("50.00")},
                  {"sku": "GIFT", "quantity": 2, "unit_price": D("25.00")}],
    })
    return order


@pytest.mark.parametrize("accrue", [accrue_by_order, accrue_by_settlement, accrue_on_arrival])
def test_edits_after_the_accrual_change_nothing_an_entry_says(agency, accrue):
    set_levels("5", "2")
    percent = make_rule("10", name="Spring")
    fixed = make_rule("3", kind="fixed_per_order", priority=1, product_skus=["GIFT"], name="Gift bonus")
    base = make_rule("1", priority=-1, name="Base")  # matches every line and never pays
    order = accrue(agency)
    before = breakdowns(order)
    assert [(kind, level) for kind, level, _ in before] == [
        ("earning", 0), ("earning", 0), ("earning", 0), ("override", 1), ("override", 2)]
    assert before[0][2]["rule"] == {"id": percent.pk, "name": "Spring", "version": 1, "kind": "percentage",
                                    "value": "10.0000", "priority": 0}
    assert (before[0][2]["base"], before[0][2]["rate"], before[0][2]["exact_amount"]) == (
        "45.00", "10.0000", "4.500000")
    assert before[0][2]["line"]["discount_share"] == "5.00"
    assert before[0][2]["not_paid"] == [{
        "rule": {"id": base.pk, "name": "Base", "version": 1, "kind": "percentage", "value": "1.0000",
                 "priority": -1},
        "why": "priority", "reason": "a higher-priority percentage rule, 'Spring', applied",
        "applied": {"id": percent.pk, "name": "Spring", "version": 1}}]
    assert before[0][2]["semantics"] == "rules_add_up"
    assert before[1][2]["line"]["sku"] == "GIFT"  # the bonus takes no line away: its 10% is paid
    assert [line["sku"] for line in before[2][2]["lines"]] == ["GIFT"]
    assert before[2][2]["not_paid"] == []
    assert before[3][2]["associate"] == {"id": agency.bruno.pk, "name": "Bruno Brito"}
    assert before[3][2]["seller"] == {"id": agency.ana.pk, "name": "Ana Alves"}
    assert (before[3][2]["base"], before[3][2]["rate"]) == ("90.00", "5")
    assert [step["name"] for step in before[3][2]["upline_chain"]] == ["Bruno Brito", "Carla Costa"]

    save_commission_rule(agency.admin, {"value": "20", "name": "Spring, richer"}, percent)
    save_commission_rule(agency.admin, {"value": "9", "name": "Gift bonus, richer"}, fixed)
    save_commission_rule(agency.admin, {"priority": 50, "name": "Base, now first"}, base)
    set_levels("7", "3")
    Associate.objects.filter(pk=agency.ana.pk).update(name="Ana Renamed", parent=agency.dora)
    Associate.objects.filter(pk=agency.bruno.pk).update(name="Bruno Renamed", active=False)

    assert breakdowns(order) == before


def test_an_earning_holds_its_inputs_in_columns_and_the_chain_once_per_order(agency):
    set_levels("5", "2", "1")
    rule = make_rule("10", name="Spring")
    order = make_order(agency.ana, [("BOOT", 1, "50.00"), ("TOTE", 2, "20.00")])
    accrue_order(order)
    entries = list(LedgerEntry.objects.filter(order=order).order_by("pk"))
    assert [(e.kind, e.base, e.rate, e.details) for e in entries] == [
        ("earning", D("50.0000"), D("10.0000"), None),
        ("earning", D("40.0000"), D("10.0000"), None),
        ("override", D("90.0000"), D("5.0000"), None),
        ("override", D("90.0000"), D("2.0000"), None),
        ("override", D("90.0000"), D("1.0000"), None),
    ]
    assert OrderAccrual.objects.get(order=order).inputs == {"seller": "Ana Alves", "uplines": [
        [agency.bruno.pk, "Bruno Brito", True], [agency.carla.pk, "Carla Costa", True],
        [agency.dora.pk, "Dora Dias", True]]}
    assert entries[0].breakdown["rule"]["name"] == rule.name == "Spring"


def test_an_edit_keeps_the_version_it_replaces_and_an_accrual_writes_none(agency):
    rule = make_rule("10", name="Spring")
    accrue_order(make_order(agency.ana, [("BOOT", 1, "50.00")]))
    assert not RuleVersion.objects.exists()  # the current version is the rule itself
    save_commission_rule(agency.admin, {"priority": 0}, rule)  # no change, no new version
    assert not RuleVersion.objects.exists()
    save_commission_rule(agency.admin, {"value": "12", "name": "Spring, richer"}, rule)
    save_commission_rule(agency.admin, {"name": "Summer"}, rule)
    assert list(RuleVersion.objects.order_by("version").values_list("version", "name", "value")) == [
        (1, "Spring", D("10.0000")), (2, "Spring, richer", D("12.0000"))]


def test_a_rule_without_earnings_can_still_be_deleted_with_its_versions(agency):
    rule = make_rule("10", name="Never used")
    save_commission_rule(agency.admin, {"value": "12"}, rule)
    rule.delete()
    assert not RuleVersion.objects.exists()


def test_a_fixed_per_order_earning_keeps_the_lines_it_matched(agency):
    make_rule("3", kind="fixed_per_order", name="Per order")
    order = make_order(agency.ana, [("BOOT", 1, "50.00"), ("TOTE", 1, "20.00")])
    accrue_order(order)
    entry = LedgerEntry.objects.get(order=order, kind=EntryKind.EARNING)
    assert (entry.base, entry.rate, entry.details) == (D("1.0000"), D("3.0000"), {"lines": [0, 1]})
    assert [line["sku"] for line in entry.breakdown["lines"]] == ["BOOT", "TOTE"]


def test_a_list_of_entries_reads_all_their_breakdowns_in_a_few_queries(agency, django_assert_max_num_queries):
    set_levels("5")
    make_rule("10")
    for _ in range(5):
        accrue_order(make_order(agency.ana, [("BOOT", 1, "50.00"), ("TOTE", 1, "20.00")]))
    with django_assert_max_num_queries(6):  # the entries, then their orders, lines, accruals, rule versions, rules
        entries = list(LedgerEntry.objects.order_by("pk"))
        assert all(entry.breakdown["kind"] in ("earning", "override") for entry in entries)
    assert len(entries) == 15
