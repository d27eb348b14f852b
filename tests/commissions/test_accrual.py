"""accrue_order: each rule kind, each condition, priority and ties, overrides, and accruing once."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction

from shopfloor.access import Actor
from shopfloor.accounts.models import AuditEvent
from shopfloor.commissions.configuration import save_commission_rule
from shopfloor.commissions.models import EntryKind, EntryStatus, LedgerEntry, OrderAccrual
from shopfloor.commissions.services import accrue_new_order, accrue_order
from shopfloor.customers.models import CustomerGroup
from shopfloor.orders.models import OrderStatus
from shopfloor.orders.services import record_order
from tests.commissions.conftest import PLACED_AT, Agency, make_order, make_rule, set_levels
from tests.factories import make_customer

D = Decimal


def written(order):
    entries = LedgerEntry.objects.filter(order=order).select_related("associate", "line").order_by("pk")
    return [(e.associate.name, e.kind, e.level, e.line.sku if e.line_id else None, e.amount) for e in entries]


def direct(order):
    """Ana's earnings on the order: (sku or None, amount)."""
    return [(sku, amount) for name, kind, _, sku, amount in written(order) if kind == "earning"]


def test_a_percentage_rule_pays_its_percent_of_each_line_and_the_upline_its_override(agency):
    make_rule("10")
    order = make_order(agency.ana, [("BOOT", 2, "25.00"), ("TOTE", 1, "30.00")])
    entries = accrue_order(order)
    assert written(order) == [
        ("Ana Alves", "earning", 0, "BOOT", D("5.00")),
        ("Ana Alves", "earning", 0, "TOTE", D("3.00")),
        ("Bruno Brito", "override", 1, None, D("4.00")),  # default settings: level 1 at 5% of 80.00
    ]
    assert len(entries) == 3
    assert {e.status for e in entries} == {EntryStatus.PENDING}
    assert OrderAccrual.objects.get(order=order).commissionable_amount == D("80.00")


def test_the_order_discount_lowers_each_line_base_and_each_entry_rounds_half_up(agency):
    make_rule("10")
    # Shares of the 10.00 discount: 6.25 and 3.75 → bases 43.75 and 26.25 → 4.375 and 2.625.
    order = make_order(agency.ana, [("BOOT", 1, "50.00"), ("TOTE", 1, "30.00")], discount="10.00")
    accrue_order(order)
    assert written(order) == [
        ("Ana Alves", "earning", 0, "BOOT", D("4.38")),
        ("Ana Alves", "earning", 0, "TOTE", D("2.63")),
        ("Bruno Brito", "override", 1, None, D("3.50")),  # 5% of 70.00
    ]


def test_a_fixed_per_unit_rule_pays_its_value_times_the_quantity(agency):
    make_rule("1.50", "fixed_per_unit")
    order = make_order(agency.ana, [("BOOT", 3, "50.00")])
    accrue_order(order)
    assert direct(order) == [("BOOT", D("4.50"))]


def test_a_fixed_per_order_rule_pays_once_for_the_order(agency):
    make_rule("7.00", "fixed_per_order")
    order = make_order(agency.ana, [("BOOT", 1, "50.00"), ("TOTE", 2, "20.00")])
    accrue_order(order)
    assert written(order) == [
        ("Ana Alves", "earning", 0, None, D("7.00")),
        # 5% of 90.00: no line rule matches these lines, and the bonus that does pays.
        ("Bruno Brito", "override", 1, None, D("4.50")),
    ]


def test_the_highest_priority_wins_a_line_even_when_it_pays_less(agency):
    make_rule("10", priority=0)
    make_rule("2", priority=5, product_skus=["BOOT"])
    order = make_order(agency.ana, [("BOOT", 1, "50.00"), ("TOTE", 1, "30.00")])
    accrue_order(order)
    assert direct(order) == [("BOOT", D("1.00")), ("TOTE", D("3.00"))]


def test_a_line_pays_its_best_percentage_rule_and_its_best_per_unit_rule(agency):
    percent = make_rule("10", priority=1)  # 2.00 on a 20.00 line
    per_unit = make_rule("3.00", "fixed_per_unit", priority=1)  # 3.00
    make_rule("20", priority=0)  # outranked by the 10%: a per-unit rule does not compete with it
    order = make_order(agency.ana, [("TOTE", 1, "20.00")])
    accrue_order(order)
    assert list(LedgerEntry.objects.filter(order=order, kind="earning").values_list("rule_id", "amount")) == [
        (percent.pk, D("2.00")), (per_unit.pk, D("3.00"))]


