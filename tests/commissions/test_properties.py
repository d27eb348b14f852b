"""The ledger's invariants over random agencies, rules, orders and event sequences.

Whatever happens — accruals (on arrival or late), payments, completions,
refunds, cancellations, approvals, payouts, adjustments, and replays of any of
them — the ledger keeps these promises:

- every balance reconciles with the sum of the entries it is made of;
- nothing is ever reversed beyond what was earned, and a refund's reversal is
  exactly `to_cents(amount × refunded / total)` per entry, cumulatively;
- a fully refunded or cancelled order nets to zero for every associate and level;
- an order credited to nobody earns nothing;
- only completed orders past their hold are approved;
- replaying an event changes nothing.

And the rules add up, whatever the rules and the order (the engine on plain values, then through the
database): each line pays its best percentage and its best per-unit rule, every order bonus whose
conditions hold pays once, a rule that matches nothing changes nothing, the kinds never affect one
another, a higher priority never pays a rule less, every matching rule either pays or is listed with
why it did not, and what a simulation shows is what the ledger says once the order is accrued.
"""

import dataclasses
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import event as exercised
from hypothesis import strategies as st

from shopfloor.accounts.models import SellingMode
from shopfloor.catalog.models import Category, Product
from shopfloor.commissions.models import (
    ACCRUAL_KINDS,
    EntryKind,
    EntryStatus,
    LedgerEntry,
    OrderAccrual,
    RefundReversal,
)
from shopfloor.commissions.payouts import record_adjustment, record_payout
from shopfloor.commissions.rules import LineFacts, OrderFacts, RuleFacts, allocate_discount, evaluate, line_amount
from shopfloor.commissions.selectors import balance
from shopfloor.commissions.services import (
    accrue_order,
    approve_due_earnings,
    note_order_completed,
    reverse_for_cancellation,
    reverse_for_refund,
)
from shopfloor.commissions.simulation import simulate_order
from shopfloor.errors import Conflict
from shopfloor.money import ZERO, to_cents
from shopfloor.orders.models import Order, OrderStatus, Refund
from tests.commissions.conftest import make_order, make_rule, set_levels
from tests.factories import make_associate, make_customer, make_store, make_user

D = Decimal
SKUS = ["A", "B", "C", "D"]

rules = st.lists(st.fixed_dictionaries({
    "kind": st.sampled_from(["percentage", "fixed_per_order", "fixed_per_unit"]),
    "value": st.decimals(0, 25, places=2),
    "priority": st.integers(0, 2),
    "skus": st.sets(st.sampled_from(SKUS), max_size=2),
    "category": st.none() | st.integers(0, 1),
    "first_order_only": st.booleans(),
    "associate": st.none() | st.integers(0, 5),
    "min_subtotal": st.none() | st.decimals(0, 300, places=2),
}), max_size=3)

orders = st.lists(st.fixed_dictionaries({
    "associate": st.sampled_from([0, 1, 2, 3, 4, 5, None]),
    "customer": st.integers(0, 2),
    "lines": st.lists(st.tuples(st.sampled_from(SKUS), st.integers(1, 3), st.decimals(1, 150, places=2)),
                      min_size=1, max_size=3),
    "discount_percent": st.integers(0, 100),
    "status": st.sampled_from([OrderStatus.PLACED, OrderStatus.PENDING_PAYMENT, OrderStatus.COMPLETED]),
    "accrue_late": st.booleans(),
}), min_size=1, max_size=5)

events = st.lists(st.one_of(
    st.tuples(st.just("accrue"), st.integers(0, 9)),
    st.tuples(st.just("pay"), st.integers(0, 9)),
    st.tuples(st.just("complete"), st.integers(0, 9)),
    st.tuples(st.just("refund"), st.integers(0, 9), st.integers(1, 100)),
    st.tuples(st.just("refund_all"), st.integers(0, 9)),
    st.tuples(st.just("cancel"), st.integers(0, 9)),
    st.tuples(st.just("approve"), st.integers(0, 30)),
    st.tuples(st.just("payout"), st.integers(0, 5), st.integers(1, 3000), st.booleans()),
    st.tuples(st.just("adjust"), st.integers(0, 5), st.integers(-2000, 2000)),
    st.tuples(st.just("replay"), st.integers(0, 99)),
), min_size=3, max_size=12)

