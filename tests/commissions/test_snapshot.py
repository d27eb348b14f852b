"""What an order is evaluated with is read from the database for that order: nothing is cached.

Every change to a rule, its conditions, the commission settings, the attribution windows or an
associate (the tree upline chains climb) applies to the very next order, whatever made it (a
service, a queryset update, a deletion, a rolled-back edit, another process).
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.utils import timezone

from shopfloor.access import Actor
from shopfloor.accounts.models import Associate
from shopfloor.attribution.models import AttributionSettings, InteractionKind
from shopfloor.attribution.services import record_interaction
from shopfloor.commissions import snapshot
from shopfloor.commissions.configuration import save_commission_rule, save_commission_settings
from shopfloor.commissions.models import CommissionRule, CommissionSettings, LedgerEntry, OrderAccrual
from shopfloor.commissions.settlement import settle_orders
from shopfloor.customers.models import CustomerGroup
from shopfloor.orders.services import record_order
from tests.commissions.conftest import make_order, make_rule, set_levels
from tests.factories import make_associate, make_customer

D = Decimal
_numbers = iter(range(1, 10_000))


def post_order(agency, price="100.00"):
    """An order of one BOOT line by Ana's customer (credited to Ana, her primary associate)."""
    order, created = record_order(
        Actor(agency.admin),
        {
            "external_id": f"snap-{next(_numbers)}",
            "customer_id": agency.customer.pk,
            "lines": [{"sku": "BOOT", "quantity": 1, "unit_price": D(price)}],
        },
    )
    assert created
    return order


def earned(order) -> list[tuple]:
    return list(
        LedgerEntry.objects.filter(order=order)
        .order_by("pk")
        .values_list("associate__name", "kind", "level", "amount", "rule_version")
    )


def test_a_rule_edited_through_the_service_applies_to_the_next_order(agency):
    rule = make_rule("10")
    first = post_order(agency)
    save_commission_rule(agency.admin, {"value": "20"}, rule)
    second = post_order(agency)
    assert earned(first)[0] == ("Ana Alves", "earning", 0, D("10.00"), 1)
    assert earned(second)[0] == ("Ana Alves", "earning", 0, D("20.00"), 2)


def test_a_rule_changed_by_a_queryset_update_applies_to_the_next_order(agency):
    rule = make_rule("10")
    post_order(agency)
    # No service, no save(), no version bump: the next order still sees it.
    CommissionRule.objects.filter(pk=rule.pk).update(value=D("30"))
    assert earned(post_order(agency))[0][3] == D("30.00")
    CommissionRule.objects.filter(pk=rule.pk).update(active=False)
    assert [kind for _, kind, *_ in earned(post_order(agency))] == []


def test_a_new_and_a_deleted_rule_apply_to_the_next_order(agency):
    assert earned(post_order(agency)) == []
    make_rule("10")
    assert earned(post_order(agency))[0][3] == D("10.00")
    # A zero-value rule of higher priority excludes the line (and writes no entry that would protect it).
    excluding = make_rule("0", priority=9)
    assert earned(post_order(agency)) == []
    excluding.delete()
    assert earned(post_order(agency))[0][3] == D("10.00")


@pytest.mark.parametrize("relation", ["associates", "categories", "customer_groups", "customers"])
def test_a_changed_condition_set_applies_to_the_next_order(agency, relation):
    others = {
        "associates": lambda: [agency.bruno],
        "categories": lambda: [agency.bags],
        "customer_groups": lambda: [CustomerGroup.objects.create(name="Other group")],
        "customers": lambda: [make_customer(agency.store, "Olga", "Other")],
    }
    rule = make_rule("10", priority=1)
    make_rule("1", name="Fallback")
    assert earned(post_order(agency))[0][3] == D("10.00")
    # The rule now asks for someone or something else: the 1% fallback wins the next order.
    getattr(rule, relation).set(others[relation]())
    assert earned(post_order(agency))[0][3] == D("1.00")
    getattr(rule, relation).clear()
    assert earned(post_order(agency))[0][3] == D("10.00")


def test_changed_override_levels_apply_to_the_next_order(agency):
    make_rule("10")
    set_levels("5")
    assert [(kind, level, amount) for _, kind, level, amount, _ in earned(post_order(agency))] == [
        ("earning", 0, D("10.00")),
        ("override", 1, D("5.00")),
    ]
    save_commission_settings(agency.admin, {"override_levels": [{"level": 1, "rate": "7"}, {"level": 2, "rate": "3"}]})
    assert [(kind, level, amount) for _, kind, level, amount, _ in earned(post_order(agency))] == [
        ("earning", 0, D("10.00")),
        ("override", 1, D("7.00")),
        ("override", 2, D("3.00")),
    ]
    CommissionSettings.objects.update(override_levels=[])
    assert [kind for _, kind, *_ in earned(post_order(agency))] == ["earning"]


def overrides(order) -> list[tuple]:
    return [(name, level, amount) for name, kind, level, amount, _ in earned(order) if kind == "override"]