def test_on_a_priority_tie_within_a_kind_the_larger_amount_wins(agency):
    make_rule("10", priority=1)  # 2.00 on a 20.00 line
    richer = make_rule("15", priority=1)  # 3.00
    make_rule("2.00", "fixed_per_unit", priority=1)
    more_per_unit = make_rule("2.50", "fixed_per_unit", priority=1)
    order = make_order(agency.ana, [("TOTE", 1, "20.00")])
    accrue_order(order)
    assert list(LedgerEntry.objects.filter(order=order, kind="earning").values_list("rule_id", "amount")) == [
        (richer.pk, D("3.00")), (more_per_unit.pk, D("2.50"))]


def test_on_a_tie_of_priority_and_amount_the_older_rule_wins(agency):
    older = make_rule("10", priority=1, name="older")
    make_rule("10", priority=1, name="newer")  # also 2.00 on a 20.00 line
    order = make_order(agency.ana, [("TOTE", 1, "20.00")])
    accrue_order(order)
    assert list(LedgerEntry.objects.filter(order=order, kind="earning").values_list("rule_id", "amount")) == [
        (older.pk, D("2.00"))]


def test_an_order_bonus_never_competes_with_the_line_rules(agency):
    make_rule("10", priority=0)
    fixed = make_rule("5.00", "fixed_per_order", priority=9)
    # Each line pays its 10% (10.00 and 2.00) whatever the bonus's priority, and the bonus pays once.
    order = make_order(agency.ana, [("BOOT", 1, "100.00"), ("TOTE", 1, "20.00")])
    accrue_order(order)
    assert direct(order) == [("BOOT", D("10.00")), ("TOTE", D("2.00")), (None, D("5.00"))]
    assert LedgerEntry.objects.get(order=order, line__isnull=True, kind="earning").rule_id == fixed.pk


def test_every_order_bonus_whose_conditions_hold_pays_once(agency):
    make_rule("10")
    first = make_rule("10.00", "fixed_per_order", name="First order", first_order_only=True)
    big = make_rule("25.00", "fixed_per_order", name="Big order", min_subtotal=D("500.00"))
    make_rule("50.00", "fixed_per_order", name="Huge order", min_subtotal=D("5000.00"))
    shoes = make_rule("4.00", "fixed_per_order", name="Has shoes", categories=[agency.shoes])
    make_rule("6.00", "fixed_per_order", name="Has a gift card", product_skus=["GIFT"])
    order = make_order(agency.ana, [("BOOT", 10, "50.00"), ("TOTE", 1, "20.00")], customer=agency.customer)
    accrue_order(order)
    bonuses = LedgerEntry.objects.filter(order=order, line__isnull=True, kind="earning").order_by("pk")
    assert sorted(bonuses.values_list("rule_id", "amount")) == [
        (first.pk, D("10.00")), (big.pk, D("25.00")), (shoes.pk, D("4.00"))]
    assert direct(order)[:2] == [("BOOT", D("50.00")), ("TOTE", D("2.00"))]
    # A bonus with a product condition keeps the lines it matched.
    assert LedgerEntry.objects.get(order=order, rule=shoes).details == {"lines": [0]}


def test_a_zero_value_rule_with_a_higher_priority_excludes_its_lines_from_earnings_and_overrides(agency):
    make_rule("10")
    make_rule("0", priority=9, product_skus=["GIFT"])
    order = make_order(agency.ana, [("BOOT", 1, "50.00"), ("GIFT", 1, "25.00")])
    accrue_order(order)
    assert written(order) == [
        ("Ana Alves", "earning", 0, "BOOT", D("5.00")),
        ("Bruno Brito", "override", 1, None, D("2.50")),  # 5% of 50.00, not of 75.00
    ]


def test_an_order_no_rule_matches_earns_nothing_and_is_still_marked_accrued(agency):
    make_rule("10", product_skus=["SANDAL"])
    order = make_order(agency.ana, [("BOOT", 1, "50.00")])
    assert accrue_order(order) == []
    assert LedgerEntry.objects.count() == 0
    assert OrderAccrual.objects.filter(order=order).exists()


def test_an_inactive_rule_is_ignored(agency):
    make_rule("10", active=False)
    order = make_order(agency.ana, [("BOOT", 1, "50.00")])
    assert accrue_order(order) == []


