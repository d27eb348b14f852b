"""The commission engine on plain values: discount allocation, the rules that pay, overrides, rounding."""

from datetime import UTC, datetime
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from shopfloor.commissions.rules import (
    CHILD_COMMISSION,
    LineFacts,
    OrderFacts,
    OverridePlan,
    RuleFacts,
    Upline,
    allocate_discount,
    evaluate,
    line_amount,
    line_conditions_hold,
    order_conditions_hold,
)
from shopfloor.money import to_cents

D = Decimal
WHEN = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def order(*lines, discount="0.00", **fields):
    facts = tuple(
        LineFacts(index=i, sku=sku, quantity=qty, unit_price=D(price), line_total=D(price) * qty,
                  category_id=category)
        for i, (sku, qty, price, category) in enumerate(lines)
    )
    subtotal = sum((line.line_total for line in facts), D("0.00"))
    return OrderFacts(associate_id=1, associate_name="Ana", currency="EUR", subtotal=subtotal,
                      discount=D(discount), placed_at=WHEN, lines=facts, **fields)


def rule(id, value, kind="percentage", priority=0, name=None, **conditions):
    return RuleFacts(id=id, name=name or f"rule {id}", version=1, kind=kind, value=D(value), priority=priority,
                     **conditions)


def amounts(evaluation):
    return [(p.kind, p.level, p.line.sku if p.line else None, p.amount) for p in evaluation.proposals]


def test_a_discount_is_shared_in_proportion_to_the_line_totals():
    assert allocate_discount([D("50.00"), D("30.00")], D("10.00")) == [D("6.25"), D("3.75")]


def test_the_leftover_cent_goes_to_the_largest_remainder_then_the_earliest_line():
    assert allocate_discount([D("10.00")] * 3, D("10.00")) == [D("3.34"), D("3.33"), D("3.33")]
    # 0.05 over 1.00 and 3.00: exact shares 0.0125 and 0.0375; the second has the larger remainder.
    assert allocate_discount([D("1.00"), D("3.00")], D("0.05")) == [D("0.01"), D("0.04")]
    assert allocate_discount([D("0.01")] * 3, D("0.02")) == [D("0.01"), D("0.01"), D("0.00")]


def test_no_discount_and_free_lines_share_nothing():
    assert allocate_discount([D("10.00"), D("0.00")], D("0.00")) == [D("0.00"), D("0.00")]
    assert allocate_discount([D("10.00"), D("0.00")], D("4.00")) == [D("4.00"), D("0.00")]
    assert allocate_discount([D("0.00")], D("0.00")) == [D("0.00")]


@settings(max_examples=300, deadline=None)
@given(
    totals=st.lists(st.decimals(min_value=0, max_value=5000, places=2), min_size=1, max_size=8),
    fraction=st.fractions(min_value=0, max_value=1),
)
def test_discount_shares_add_up_exactly_and_never_exceed_their_line(totals, fraction):
    subtotal = sum(totals, D("0.00"))
    discount = to_cents(subtotal * D(fraction.numerator) / D(fraction.denominator))
    shares = allocate_discount(totals, discount)
    assert sum(shares, D("0.00")) == (discount if subtotal > 0 else D("0.00"))
    for share, total in zip(shares, totals, strict=True):
        assert D("0.00") <= share <= total
        assert share == to_cents(share)


def test_each_rule_kind_pays_its_own_way_on_a_line():
    line = LineFacts(index=0, sku="BOOT", quantity=3, unit_price=D("20.00"), line_total=D("60.00"))
    assert line_amount(rule(1, "10"), line, D("50.00")) == D("5.00")  # 10% of the amount after discount
    assert line_amount(rule(2, "1.50", "fixed_per_unit"), line, D("50.00")) == D("4.50")  # 1.50 × 3
    assert line_amount(rule(3, "7", "fixed_per_order"), line, D("50.00")) == D("7")  # its whole value


def test_empty_conditions_match_anything():
    anything = rule(1, "10")
    assert order_conditions_hold(anything, order(("X", 1, "1.00", None)))
    assert line_conditions_hold(anything, LineFacts(index=0, sku="X", quantity=1, unit_price=D(1),
                                                    line_total=D(1)))


