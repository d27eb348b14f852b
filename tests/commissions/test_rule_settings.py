"""Saving commission rules (validated, versioned) and the commission settings."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from shopfloor.access import NotAllowed
from shopfloor.catalog.models import Category
from shopfloor.commissions.configuration import get_commission_settings, save_commission_rule, save_commission_settings
from shopfloor.commissions.models import CommissionRule, CommissionSettings
from shopfloor.customers.models import CustomerGroup
from shopfloor.errors import InvalidInput

D = Decimal


def test_a_new_rule_starts_at_version_one_with_its_conditions(agency):
    group = CustomerGroup.objects.create(name="VIP")
    rule = save_commission_rule(agency.admin, {
        "name": " Boots ", "kind": "fixed_per_unit", "value": "2.5", "priority": 3,
        "associate_ids": [agency.ana.pk], "product_skus": ["BOOT", " SANDAL", "BOOT"],
        "categories": ["Shoes", "Belts"], "customer_group_ids": [group.pk],
        "customer_ids": [agency.customer.pk],
        "min_subtotal": "10", "max_subtotal": "500.00", "first_order_only": True,
        "starts_at": "2026-03-01T00:00:00Z", "ends_at": datetime(2026, 4, 1, tzinfo=UTC), "currency": "eur",
    })
    rule.refresh_from_db()
    assert (rule.name, rule.kind, rule.value, rule.priority, rule.version, rule.currency) == (
        "Boots", "fixed_per_unit", D("2.5"), 3, 1, "EUR")
    assert rule.product_skus == ["BOOT", "SANDAL"]
    assert list(rule.associates.all()) == [agency.ana]
    assert sorted(rule.categories.values_list("name", flat=True)) == ["Belts", "Shoes"]
    assert Category.objects.filter(name="Belts").exists()
    assert (rule.min_subtotal, rule.max_subtotal, rule.first_order_only) == (D("10.00"), D("500.00"), True)
    assert rule.starts_at == datetime(2026, 3, 1, tzinfo=UTC)


def test_every_change_raises_the_version_and_a_save_without_changes_does_not(agency):
    rule = save_commission_rule(agency.admin, {"name": "Base", "value": "10"})
    rule = save_commission_rule(agency.admin, {"value": "12"}, rule)
    assert rule.version == 2
    rule = save_commission_rule(agency.admin, {"associate_ids": [agency.bruno.pk]}, rule)
    assert rule.version == 3
    rule = save_commission_rule(agency.admin, {"active": False}, rule)
    assert rule.version == 4
    rule = save_commission_rule(agency.admin, {"value": "12.0000", "associate_ids": [agency.bruno.pk]}, rule)
    assert rule.version == 4
    assert CommissionRule.objects.get().version == 4


@pytest.mark.parametrize("data, field", [
    ({"value": "10"}, "name"),
    ({"name": "x"}, "value"),
    ({"name": "x", "value": "-1"}, "value"),
    ({"name": "x", "value": "101"}, "value"),
    ({"name": "x", "value": "1.23456"}, "value"),
    ({"name": "x", "value": "1", "kind": "bonus"}, "kind"),
    ({"name": "x", "value": "1", "priority": "high"}, "priority"),
    ({"name": "x", "value": "1", "associate_ids": [999999]}, "associate_ids"),
    ({"name": "x", "value": "1", "customer_ids": ["1"]}, "customer_ids"),
    ({"name": "x", "value": "1", "product_skus": [""]}, "product_skus"),
    ({"name": "x", "value": "1", "min_subtotal": "50", "max_subtotal": "10"}, "max_subtotal"),
    ({"name": "x", "value": "1", "starts_at": "2026-04-01T00:00:00Z", "ends_at": "2026-03-01T00:00:00Z"},
     "ends_at"),
    ({"name": "x", "value": "1", "starts_at": "2026-04-01T00:00:00"}, "starts_at"),
    ({"name": "x", "value": "1", "currency": "EURO"}, "currency"),
])
def test_a_bad_rule_is_refused_naming_the_field_and_nothing_is_saved(agency, data, field):
    with pytest.raises(InvalidInput) as error:
        save_commission_rule(agency.admin, data)
    assert ("body", field) in [loc for loc, _ in error.value.errors]
    assert CommissionRule.objects.count() == 0


def test_a_fixed_rule_may_be_worth_more_than_a_hundred(agency):
    rule = save_commission_rule(agency.admin, {"name": "Big", "kind": "fixed_per_order", "value": "250"})
    assert rule.value == D("250")


def test_only_an_admin_saves_rules_and_settings(agency):
    with pytest.raises(NotAllowed):
        save_commission_rule(agency.ana.user, {"name": "Mine", "value": "50"})
    with pytest.raises(NotAllowed):
        save_commission_settings(agency.ana.user, {"hold_days": 0})
    assert CommissionRule.objects.count() == 0 and CommissionSettings.objects.count() == 0


def test_the_settings_default_to_a_14_day_hold_and_one_level_at_5_percent_without_writing(agency):
    settings = get_commission_settings()
    assert (settings.hold_days, settings.override_levels) == (14, [{"level": 1, "rate": "5.00"}])
    assert CommissionSettings.objects.count() == 0


def test_the_settings_are_saved_in_one_row(agency):
    save_commission_settings(agency.admin, {"hold_days": 30, "override_levels": [
        {"level": 2, "rate": "2"}, {"level": 1, "rate": 5}]})
    save_commission_settings(agency.admin, {"hold_days": 7})
    settings = CommissionSettings.objects.get()
    assert (settings.pk, settings.hold_days, settings.override_levels) == (
        1, 7, [{"level": 1, "rate": "5"}, {"level": 2, "rate": "2"}])


@pytest.mark.parametrize("data", [
    {"hold_days": -1}, {"hold_days": "14"}, {"override_levels": [{"level": 0, "rate": "5"}]},
    {"override_levels": [{"level": 1, "rate": "5"}, {"level": 1, "rate": "2"}]},
    {"override_levels": [{"level": 1, "rate": "150"}]}, {"override_levels": [{"level": 1}]},
    {"override_levels": "5%"},
])
def test_bad_settings_are_refused(agency, data):
    with pytest.raises(InvalidInput):
        save_commission_settings(agency.admin, data)
    assert CommissionSettings.objects.count() == 0