# Conditions: each one matched and missed ---------------------------------------------------------


def test_the_associates_condition_matches_the_credited_associate(agency):
    make_rule("10", associates=[agency.bruno])
    make_rule("1", priority=-1)
    order = make_order(agency.ana, [("BOOT", 1, "50.00")])
    accrue_order(order)
    assert direct(order) == [("BOOT", D("0.50"))]
    brunos = make_order(agency.bruno, [("BOOT", 1, "50.00")])
    accrue_order(brunos)
    assert [(e.associate, e.amount) for e in LedgerEntry.objects.filter(order=brunos, kind="earning")] == [
        (agency.bruno, D("5.00"))]


def test_the_products_condition_matches_lines_by_sku(agency):
    make_rule("10", product_skus=["BOOT", "SANDAL"])
    order = make_order(agency.ana, [("BOOT", 1, "50.00"), ("TOTE", 1, "20.00"), ("SANDAL", 1, "30.00")])
    accrue_order(order)
    assert direct(order) == [("BOOT", D("5.00")), ("SANDAL", D("3.00"))]


def test_the_categories_condition_matches_the_products_category(agency):
    make_rule("10", categories=[agency.bags])
    order = make_order(agency.ana, [("BOOT", 1, "50.00"), ("TOTE", 1, "20.00"), ("UNKNOWN", 1, "9.00")])
    accrue_order(order)
    assert direct(order) == [("TOTE", D("2.00"))]


def test_the_customer_groups_condition_matches_the_customers_group(agency):
    wholesale = CustomerGroup.objects.create(name="Wholesale")
    make_rule("10", customer_groups=[wholesale])
    retail = make_order(agency.ana, [("BOOT", 1, "50.00")], customer=agency.customer)
    member = make_customer(agency.store, "Walter", "White", primary=agency.ana, group=wholesale)
    wholesale_order = make_order(agency.ana, [("BOOT", 1, "50.00")], customer=member)
    guest = make_order(agency.ana, [("BOOT", 1, "50.00")])
    for order in (retail, wholesale_order, guest):
        accrue_order(order)
    assert direct(retail) == [] and direct(guest) == []
    assert direct(wholesale_order) == [("BOOT", D("5.00"))]


def test_the_customers_condition_matches_the_orders_customer(agency):
    other = make_customer(agency.store, "Olga", "Other", primary=agency.ana)
    make_rule("10", customers=[agency.customer])
    mine = make_order(agency.ana, [("BOOT", 1, "50.00")], customer=agency.customer)
    theirs = make_order(agency.ana, [("BOOT", 1, "50.00")], customer=other)
    accrue_order(mine)
    accrue_order(theirs)
    assert direct(mine) == [("BOOT", D("5.00"))]
    assert direct(theirs) == []


@pytest.mark.parametrize("subtotal, earns", [
    ("49.99", False), ("50.00", True), ("100.00", True), ("100.01", False),
])
def test_the_subtotal_range_is_inclusive_and_counts_before_the_discount(agency, subtotal, earns):
    make_rule("10", min_subtotal=D("50.00"), max_subtotal=D("100.00"))
    order = make_order(agency.ana, [("BOOT", 1, subtotal)], discount="5.00")
    accrue_order(order)
    assert bool(direct(order)) is earns


def test_a_first_order_rule_pays_only_on_the_customers_first_order_not_counting_cancelled_ones(agency):
    make_rule("10", first_order_only=True)
    cancelled = make_order(agency.ana, [("BOOT", 1, "50.00")], customer=agency.customer,
                           status=OrderStatus.CANCELLED, placed_at=PLACED_AT - timedelta(days=9))
    first = make_order(agency.ana, [("BOOT", 1, "50.00")], customer=agency.customer,
                       placed_at=PLACED_AT - timedelta(days=2))
    second = make_order(agency.ana, [("BOOT", 1, "50.00")], customer=agency.customer)
    guest = make_order(agency.ana, [("BOOT", 1, "50.00")])
    for order in (cancelled, first, second, guest):
        accrue_order(order)
    assert direct(first) == [("BOOT", D("5.00"))]
    assert direct(second) == [] and direct(guest) == [] and direct(cancelled) == []