def test_the_percentage_base_is_the_line_after_its_discount_share_rounded_half_up_per_entry():
    # Shares 6.25 and 3.75; bases 43.75 and 26.25; 10% → 4.375 and 2.625 → 4.38 and 2.63.
    result = evaluate(order(("BOOT", 1, "50.00", None), ("TOTE", 1, "30.00", None), discount="10.00"),
                      [rule(1, "10")], [], [])
    assert amounts(result) == [("earning", 0, "BOOT", D("4.38")), ("earning", 0, "TOTE", D("2.63"))]
    assert result.commissionable_amount == D("70.00")
    assert result.proposals[0].breakdown["line"]["discount_share"] == "6.25"
    assert result.proposals[0].breakdown["base"] == "43.75"


def test_half_a_cent_rounds_up_and_less_rounds_to_nothing():
    # 10% of 0.05 = 0.005 → 0.01 (half-up, not to even); 10% of 0.04 = 0.004 → 0.00, not written.
    result = evaluate(order(("A", 1, "0.05", None), ("B", 1, "0.04", None)), [rule(1, "10")], [], [])
    assert amounts(result) == [("earning", 0, "A", D("0.01"))]


def test_a_fixed_per_order_rule_pays_once_however_many_lines_it_matches():
    result = evaluate(order(("A", 1, "10.00", None), ("B", 2, "5.00", None)),
                      [rule(1, "7.00", "fixed_per_order")], [], [])
    assert amounts(result) == [("earning", 0, None, D("7.00"))]
    assert [line["sku"] for line in result.proposals[0].breakdown["lines"]] == ["A", "B"]


def test_uplines_earn_their_level_rate_of_the_commissionable_amount():
    uplines = [Upline(1, 2, "Bruno", True), Upline(2, 3, "Carla", True), Upline(3, 4, "Dora", True)]
    levels = [{"level": 1, "rate": "5"}, {"level": 2, "rate": "2.5"}]
    result = evaluate(order(("A", 1, "99.90", None)), [rule(1, "10")], levels, uplines)
    # 10% of 99.90 = 9.99; 5% = 4.995 → 5.00; 2.5% = 2.4975 → 2.50; level 3 has no rate.
    assert amounts(result) == [("earning", 0, "A", D("9.99")), ("override", 1, None, D("5.00")),
                               ("override", 2, None, D("2.50"))]
    assert result.proposals[1].breakdown["upline_chain"] == [u.describe() for u in uplines]


# The rules add up (the worked examples) ------------------------------------------------------

TEXTILES, LIGHTING, KITCHEN, SHOES = 1, 2, 3, 7


def test_a_first_order_pays_each_lines_best_percentage_and_every_order_bonus():
    """SalesKing's numbers: 43.92 + 28.15 + 1.75 + 25.00 + 10.00 = 108.82 (one rule per line paid 97.07)."""
    rules = [
        rule(1, "12", name="Textiles 12%", category_ids=frozenset({TEXTILES})),
        rule(2, "8", name="Lighting 8%", category_ids=frozenset({LIGHTING})),
        rule(3, "5", name="Everything 5%"),
        rule(4, "10.00", "fixed_per_order", name="First order", first_order_only=True),
        rule(5, "25.00", "fixed_per_order", name="Orders of 500 or more", min_subtotal=D("500.00")),
    ]
    facts = order(("TEX-1", 1, "366.00", TEXTILES), ("LAMP-1", 1, "351.90", LIGHTING),
                  ("POT-1", 1, "34.90", KITCHEN), is_first_order=True)
    result = evaluate(facts, rules, [], [])
    assert [(p.rule.name, p.line.sku if p.line else None, p.exact_amount, p.amount)
            for p in result.proposals] == [
        ("Textiles 12%", "TEX-1", D("43.92"), D("43.92")),
        ("Lighting 8%", "LAMP-1", D("28.152"), D("28.15")),
        ("Everything 5%", "POT-1", D("1.745"), D("1.75")),  # half a cent rounds up
        ("First order", None, D("10.00"), D("10.00")),
        ("Orders of 500 or more", None, D("25.00"), D("25.00")),
    ]
    assert sum(p.amount for p in result.proposals) == D("108.82")
    # All three have the same priority: the larger amount wins the textiles and the lighting.
    assert [item["reason"] for item in result.proposals[0].breakdown["not_paid"]] == [
        "a percentage rule of the same priority that pays more, 'Textiles 12%', applied"]
    assert result.proposals[2].breakdown["not_paid"] == []
    assert result.commissionable_amount == D("752.80")

    # Not a first order: no 10.00, the rest the same.
    again = evaluate(order(*[(line.sku, 1, str(line.unit_price), line.category_id) for line in facts.lines]),
                     rules, [], [])
    assert sum(p.amount for p in again.proposals) == D("98.82")