worlds = st.fixed_dictionaries({
    "parents": st.lists(st.none() | st.integers(0, 5), min_size=1, max_size=6),
    "inactive": st.sets(st.integers(0, 5), max_size=2),
    "levels": st.lists(st.decimals(0, 10, places=2), max_size=3),
    "basis": st.sampled_from(["commissionable_amount", "child_commission"]),
    "hold_days": st.integers(0, 20),
    "base_rate": st.decimals(1, 20, places=2),
    "rules": rules,
    "orders": orders,
    "events": events,
})


def ledger_state():
    """Everything replaying an event could change."""
    return (
        list(LedgerEntry.objects.order_by("pk").values_list("pk", "status", "amount")),
        list(OrderAccrual.objects.order_by("pk").values_list(
            "pk", "completed_at", "approved_at", "cancelled_at")),
        RefundReversal.objects.count(),
    )


class Row:
    def __init__(self, **fields):
        self.__dict__.update(fields)


ENTRY_FIELDS = ("pk", "kind", "status", "amount", "level", "associate_id", "order_id", "reverses_id",
                "order__attributed_associate_id")
ACCRUAL_FIELDS = ("order_id", "completed_at", "approved_at", "cancelled_at", "order__status", "order__total")


def check_invariants(associates, hold_days, balances=True):
    entries = [Row(**row) for row in LedgerEntry.objects.values(*ENTRY_FIELDS)]
    by_pk = {entry.pk: entry for entry in entries}
    reversed_total = defaultdict(lambda: ZERO)
    for entry in entries:
        if entry.kind == EntryKind.REVERSAL:
            reversed_total[entry.reverses_id] -= entry.amount
            assert by_pk[entry.reverses_id].kind in ACCRUAL_KINDS
            assert entry.associate_id == by_pk[entry.reverses_id].associate_id
    accruals = {row["order_id"]: Row(**row) for row in OrderAccrual.objects.values(*ACCRUAL_FIELDS)}
    refunded = defaultdict(lambda: ZERO)
    for order_id, amount in RefundReversal.objects.values_list("order_id", "amount"):
        refunded[order_id] += amount

    for entry in entries:
        assert entry.amount == to_cents(entry.amount)
        if entry.order_id is not None:
            assert entry.order__attributed_associate_id is not None, "an unattributed order earned"
            assert entry.order_id in accruals
        if entry.kind in ACCRUAL_KINDS:
            assert entry.amount > 0
            taken = reversed_total[entry.pk]
            assert ZERO <= taken <= entry.amount, "reversed beyond what was earned"
            accrual = accruals[entry.order_id]
            if accrual.cancelled_at is not None:
                assert taken == entry.amount
            else:
                total = accrual.order__total
                expected = to_cents(entry.amount * refunded[entry.order_id] / total) if total > 0 else ZERO
                assert taken == expected, "a refund's reversal is not its exact cumulative share"
            if entry.status == EntryStatus.REVERSED:
                assert taken == entry.amount
        if entry.status == EntryStatus.APPROVED and entry.order_id is not None:
            accrual = accruals[entry.order_id]
            assert accrual.approved_at is not None
            assert accrual.order__status == OrderStatus.COMPLETED
            assert accrual.completed_at + timedelta(days=hold_days) <= accrual.approved_at
        if entry.status == EntryStatus.PENDING and entry.order_id is not None:
            assert accruals[entry.order_id].approved_at is None

    assert sum((e.amount for e in entries if e.status == EntryStatus.REVERSED), ZERO) == ZERO

    # A fully refunded or cancelled order nets to zero for every associate and level.
    net = defaultdict(lambda: ZERO)
    for entry in entries:
        if entry.order_id is not None:
            net[(entry.order_id, entry.associate_id, entry.level)] += entry.amount
    for (order_id, _, _), amount in net.items():
        accrual = accruals[order_id]
        fully_refunded = accrual.order__total > 0 and refunded[order_id] == accrual.order__total
        if accrual.cancelled_at is not None or fully_refunded:
            assert amount == ZERO

    for associate in associates if balances else ():
        mine = [e for e in entries if e.associate_id == associate.pk]
        figures = balance(associate)
        assert figures["balance"] == sum((e.amount for e in mine if e.status == EntryStatus.APPROVED), ZERO)
        assert figures["balance"] == figures["approved"] + figures["adjustments"] - figures["paid"]
        assert figures["pending"] == sum((e.amount for e in mine if e.status == EntryStatus.PENDING), ZERO)
        assert figures["paid"] == -sum((e.amount for e in mine if e.kind == EntryKind.PAYOUT), ZERO)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(world=worlds)