def test_the_date_range_includes_its_start_and_excludes_its_end(agency):
    make_rule("10", starts_at=PLACED_AT, ends_at=PLACED_AT + timedelta(days=1))
    before = make_order(agency.ana, [("BOOT", 1, "50.00")], placed_at=PLACED_AT - timedelta(seconds=1))
    at_start = make_order(agency.ana, [("BOOT", 1, "50.00")], placed_at=PLACED_AT)
    at_end = make_order(agency.ana, [("BOOT", 1, "50.00")], placed_at=PLACED_AT + timedelta(days=1))
    for order in (before, at_start, at_end):
        accrue_order(order)
    assert (direct(before), direct(at_start), direct(at_end)) == ([], [("BOOT", D("5.00"))], [])


def test_a_currency_condition_matches_the_orders_currency(agency):
    make_rule("3.00", "fixed_per_order", currency="GBP")
    order = make_order(agency.ana, [("BOOT", 1, "50.00")])  # the store sells in EUR
    accrue_order(order)
    assert direct(order) == []


# Subagent overrides ---------------------------------------------------------------------------


def test_each_configured_level_of_the_upline_earns_its_rate(agency):
    set_levels("5", "2", "1")
    make_rule("10")
    order = make_order(agency.ana, [("BOOT", 2, "50.00")])
    accrue_order(order)
    assert written(order) == [
        ("Ana Alves", "earning", 0, "BOOT", D("10.00")),
        ("Bruno Brito", "override", 1, None, D("5.00")),
        ("Carla Costa", "override", 2, None, D("2.00")),
        ("Dora Dias", "override", 3, None, D("1.00")),
    ]
    override = LedgerEntry.objects.get(order=order, level=2)
    assert override.breakdown["base"] == "100.00"
    assert override.breakdown["rate"] == "2"
    assert [step["name"] for step in override.breakdown["upline_chain"]] == [
        "Bruno Brito", "Carla Costa", "Dora Dias"]


def test_an_inactive_upline_earns_nothing_and_the_levels_above_still_count(agency):
    set_levels("5", "2", "1")
    agency.carla.active = False
    agency.carla.save()
    make_rule("10")
    order = make_order(agency.ana, [("BOOT", 2, "50.00")])
    accrue_order(order)
    assert [(name, level) for name, kind, level, _, _ in written(order) if kind == "override"] == [
        ("Bruno Brito", 1), ("Dora Dias", 3)]


def test_levels_beyond_the_upline_chain_earn_nothing(agency):
    set_levels("5", "2", "1")
    make_rule("10")
    order = make_order(agency.carla, [("BOOT", 1, "50.00")])
    accrue_order(order)
    assert written(order) == [("Carla Costa", "earning", 0, "BOOT", D("5.00")),
                              ("Dora Dias", "override", 1, None, D("2.50"))]


def test_no_override_levels_means_no_overrides(agency):
    set_levels()
    make_rule("10")
    order = make_order(agency.ana, [("BOOT", 1, "50.00")])
    accrue_order(order)
    assert [kind for _, kind, _, _, _ in written(order)] == ["earning"]


# Who earns, and when --------------------------------------------------------------------------


def test_an_order_credited_to_nobody_earns_nothing(agency):
    make_rule("10")
    order = make_order(None, [("BOOT", 1, "50.00")], customer=agency.customer)
    assert accrue_order(order) == []
    assert not OrderAccrual.objects.exists()


def test_a_team_mode_order_credited_to_the_store_earns_nothing_for_the_influencer(agency, admin_user):
    make_rule("10")
    tom = agency.team_store.associates.create(name="Tom Team")
    shopper = make_customer(agency.team_store, "Tia", "Team", primary=tom)
    order, _ = record_order(Actor(admin_user), {
        "external_id": "team-1", "customer_id": shopper.pk, "lines": [{"sku": "BOOT", "quantity": 1,
                                                                       "unit_price": D("50.00")}],
    })
    assert order.attributed_associate is None and order.influencer == tom
    assert accrue_order(order) == []
    assert LedgerEntry.objects.count() == 0


def test_an_order_recorded_through_the_orders_service_earns_for_the_primary_associate(agency, admin_user):
    make_rule("10")
    order, _ = record_order(Actor(admin_user), {
        "external_id": "erp-1", "customer_id": agency.customer.pk, "discount": D("5.00"),
        "lines": [{"sku": "BOOT", "quantity": 1, "unit_price": D("50.00")}],
    })
    accrue_order(order)
    assert written(order) == [("Ana Alves", "earning", 0, "BOOT", D("4.50")),
                              ("Bruno Brito", "override", 1, None, D("2.25"))]