def test_the_design_example_pays_15_the_bonus_takes_no_line_away():
    rules = [
        rule(1, "10", priority=10, name="Shoes 10%", category_ids=frozenset({SHOES})),
        rule(2, "5", priority=1, name="Everything 5%"),
        rule(3, "3.00", "fixed_per_order", priority=5, name="Over 100", min_subtotal=D("100.00")),
    ]
    result = evaluate(order(("SHOE-1", 2, "50.00", SHOES), ("BAG-1", 1, "40.00", None)), rules, [], [])
    assert amounts(result) == [("earning", 0, "SHOE-1", D("10.00")), ("earning", 0, "BAG-1", D("2.00")),
                               ("earning", 0, None, D("3.00"))]
    assert sum(p.amount for p in result.proposals) == D("15.00")
    [passed] = result.proposals[0].breakdown["not_paid"]
    assert (passed["rule"]["name"], passed["why"], passed["reason"], passed["applied"]) == (
        "Everything 5%", "priority", "a higher-priority percentage rule, 'Shoes 10%', applied",
        {"id": 1, "name": "Shoes 10%", "version": 1})
    assert [line["sku"] for line in result.proposals[2].breakdown["lines"]] == ["SHOE-1", "BAG-1"]


def test_a_percentage_and_a_per_unit_rule_both_pay_on_a_line_and_list_the_rules_that_did_not():
    rules = [
        rule(1, "10", priority=1, name="Ten"),
        rule(2, "12", priority=1, name="Twelve"),
        rule(3, "12", priority=1, name="Twelve too"),  # ties with Twelve: the older one pays
        rule(4, "0.50", "fixed_per_unit", priority=3, name="Half a euro a unit"),
        rule(5, "2.00", "fixed_per_unit", priority=2, name="Two a unit"),
    ]
    result = evaluate(order(("SOCK", 4, "5.00", None)), rules, [], [])
    assert [(p.rule.name, p.amount) for p in result.proposals] == [("Twelve", D("2.40")),
                                                                   ("Half a euro a unit", D("2.00"))]
    expected = [
        ("Ten", "amount", "a percentage rule of the same priority that pays more, 'Twelve', applied"),
        ("Twelve too", "age", "an older percentage rule of the same priority that pays as much, 'Twelve', applied"),
        ("Two a unit", "priority", "a higher-priority per-unit rule, 'Half a euro a unit', applied"),
    ]
    for proposal in result.proposals:
        assert [(item["rule"]["name"], item["why"], item["reason"]) for item in proposal.breakdown["not_paid"]] \
            == expected
    assert result.stored_passed_over() == [
        [0, 1, 1, 2, 1, "amount"], [0, 3, 1, 2, 1, "age"], [0, 5, 1, 4, 1, "priority"]]


def test_a_zero_value_rule_excludes_its_kind_and_the_line_counts_if_another_kind_pays():
    rules = [rule(1, "10"), rule(2, "0", priority=9, product_skus=frozenset({"GIFT"}))]
    result = evaluate(order(("BOOT", 1, "50.00", None), ("GIFT", 1, "25.00", None)), rules, [], [])
    assert amounts(result) == [("earning", 0, "BOOT", D("5.00"))]
    assert result.commissionable_amount == D("50.00")
    per_unit = [*rules, rule(3, "1.00", "fixed_per_unit", product_skus=frozenset({"GIFT"}))]
    result = evaluate(order(("BOOT", 1, "50.00", None), ("GIFT", 1, "25.00", None)), per_unit, [], [])
    assert amounts(result) == [("earning", 0, "BOOT", D("5.00")), ("earning", 0, "GIFT", D("1.00"))]
    assert result.commissionable_amount == D("75.00")


def test_lines_only_an_order_bonus_matches_are_commissionable_those_a_line_rule_excludes_are_not():
    rules = [rule(1, "0", product_skus=frozenset({"GIFT"})), rule(2, "5.00", "fixed_per_order")]
    result = evaluate(order(("BOOT", 1, "50.00", None), ("GIFT", 1, "25.00", None)), rules, [], [])
    assert amounts(result) == [("earning", 0, None, D("5.00"))]
    assert result.commissionable_amount == D("50.00")