def test_the_ledger_keeps_its_invariants_whatever_happens(db, world):
    with transaction.atomic():
        run(world)
        transaction.set_rollback(True)


def run(world):
    store = make_store("prop", "Property Store", SellingMode.ASSOCIATE)
    admin = make_user("prop-admin@example.com", is_staff=True)
    categories = [Category.objects.create(name=f"Cat {i}", slug=f"cat-{i}") for i in range(2)]
    for index, sku in enumerate(SKUS):
        Product.objects.create(sku=sku, name=sku, category=categories[index % 2] if index < 3 else None)
    associates = []
    for index, parent in enumerate(world["parents"]):
        associates.append(make_associate(
            store, f"Agent {index}", with_login=False, active=index not in world["inactive"],
            parent=associates[parent % index] if parent is not None and index > 0 else None,
        ))
    customers = [make_customer(store, f"C{i}", "Prop") for i in range(3)]
    set_levels(*world["levels"], hold_days=world["hold_days"], basis=world["basis"])
    make_rule(world["base_rate"], priority=-1, name="Base rate")
    for spec in world["rules"]:
        conditions = {"product_skus": sorted(spec["skus"]), "first_order_only": spec["first_order_only"],
                      "min_subtotal": spec["min_subtotal"]}
        if spec["category"] is not None:
            conditions["categories"] = [categories[spec["category"]]]
        if spec["associate"] is not None:
            conditions["associates"] = [associates[spec["associate"] % len(associates)]]
        make_rule(spec["value"], spec["kind"], spec["priority"], **conditions)

    clock = timezone.now()
    placed = []
    for number, spec in enumerate(world["orders"]):
        associate = associates[spec["associate"] % len(associates)] if spec["associate"] is not None else None
        lines = [(sku, quantity, str(price)) for sku, quantity, price in spec["lines"]]
        subtotal = sum((D(price) * quantity for _, quantity, price in lines), ZERO)
        discount = str(to_cents(subtotal * spec["discount_percent"] / 100))
        order = make_order(associate, lines, discount=discount,
                           customer=customers[spec["customer"]], status=spec["status"], store=store,
                           placed_at=clock - timedelta(days=10 - number))
        placed.append((order, spec["accrue_late"]))
        if not spec["accrue_late"]:
            accrue_order(order)  # as the orders service does on arrival
    for order, _ in placed:
        if associates and order.attributed_associate_id is None:
            assert not OrderAccrual.objects.filter(order=order).exists()

    replayable = []

    def replay_later(action):
        replayable.append(action)

    for event in world["events"]:
        clock += timedelta(days=1)
        name = event[0]
        order = Order.objects.get(pk=placed[event[1] % len(placed)][0].pk) if name in (
            "accrue", "pay", "complete", "refund", "refund_all", "cancel") else None
        if name == "accrue":
            accrue_order(order)
            if OrderAccrual.objects.filter(order=order).exists() or order.attributed_associate_id is None:
                replay_later(lambda order=order: accrue_order(order))
        elif name == "pay" and order.status == OrderStatus.PENDING_PAYMENT:
            order.status = OrderStatus.PLACED
            order.save()
            accrue_order(order)
        elif name == "complete" and order.status == OrderStatus.PLACED:
            order.status = OrderStatus.COMPLETED
            order.save()
            when = clock
            note_order_completed(order, when)
            replay_later(lambda order=order, when=when: note_order_completed(order, when))
        elif name in ("refund", "refund_all") and order.status != OrderStatus.PENDING_PAYMENT:
            left = order.total - sum(order.refunds.values_list("amount", flat=True), ZERO)
            amount = left if name == "refund_all" else to_cents(left * event[2] / 100)
            if amount > 0:
                refund = Refund.objects.create(order=order, external_id=f"rf-{Refund.objects.count()}",
                                               amount=amount)
                reverse_for_refund(refund)
                replay_later(lambda refund=refund: reverse_for_refund(refund))
        elif name == "cancel" and order.status in (OrderStatus.PLACED, OrderStatus.PENDING_PAYMENT):
            order.status = OrderStatus.CANCELLED
            order.save()
            reverse_for_cancellation(order)
            replay_later(lambda order=order: reverse_for_cancellation(order))
        elif name == "approve":
            clock += timedelta(days=event[1])
            approve_due_earnings(clock)
            before = ledger_state()
            assert approve_due_earnings(clock) == 0
            assert ledger_state() == before
        elif name == "payout":
            associate = associates[event[1] % len(associates)]
            amount = D(event[2]) / 100
            available = balance(associate)["balance"]
            try:
                record_payout(admin, associate, amount, "bank", confirm_over_balance=event[3])
                assert amount <= available or event[3]
            except Conflict:
                assert amount > available and not event[3]
        elif name == "adjust" and event[2] != 0:
            associate = associates[event[1] % len(associates)]
            record_adjustment(admin, associate, D(event[2]) / 100, "Property test")
        elif name == "replay" and replayable:
            before = ledger_state()
            result = replayable[event[1] % len(replayable)]()
            assert not result
            assert ledger_state() == before, "replaying an event changed the ledger"
        check_invariants(associates, world["hold_days"], balances=False)
    check_invariants(associates, world["hold_days"])
    # What the sequence exercised (pytest --hypothesis-show-statistics).
    for status in EntryStatus.values:
        if LedgerEntry.objects.filter(status=status, kind__in=ACCRUAL_KINDS).exists():
            exercised(f"has {status} earnings")
    if LedgerEntry.objects.filter(kind=EntryKind.REVERSAL, refund__isnull=False).exists():
        exercised("has refund reversals")
    if LedgerEntry.objects.filter(kind=EntryKind.REVERSAL, status=EntryStatus.APPROVED).exists():
        exercised("has approved reversals")
    if any(balance(associate)["balance"] < 0 for associate in associates):
        exercised("has a negative balance")

    # Settle: every placed order completes, the hold passes, and then each order is refunded in full.
    for order in Order.objects.filter(status=OrderStatus.PLACED):
        order.status = OrderStatus.COMPLETED
        order.save()
        note_order_completed(order, clock)
    clock += timedelta(days=world["hold_days"])
    approve_due_earnings(clock)
    check_invariants(associates, world["hold_days"])
    for order in Order.objects.exclude(status=OrderStatus.PENDING_PAYMENT):
        left = order.total - sum(order.refunds.values_list("amount", flat=True), ZERO)
        if left > 0:
            refund = Refund.objects.create(order=order, external_id=f"settle-{order.pk}", amount=left)
            reverse_for_refund(refund)
    check_invariants(associates, world["hold_days"])
    # Everything earned on an order that could be refunded was taken back.
    left_over = LedgerEntry.objects.filter(order__total__gt=0).exclude(
        order__status=OrderStatus.PENDING_PAYMENT)
    assert sum(left_over.values_list("amount", flat=True), ZERO) == ZERO


