"""The per-process snapshot of rules and settings: reused while nothing changed, and never stale.

Every change to a rule, its conditions, the commission settings, the attribution windows or an
associate (the tree upline chains climb) applies to the very next order, whatever made it (a
service, a queryset update, a deletion, a rolled-back edit), because database triggers replace the
stamp the snapshot is checked against.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.utils import timezone

from shopfloor.access import Actor
from shopfloor.accounts.models import Associate
from shopfloor.commissions import snapshot
from shopfloor.commissions.models import CommissionRule, CommissionSettings, ConfigStamp, LedgerEntry
from shopfloor.commissions.services import save_commission_rule, save_commission_settings
from shopfloor.customers.models import CustomerGroup
from shopfloor.orders.models import AttributionSettings, InteractionKind
from shopfloor.orders.services import record_interaction, record_order
from tests.commissions.conftest import make_rule, set_levels
from tests.factories import make_associate, make_customer

D = Decimal
_numbers = iter(range(1, 10_000))


@pytest.fixture(autouse=True)
def _fresh_snapshot():
    snapshot.forget()
    yield
    snapshot.forget()


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


def test_every_guarded_table_has_its_triggers(db):
    assert snapshot.missing_triggers() == []
    assert ConfigStamp.objects.filter(pk=1).exists()


def test_the_snapshot_is_reused_while_nothing_changes_at_one_query_per_call(agency, django_assert_num_queries):
    make_rule("10")
    first = snapshot.current()
    with django_assert_num_queries(1):
        again = snapshot.current()
    assert again is first
    assert [rule.value for rule in again.rules] == [D("10")]


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
    # No service, no save(), no version bump: the trigger still replaces the stamp.
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
    # Moved by a queryset update (no save(), no service): the trigger still replaces the stamp.
    Associate.objects.filter(pk=agency.ana.pk).update(parent=agency.carla)
    assert overrides(post_order(agency)) == [("Carla Costa", 1, D("5.00")), ("Dora Dias", 2, D("2.00"))]
    Associate.objects.filter(pk=agency.carla.pk).update(name="Carla C. Costa")
    Associate.objects.filter(pk=agency.dora.pk).update(active=False)
    assert overrides(post_order(agency)) == [("Carla C. Costa", 1, D("5.00"))]
    # A new agent becomes her parent.
    eva = make_associate(agency.store, "Eva Estevez", "eva@example.com", parent=agency.carla)
    Associate.objects.filter(pk=agency.ana.pk).update(parent=eva)
    assert overrides(post_order(agency)) == [("Eva Estevez", 1, D("5.00")), ("Carla C. Costa", 2, D("2.00"))]


def test_the_upline_chain_comes_with_the_snapshot(agency, django_assert_num_queries):
    set_levels("5", "2")
    first = snapshot.current()
    assert first.associates[agency.ana.pk] == ("Ana Alves", True, agency.bruno.pk)
    assert first.associates[agency.dora.pk] == ("Dora Dias", True, None)
    with django_assert_num_queries(1):
        assert snapshot.current() is first


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


def test_without_a_stamp_row_nothing_is_cached_and_the_next_change_writes_it_again(agency):
    rule = make_rule("10")
    ConfigStamp.objects.all().delete()
    first = snapshot.current()
    assert snapshot.current() is not first
    assert first.rules[0].value == D("10")
    CommissionRule.objects.filter(pk=rule.pk).update(value=D("12"))
    assert ConfigStamp.objects.filter(pk=1).exists()
    assert snapshot.current().rules[0].value == D("12")


def test_without_its_triggers_the_snapshot_is_never_cached(agency, monkeypatch):
    make_rule("10")
    monkeypatch.setattr(snapshot, "missing_triggers", lambda: ["stamp_commissions_commissionrule_update"])
    snapshot.forget()
    first = snapshot.current()
    assert snapshot.current() is not first


def test_a_cached_snapshot_evaluates_exactly_as_a_fresh_read(agency):
    make_rule("10")
    make_rule("2", "fixed_per_unit", priority=1, categories=[agency.bags])
    set_levels("5", "2")
    cached = snapshot.current()
    assert snapshot.current() is cached
    assert cached == snapshot.load()


def test_recording_an_order_with_unchanged_rules_reads_them_once(agency):
    """The stamp replaces the rules, conditions, settings and windows queries of every order."""
    make_rule("10")
    set_levels("5", "2")
    post_order(agency)
    tables = _RecordTables()
    with connection.execute_wrapper(tables):
        post_order(agency)
    assert tables.count("commissions_configstamp") == 1
    for table in ("commissions_commissionrule", "commissions_commissionsettings", "orders_attributionsettings"):
        assert tables.count(table) == 0, table


class _RecordTables:
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