def test_an_order_bonus_with_a_product_condition_pays_when_one_line_matches_it():
    rules = [rule(1, "4.00", "fixed_per_order", product_skus=frozenset({"GIFT"}))]
    assert amounts(evaluate(order(("BOOT", 1, "50.00", None)), rules, [], [])) == []
    result = evaluate(order(("BOOT", 1, "50.00", None), ("GIFT", 2, "25.00", None)), rules, [], [])
    assert amounts(result) == [("earning", 0, None, D("4.00"))]
    assert [line["sku"] for line in result.proposals[0].breakdown["lines"]] == ["GIFT"]


# The engine against the rules read literally --------------------------------------------------------

reference_rules = st.lists(
    st.builds(
        lambda i, value, kind, priority, skus: rule(i, value, kind, priority, product_skus=frozenset(skus)),
        i=st.integers(1, 1000), value=st.decimals(0, 30, places=2),
        kind=st.sampled_from(["percentage", "fixed_per_order", "fixed_per_unit"]),
        priority=st.integers(0, 3), skus=st.sets(st.sampled_from("ABC"), max_size=2),
    ),
    max_size=6, unique_by=lambda r: r.id,
)
reference_lines = st.lists(
    st.tuples(st.sampled_from("ABC"), st.integers(1, 4), st.decimals(0, 200, places=2)),
    min_size=1, max_size=5,
)


def literal_best(rules, line, eligible):
    """The rule of `rules` (one kind) that pays on the line, read from the design: highest priority, then the
    larger amount, then the older rule."""
    return max(rules, key=lambda r: (r.priority, line_amount(r, line, eligible), -r.id))


@settings(max_examples=300, deadline=None)
@given(rules=reference_rules, lines=reference_lines, discount_percent=st.integers(0, 100),
       rates=st.lists(st.decimals(0, 10, places=2), max_size=3))
def test_the_engine_agrees_with_the_rules_read_literally(rules, lines, discount_percent, rates):
    facts = order(*[(sku, qty, str(price), None) for sku, qty, price in lines])
    facts = order(*[(sku, qty, str(price), None) for sku, qty, price in lines],
                  discount=str(to_cents(facts.subtotal * discount_percent / 100)))
    levels = [{"level": n, "rate": str(rate)} for n, rate in enumerate(rates, start=1)]
    uplines = [Upline(n, 100 + n, f"U{n}", True) for n in range(1, 4)]
    result = evaluate(facts, rules, levels, uplines)

    shares = allocate_discount([line.line_total for line in facts.lines], facts.discount)
    expected, not_paid, bonuses, commissionable = [], [], {}, D("0.00")
    for line, share in zip(facts.lines, shares, strict=True):
        eligible = line.line_total - share
        matching = [r for r in rules if not r.product_skus or line.sku in r.product_skus]
        line_rules = [r for r in matching if r.kind != "fixed_per_order"]
        earns = False
        for kind in ("percentage", "fixed_per_unit"):
            of_kind = [r for r in matching if r.kind == kind]
            if not of_kind:
                continue
            best = literal_best(of_kind, line, eligible)
            earns = earns or best.value > 0
            not_paid += [(line.index, r.id, best.id) for r in sorted(of_kind, key=lambda r: (-r.priority, r.id))
                         if r is not best]
            if to_cents(line_amount(best, line, eligible)) > 0:
                expected.append(("earning", 0, line.sku, to_cents(line_amount(best, line, eligible))))
        for r in matching:
            if r.kind == "fixed_per_order":
                bonuses[r.id] = r
        if not line_rules:
            earns = any(r.value > 0 for r in matching)
        if earns:
            commissionable += eligible
    expected += [("earning", 0, None, to_cents(r.value))
                 for r in sorted(bonuses.values(), key=lambda r: (-r.priority, r.id)) if to_cents(r.value) > 0]
    expected += [("override", n, None, to_cents(commissionable * rate / 100))
                 for n, rate in enumerate(rates, start=1) if to_cents(commissionable * rate / 100) > 0]
    assert amounts(result) == expected
    assert result.commissionable_amount == commissionable
    assert [(line.index, p.rule.id, p.applied.id) for line, passed in result.passed_over for p in passed] == not_paid