def test_a_pending_payment_order_earns_once_it_is_paid_and_a_cancelled_one_never(agency):
    make_rule("10")
    unpaid = make_order(agency.ana, [("BOOT", 1, "50.00")], status=OrderStatus.PENDING_PAYMENT)
    cancelled = make_order(agency.ana, [("BOOT", 1, "50.00")], status=OrderStatus.CANCELLED)
    assert accrue_order(unpaid) == [] and accrue_order(cancelled) == []
    unpaid.status = OrderStatus.PLACED
    unpaid.save()
    assert len(accrue_order(unpaid)) == 2
    assert not OrderAccrual.objects.filter(order=cancelled).exists()


def test_accruing_an_order_twice_writes_nothing_the_second_time(agency):
    make_rule("10")
    order = make_order(agency.ana, [("BOOT", 1, "50.00"), ("TOTE", 1, "20.00")])
    assert len(accrue_order(order)) == 3
    assert accrue_order(order) == []
    assert LedgerEntry.objects.count() == 3
    assert OrderAccrual.objects.count() == 1


def test_an_earning_keeps_its_rule_version_and_inputs_after_the_rule_and_the_upline_change(agency):
    rule = make_rule("10", name="Spring")
    order = make_order(agency.ana, [("BOOT", 1, "50.00")])
    accrue_order(order)
    save_commission_rule(agency.admin, {"value": "20", "name": "Spring, richer"}, rule)
    agency.ana.parent = agency.dora
    agency.ana.save()
    earning = LedgerEntry.objects.get(order=order, kind=EntryKind.EARNING)
    override = LedgerEntry.objects.get(order=order, kind=EntryKind.OVERRIDE)
    assert (earning.rule_id, earning.rule_version, earning.amount) == (rule.pk, 1, D("5.00"))
    assert earning.breakdown["rule"] == {"id": rule.pk, "name": "Spring", "version": 1, "kind": "percentage",
                                         "value": "10.0000", "priority": 0}
    assert earning.breakdown["base"] == "50.00" and earning.breakdown["rate"] == "10.0000"
    assert override.associate == agency.bruno
    assert override.breakdown["upline_chain"][0]["name"] == "Bruno Brito"
    # The next order uses the new version and the new upline.
    later = make_order(agency.ana, [("BOOT", 1, "50.00")])
    accrue_order(later)
    assert written(later) == [("Ana Alves", "earning", 0, "BOOT", D("10.00")),
                              ("Dora Dias", "override", 1, None, D("2.50"))]
    assert LedgerEntry.objects.get(order=later, kind="earning").rule_version == 2


def test_an_order_accrued_in_the_transaction_that_inserted_it_writes_what_accrue_order_writes(agency):
    """`accrue_new_order`, as the intake calls it: the saved order and lines, in the open transaction."""
    make_rule("10")
    set_levels("5", "2")
    with transaction.atomic():
        order = make_order(agency.ana, [("BOOT", 1, "50.00"), ("TOTE", 2, "20.00")], discount="9.00",
                           customer=agency.customer)
        lines = list(order.lines.select_related("product").order_by("pk"))
        assert accrue_new_order(order, lines) == 4
    assert written(order) == [
        ("Ana Alves", "earning", 0, "BOOT", D("4.50")),  # 10% of 45.00 after its share of the discount
        ("Ana Alves", "earning", 0, "TOTE", D("3.60")),
        ("Bruno Brito", "override", 1, None, D("4.05")),  # 5% of 81.00
        ("Carla Costa", "override", 2, None, D("1.62")),
    ]
    accrual = OrderAccrual.objects.get(order=order)
    assert (accrual.commissionable_amount, accrual.inputs) == (D("81.00"), {"seller": "Ana Alves", "uplines": [
        [agency.bruno.pk, "Bruno Brito", True], [agency.carla.pk, "Carla Costa", True]]})
    [event] = AuditEvent.objects.filter(verb="commissions.order_accrued")
    assert (event.target_id, event.data) == (str(order.pk), {"entries": 4, "commissionable_amount": "81.00"})
    # Accrued once: the paid-order path finds the marker.
    assert accrue_order(order) == []


def test_accruing_a_new_order_outside_a_transaction_is_refused(transactional_db):
    agency = Agency()
    order = make_order(agency.ana, [("BOOT", 1, "50.00")])
    with pytest.raises(RuntimeError):
        accrue_new_order(order, list(order.lines.all()))
    assert not OrderAccrual.objects.exists()