# The rules add up ---------------------------------------------------------------------------------------

KINDS = ("percentage", "fixed_per_unit", "fixed_per_order")
LINE_KINDS = ("percentage", "fixed_per_unit")
WHEN = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)

plain_rules = st.lists(st.builds(
    lambda kind, value, priority, skus, first, low: dict(
        kind=kind, value=value, priority=priority, product_skus=frozenset(skus), first_order_only=first,
        min_subtotal=low),
    kind=st.sampled_from(KINDS), value=st.decimals(0, 25, places=2), priority=st.integers(0, 3),
    skus=st.sets(st.sampled_from(SKUS), max_size=2), first=st.booleans(),
    low=st.none() | st.decimals(0, 400, places=2),
), max_size=7).map(lambda specs: [RuleFacts(id=index + 1, name=f"Rule {index + 1}", version=1, **spec)
                                  for index, spec in enumerate(specs)])

plain_orders = st.builds(
    lambda lines, percent, first: order_facts(lines, percent, first),
    lines=st.lists(st.tuples(st.sampled_from(SKUS[:3]), st.integers(1, 4), st.decimals(0, 200, places=2)),
                   min_size=1, max_size=4),
    percent=st.integers(0, 100), first=st.booleans(),
)


def order_facts(lines, discount_percent, first):
    facts = tuple(LineFacts(index=index, sku=sku, quantity=quantity, unit_price=price, line_total=price * quantity)
                  for index, (sku, quantity, price) in enumerate(lines))
    subtotal = sum((line.line_total for line in facts), ZERO)
    return OrderFacts(associate_id=1, associate_name="Ana", currency="EUR", subtotal=subtotal,
                      discount=to_cents(subtotal * discount_percent / 100), placed_at=WHEN, lines=facts,
                      is_first_order=first)