# The override basis: the commissionable amount, or the child's commission ------------------------------

SALESKING_RULES = [
    rule(1, "12", category_ids=frozenset({TEXTILES})), rule(2, "8", category_ids=frozenset({LIGHTING})),
    rule(3, "5"), rule(4, "10.00", "fixed_per_order", first_order_only=True),
    rule(5, "25.00", "fixed_per_order", min_subtotal=D("500.00")),
]
CHAIN = [Upline(1, 2, "Marta", True), Upline(2, 3, "João", True)]


def salesking_order():
    return order(("TEX-1", 1, "366.00", TEXTILES), ("LAMP-1", 1, "351.90", LIGHTING), ("POT-1", 1, "34.90", KITCHEN),
                 is_first_order=True)


def overrides(result):
    return [(p.associate_id, p.level, p.base, p.rate, p.amount) for p in result.proposals if p.kind == "override"]


def test_on_the_commissionable_amount_each_level_earns_its_rate_of_the_sale():
    plan = OverridePlan(rates={1: D("5"), 2: D("2")})
    result = evaluate(salesking_order(), SALESKING_RULES, plan, CHAIN)
    # 5% and 2% of the 752.80 commissionable: 37.64 and 15.056 → 15.06.
    assert overrides(result) == [(2, 1, D("752.80"), D("5"), D("37.64")), (3, 2, D("752.80"), D("2"), D("15.06"))]
    assert result.proposals[-1].breakdown["basis"] == "commissionable_amount"


def test_on_the_childs_commission_each_level_earns_its_rate_of_what_the_level_below_earned():
    plan = OverridePlan(rates={1: D("10"), 2: D("5")}, basis=CHILD_COMMISSION)
    result = evaluate(salesking_order(), SALESKING_RULES, plan, CHAIN)
    # Ana earns 108.82; Marta 10% of it, 10.882 → 10.88; João 5% of Marta's 10.88, 0.544 → 0.54.
    assert overrides(result) == [(2, 1, D("108.82"), D("10"), D("10.88")), (3, 2, D("10.88"), D("5"), D("0.54"))]
    breakdown = result.proposals[-1].breakdown
    assert (breakdown["basis"], breakdown["base"], breakdown["rate"], breakdown["own_rate"]) == (
        "child_commission", "10.88", "5", False)


def test_a_parent_agents_own_rate_replaces_the_rate_of_their_level():
    plan = OverridePlan(rates={1: D("10"), 2: D("5")}, basis=CHILD_COMMISSION, agent_rates={2: D("15")})
    result = evaluate(salesking_order(), SALESKING_RULES, plan, CHAIN)
    # Marta's own 15% of 108.82 = 16.323 → 16.32; João's level rate, 5% of 16.32 = 0.816 → 0.82.
    assert overrides(result) == [(2, 1, D("108.82"), D("15"), D("16.32")), (3, 2, D("16.32"), D("5"), D("0.82"))]
    assert [p.breakdown["own_rate"] for p in result.proposals if p.kind == "override"] == [True, False]
    # On the commissionable amount too: 15% of 752.80 = 112.92.
    on_sale = evaluate(salesking_order(), SALESKING_RULES,
                       OverridePlan(rates={1: D("5")}, agent_rates={2: D("15")}), CHAIN[:1])
    assert overrides(on_sale) == [(2, 1, D("752.80"), D("15"), D("112.92"))]


def test_on_the_childs_commission_an_inactive_upline_earns_nothing_and_the_level_above_still_counts():
    plan = OverridePlan(rates={1: D("10"), 2: D("5")}, basis=CHILD_COMMISSION)
    chain = [Upline(1, 2, "Marta", False), Upline(2, 3, "João", True)]
    result = evaluate(salesking_order(), SALESKING_RULES, plan, chain)
    # João earns 5% of the 10.88 Marta would have earned.
    assert overrides(result) == [(3, 2, D("10.88"), D("5"), D("0.54"))]
    # A level at 0% earns nothing, and nor does any level above it: the child's commission is nothing.
    zero = evaluate(salesking_order(), SALESKING_RULES, OverridePlan(rates={2: D("5")}, basis=CHILD_COMMISSION), CHAIN)
    assert overrides(zero) == []