def test_a_changed_upline_chain_applies_to_the_next_order(agency):
    """Ana ← Bruno ← Carla ← Dora: whoever her uplines are when the order arrives earn the overrides."""
    make_rule("10")
    set_levels("5", "2")
    assert overrides(post_order(agency)) == [("Bruno Brito", 1, D("5.00")), ("Carla Costa", 2, D("2.00"))]
    # Moved by a queryset update (no save(), no service): the next order still sees it.
    Associate.objects.filter(pk=agency.ana.pk).update(parent=agency.carla)
    assert overrides(post_order(agency)) == [("Carla Costa", 1, D("5.00")), ("Dora Dias", 2, D("2.00"))]
    Associate.objects.filter(pk=agency.carla.pk).update(name="Carla C. Costa")
    Associate.objects.filter(pk=agency.dora.pk).update(active=False)
    assert overrides(post_order(agency)) == [("Carla C. Costa", 1, D("5.00"))]
    # A new agent becomes her parent.
    eva = make_associate(agency.store, "Eva Estevez", "eva@example.com", parent=agency.carla)
    Associate.objects.filter(pk=agency.ana.pk).update(parent=eva)
    assert overrides(post_order(agency)) == [("Eva Estevez", 1, D("5.00")), ("Carla C. Costa", 2, D("2.00"))]


def test_changed_attribution_windows_apply_to_the_next_order(agency):
    """Carla chatted with Ana's customer 20 days ago: outside the 14-day window, inside a 30-day one."""
    record_interaction(
        agency.carla, InteractionKind.CHAT, customer=agency.customer, occurred_at=timezone.now() - timedelta(days=20)
    )
    assert post_order(agency).attribution_rule == "primary_associate"
    AttributionSettings.objects.update_or_create(pk=1, defaults={"influence_window_days": 30})
    order = post_order(agency)
    assert (order.attribution_rule, order.attributed_associate) == ("interaction", agency.carla)
    AttributionSettings.objects.filter(pk=1).update(influence_window_days=10)
    assert post_order(agency).attribution_rule == "primary_associate"


def test_an_edit_rolled_back_after_it_was_read_leaves_no_stale_snapshot(agency):
    rule = make_rule("10")
    before = snapshot.current()
    with pytest.raises(RuntimeError), transaction.atomic():
        CommissionRule.objects.filter(pk=rule.pk).update(value=D("50"))
        assert snapshot.current().rules[0].value == D("50")
        raise RuntimeError("roll back")
    assert snapshot.current().rules[0].value == D("10")
    # Another edit after the rollback is seen too, whatever token the rolled-back one had.
    CommissionRule.objects.filter(pk=rule.pk).update(value=D("50"))
    assert snapshot.current().rules[0].value == D("50")
    assert before.rules[0].value == D("10")


def test_the_rules_and_settings_are_read_in_three_queries_and_two_without_active_rules(
        agency, django_assert_num_queries):
    make_rule("10", customers=[agency.customer])
    make_rule("2", "fixed_per_unit", priority=1, categories=[agency.bags], associates=[agency.ana])
    make_rule("5", active=False, customer_groups=[CustomerGroup.objects.create(name="Inactive rule's group")])
    set_levels("5", "2")
    with django_assert_num_queries(3):
        config = snapshot.current()
    assert [(rule.value, rule.customer_ids, rule.category_ids, rule.associate_ids) for rule in config.rules] == [
        (D("10"), frozenset({agency.customer.pk}), frozenset(), frozenset()),
        (D("2"), frozenset(), frozenset({agency.bags.pk}), frozenset({agency.ana.pk})),
    ]
    assert all(not rule.customer_group_ids for rule in config.rules)
    assert (config.override_levels, config.depth) == (({"level": 1, "rate": "5"}, {"level": 2, "rate": "2"}), 2)
    CommissionRule.objects.update(active=False)
    with django_assert_num_queries(2):
        assert snapshot.current().rules == ()


def test_each_call_reads_afresh(agency, django_assert_num_queries):
    rule = make_rule("10")
    first = snapshot.current()
    CommissionRule.objects.filter(pk=rule.pk).update(value=D("11"))
    with django_assert_num_queries(3):
        again = snapshot.current()
    assert (first.rules[0].value, again.rules[0].value) == (D("10"), D("11"))


def test_a_settlement_reads_the_upline_chains_once_per_batch(agency):
    """Ana's, Bruno's and Carla's orders: one query for the three chains of a batch, none per order."""
    make_rule("10")
    set_levels("5", "2", "1")
    made = [make_order(seller, [("BOOT", 1, "50.00")]) for seller in (agency.ana, agency.bruno, agency.carla) * 3]
    tables = _SelectedTables()
    with connection.execute_wrapper(tables):
        assert settle_orders(batch_size=5) == 9
    assert tables.count("accounts_associate") == 2
    assert OrderAccrual.objects.filter(order__in=made).count() == 9
    assert overrides(made[0]) == [("Bruno Brito", 1, D("2.50")), ("Carla Costa", 2, D("1.00")),
                                  ("Dora Dias", 3, D("0.50"))]
    assert overrides(made[2]) == [("Dora Dias", 1, D("2.50"))]


def test_the_stamp_its_table_and_its_triggers_are_gone(db):
    if connection.vendor == "postgresql":
        query = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgname LIKE 'stamp_%'"
    else:
        query = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'stamp_%'"
    with connection.cursor() as cursor:
        cursor.execute(query)
        assert cursor.fetchall() == []
    assert "commissions_configstamp" not in connection.introspection.table_names()


class _SelectedTables:
    """Which table each SELECT reads first."""

    def __init__(self):
        self.selects = []

    def __call__(self, execute, sql, params, many, context):
        words = sql.replace('"', "").split()
        if words and words[0].upper() == "SELECT" and "FROM" in words:
            self.selects.append(words[words.index("FROM") + 1])
        return execute(sql, params, many, context)

    def count(self, table):
        return self.selects.count(table)