def holds(rule, order, line=None):
    """The rule's conditions read literally: the order's, and the line's (None: any line of the order)."""
    if rule.first_order_only and not order.is_first_order:
        return False
    if rule.min_subtotal is not None and order.subtotal < rule.min_subtotal:
        return False
    lines = order.lines if line is None else [line]
    return any(not rule.product_skus or each.sku in rule.product_skus for each in lines)


def paid(evaluation, rule_id=None, kind=None):
    """{(rule id, line index or None): amount} of the earnings (of one rule, or of one kind)."""
    return {(p.rule.id, p.line.index if p.line else None): p.amount for p in evaluation.proposals
            if p.kind == "earning" and (rule_id is None or p.rule.id == rule_id)
            and (kind is None or p.rule.kind == kind)}


def passed_over(evaluation):
    return [(line.index, p.rule.id, p.applied.id, p.why) for line, passed in evaluation.passed_over for p in passed]


@settings(max_examples=300, deadline=None)
@given(rules=plain_rules, order=plain_orders)
def test_an_order_earns_each_lines_best_percentage_and_per_unit_rule_plus_every_bonus(rules, order):
    shares = allocate_discount([line.line_total for line in order.lines], order.discount)
    expected = ZERO
    for line, share in zip(order.lines, shares, strict=True):
        eligible = line.line_total - share
        for kind in LINE_KINDS:
            matching = [rule for rule in rules if rule.kind == kind and holds(rule, order, line)]
            if matching:
                best = max(matching, key=lambda rule: (rule.priority, line_amount(rule, line, eligible), -rule.id))
                expected += to_cents(line_amount(best, line, eligible))
    expected += sum((to_cents(rule.value) for rule in rules if rule.kind == "fixed_per_order" and holds(rule, order)),
                    ZERO)
    evaluation = evaluate(order, rules, [], [])
    assert sum((p.amount for p in evaluation.proposals), ZERO) == expected
    # A line carries at most one earning of each kind; a bonus is paid once.
    keys = [(p.line.index if p.line else None, p.rule.kind if p.line else p.rule.id) for p in evaluation.proposals]
    assert len(keys) == len(set(keys))


@settings(max_examples=300, deadline=None)
@given(rules=plain_rules, order=plain_orders, kind=st.sampled_from(KINDS), value=st.decimals(0, 100, places=2),
       priority=st.integers(-5, 10), miss=st.sampled_from(["sku", "subtotal", "first_order"]))
def test_a_rule_that_matches_nothing_changes_nothing(rules, order, kind, value, priority, miss):
    misses = {"sku": {"product_skus": frozenset({"D"})},  # no order line is a D
              "subtotal": {"min_subtotal": order.subtotal + 1},
              "first_order": {"first_order_only": True}}[miss]
    if miss == "first_order" and order.is_first_order:
        order = dataclasses.replace(order, is_first_order=False)
    stranger = RuleFacts(id=999, name="Stranger", version=1, kind=kind, value=value, priority=priority, **misses)
    before, after = evaluate(order, rules, [], []), evaluate(order, [*rules, stranger], [], [])
    assert paid(after) == paid(before)
    assert passed_over(after) == passed_over(before)
    assert after.commissionable_amount == before.commissionable_amount


@settings(max_examples=300, deadline=None)
@given(rules=plain_rules, order=plain_orders)
def test_each_kind_pays_as_if_the_other_kinds_were_not_there(rules, order):
    together = evaluate(order, rules, [], [])
    for kind in KINDS:
        alone = evaluate(order, [rule for rule in rules if rule.kind == kind], [], [])
        assert paid(alone) == paid(together, kind=kind)
        assert [item for item in passed_over(together) if item[1] in {r.id for r in rules if r.kind == kind}] \
            == passed_over(alone)


@settings(max_examples=300, deadline=None)
@given(rules=plain_rules.filter(bool), order=plain_orders, pick=st.integers(0, 6), raise_by=st.integers(1, 5))
def test_raising_a_rules_priority_never_pays_it_less_nor_its_rivals_more(rules, order, pick, raise_by):
    chosen = rules[pick % len(rules)]
    raised = [dataclasses.replace(rule, priority=rule.priority + raise_by) if rule is chosen else rule
              for rule in rules]
    before, after = evaluate(order, rules, [], []), evaluate(order, raised, [], [])
    mine_before, mine_after = paid(before, chosen.id), paid(after, chosen.id)
    if chosen.kind == "fixed_per_order":
        # A bonus's priority decides nothing.
        assert paid(after) == paid(before)
        return
    for key, amount in mine_before.items():
        assert mine_after.get(key, ZERO) >= amount
    for rival in rules:
        if rival is not chosen and rival.kind == chosen.kind:
            for key, amount in paid(after, rival.id).items():
                assert amount <= paid(before, rival.id).get(key, ZERO)
    # The other kinds do not notice.
    for kind in KINDS:
        if kind != chosen.kind:
            assert paid(after, kind=kind) == paid(before, kind=kind)


@settings(max_examples=300, deadline=None)
@given(rules=plain_rules, order=plain_orders)
def test_every_matching_line_rule_either_pays_or_is_listed_with_why(rules, order):
    evaluation = evaluate(order, rules, [], [])
    shares = allocate_discount([line.line_total for line in order.lines], order.discount)
    by_id = {rule.id: rule for rule in rules}
    listed = defaultdict(list)
    for index, rule_id, applied_id, why in passed_over(evaluation):
        listed[index].append((rule_id, applied_id, why))
    for line, share in zip(order.lines, shares, strict=True):
        eligible = line.line_total - share
        for kind in LINE_KINDS:
            matching = [rule for rule in rules if rule.kind == kind and holds(rule, order, line)]
            not_paid = [(rule_id, applied_id, why) for rule_id, applied_id, why in listed[line.index]
                        if by_id[rule_id].kind == kind]
            if not matching:
                assert not not_paid
                continue
            winner = max(matching, key=lambda rule: (rule.priority, line_amount(rule, line, eligible), -rule.id))
            # Every matching rule but the one that applied is listed once, naming it.
            assert sorted(rule_id for rule_id, _, _ in not_paid) == sorted(r.id for r in matching if r is not winner)
            for rule_id, applied_id, why in not_paid:
                rule = by_id[rule_id]
                assert applied_id == winner.id
                assert (why == "priority") == (winner.priority > rule.priority)
                if why == "amount":
                    assert line_amount(winner, line, eligible) > line_amount(rule, line, eligible)
                if why == "age":
                    assert line_amount(winner, line, eligible) == line_amount(rule, line, eligible)
                    assert winner.id < rule.id
            # The earning of the kind on the line, if any, is the rule that applied.
            assert {key[0] for key in paid(evaluation, kind=kind) if key[1] == line.index} <= {winner.id}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(world=st.fixed_dictionaries({"rules": rules, "levels": st.lists(st.decimals(0, 10, places=2), max_size=2),
                                    "basis": st.sampled_from(["commissionable_amount", "child_commission"]),
                                    "own_rate": st.none() | st.decimals(0, 30, places=2),
                                    "lines": orders.map(lambda specs: specs[0]["lines"]),
                                    "discount_percent": st.integers(0, 100), "first": st.booleans()}))
def test_what_a_simulation_shows_is_what_the_ledger_says_once_accrued(db, world):
    """The rules that did not pay, the override basis and an agent's own rate go through the accrual's marker
    and back into each entry's breakdown."""
    with transaction.atomic():
        store = make_store("sim", "Simulated Store", SellingMode.ASSOCIATE)
        categories = [Category.objects.create(name=f"Cat {i}", slug=f"cat-{i}") for i in range(2)]
        for index, sku in enumerate(SKUS):
            Product.objects.create(sku=sku, name=sku, category=categories[index % 2] if index < 3 else None)
        top = make_associate(store, "Top", with_login=False)
        upline = make_associate(store, "Upline", with_login=False, parent=top)
        seller = make_associate(store, "Seller", with_login=False, parent=upline)
        customer = make_customer(store, "Sim", "Customer")
        own = [] if world["own_rate"] is None else [(upline, world["own_rate"])]
        set_levels(*world["levels"], basis=world["basis"], agent_rates=own)
        for spec in world["rules"]:
            conditions = {"product_skus": sorted(spec["skus"]), "first_order_only": spec["first_order_only"],
                          "min_subtotal": spec["min_subtotal"]}
            if spec["category"] is not None:
                conditions["categories"] = [categories[spec["category"]]]
            make_rule(spec["value"], spec["kind"], spec["priority"], **conditions)
        if not world["first"]:
            make_order(seller, [("A", 1, "1.00")], customer=customer, store=store,
                       placed_at=timezone.now() - timedelta(days=30))
        lines = [(sku, quantity, str(price)) for sku, quantity, price in world["lines"]]
        subtotal = sum((D(price) * quantity for _, quantity, price in lines), ZERO)
        order = make_order(seller, lines, discount=str(to_cents(subtotal * world["discount_percent"] / 100)),
                           customer=customer, store=store)
        simulated = simulate_order(order)
        accrue_order(order)
        entries = LedgerEntry.objects.filter(order=order).order_by("pk")
        assert [(e["associate_id"], e["kind"], e["amount"], e["rule_id"], e["breakdown"]) for e in simulated] == [
            (e.associate_id, e.kind, e.amount, e.rule_id, e.breakdown) for e in entries]
        if any(e["breakdown"].get("not_paid") for e in simulated):
            exercised("a rule did not pay")
        transaction.set_rollback(True)
