"""/commission-rules: staff read them, admins write them, and every change raises the version."""

import pytest

from shopfloor.catalog.models import Category
from shopfloor.commissions.models import CommissionRule, LedgerEntry
from tests.api.conftest import place_order
from tests.commissions.api.conftest import API, PERSONAS, snapshot, user_for

RULE = {"name": "Shoes for Ana", "priority": 5, "kind": "percentage", "value": "12.5",
        "product_skus": ["BOOT"], "categories": ["Shoes"], "min_subtotal": "10", "first_order_only": False,
        "starts_at": "2026-01-01T00:00:00+00:00"}


def create(api, body):
    return api.post(f"{API}/commission-rules", body, content_type="application/json")


def patch(api, rule_id, body):
    return api.patch(f"{API}/commission-rules/{rule_id}", body, content_type="application/json")


def test_an_admin_creates_a_rule_and_it_reads_back_in_the_contracts_names(world, admin_api):
    response = create(admin_api, {**RULE, "associate_ids": [world.ana.pk],
                                  "customer_ids": [world.anas_customer.pk]})
    assert response.status_code == 201
    body = response.json()
    rule = CommissionRule.objects.get()
    assert body == {
        "id": rule.pk, "name": "Shoes for Ana", "active": True, "priority": 5, "kind": "percentage",
        "value": "12.50", "currency": "", "associate_ids": [world.ana.pk], "product_skus": ["BOOT"],
        "categories": ["Shoes"], "customer_group_ids": [], "customer_ids": [world.anas_customer.pk],
        "min_subtotal": "10.00", "max_subtotal": None, "first_order_only": False,
        "starts_at": "2026-01-01T00:00:00Z", "ends_at": None, "version": 1,
        "created_at": body["created_at"], "updated_at": body["updated_at"],
    }
    assert Category.objects.filter(name="Shoes").exists()
    assert admin_api.get(f"{API}/commission-rules/{rule.pk}").json() == body


def test_a_change_raises_the_version_and_a_save_without_change_does_not(world, admin_api):
    rule_id = create(admin_api, RULE).json()["id"]
    changed = patch(admin_api, rule_id, {"value": "15", "associate_ids": [world.bruno.pk]})
    assert changed.status_code == 200
    assert (changed.json()["value"], changed.json()["version"], changed.json()["associate_ids"]) == (
        "15.00", 2, [world.bruno.pk])
    assert changed.json()["priority"] == 5  # untouched fields stay
    same = patch(admin_api, rule_id, {"value": "15.00"})
    assert same.json()["version"] == 2
    cleared = patch(admin_api, rule_id, {"min_subtotal": None, "starts_at": None})
    assert (cleared.json()["min_subtotal"], cleared.json()["starts_at"], cleared.json()["version"]) == (
        None, None, 3)


def test_an_earning_keeps_the_version_of_the_rule_it_used(world, admin_api):
    rule_id = create(admin_api, {"name": "All", "value": "10"}).json()["id"]
    order = place_order(world, "O-1", world.anas_customer, total="40.00")
    patch(admin_api, rule_id, {"value": "20"})
    entry = LedgerEntry.objects.get(order=order)
    assert (entry.amount, entry.rule_version) == (4, 1)
    earning = admin_api.get(f"{API}/earnings", {"order_id": order.pk}).json()["items"][0]
    assert (earning["rule_id"], earning["rule_version"], earning["breakdown"]["rule"]["value"]) == (
        rule_id, 1, "10.0000")


def test_a_fixed_rule_value_and_a_fine_percentage_keep_their_places(world, admin_api):
    fixed = create(admin_api, {"name": "Per order", "kind": "fixed_per_order", "value": "4"}).json()
    fine = create(admin_api, {"name": "Fine", "value": "2.125"}).json()
    assert (fixed["value"], fine["value"]) == ("4.00", "2.125")


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"value": "10"}, ["body", "name"]),
        ({"name": "No value"}, ["body", "value"]),
        ({"name": "Too much", "value": "100.01"}, ["body", "value"]),
        ({"name": "Negative", "value": "-1"}, ["body", "value"]),
        ({"name": "Fine", "value": "1.00001"}, ["body", "value"]),
        ({"name": "Kind", "value": "1", "kind": "tiered"}, ["body", "kind"]),
        ({"name": "Range", "value": "1", "min_subtotal": "50", "max_subtotal": "10"}, ["body", "max_subtotal"]),
        ({"name": "Dates", "value": "1", "starts_at": "2026-02-01T00:00:00Z", "ends_at": "2026-01-01T00:00:00Z"},
         ["body", "ends_at"]),
        ({"name": "Naive", "value": "1", "starts_at": "2026-02-01T00:00:00"}, ["body", "starts_at"]),
        ({"name": "Who", "value": "1", "associate_ids": [987654]}, ["body", "associate_ids"]),
        ({"name": "Priority", "value": "1", "priority": 2**40}, ["body", "priority"]),
    ],
)
def test_an_invalid_rule_is_422_naming_the_field_and_writes_nothing(world, admin_api, body, loc):
    before = snapshot()
    response = create(admin_api, body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == loc
    assert snapshot() == before


@pytest.mark.parametrize("persona", PERSONAS)
def test_staff_read_rules_and_only_admins_write_them(world, client_for, persona):
    rule = CommissionRule.objects.create(name="Base", value="10")
    api = client_for("associate", persona)
    read = {"admin": 200, "owner": 200, "colleague": 200, "other_store": 200, "manager": 200,
            "other_manager": 200, "customer": 403, "anonymous": 401}[persona]
    write = 201 if persona == "admin" else (401 if user_for(world, "associate", persona) is None else 403)
    assert api.get(f"{API}/commission-rules").status_code == read
    assert api.get(f"{API}/commission-rules/{rule.pk}").status_code == read
    before = snapshot()
    created = create(api, {"name": "Mine", "value": "50"})
    changed = patch(api, rule.pk, {"value": "90"})
    assert created.status_code == write
    assert changed.status_code == (200 if write == 201 else write)
    if write != 201:
        assert snapshot() == before


def test_rules_list_highest_priority_first_and_filter_by_active(world, admin_api):
    low = CommissionRule.objects.create(name="Low", value="1", priority=1)
    high = CommissionRule.objects.create(name="High", value="1", priority=9)
    off = CommissionRule.objects.create(name="Off", value="1", priority=5, active=False)
    listed = admin_api.get(f"{API}/commission-rules").json()
    assert [item["id"] for item in listed["items"]] == [high.pk, off.pk, low.pk]
    active = admin_api.get(f"{API}/commission-rules", {"active": "true"}).json()
    assert [item["id"] for item in active["items"]] == [high.pk, low.pk]


def test_an_unknown_rule_is_404(world, admin_api):
    assert admin_api.get(f"{API}/commission-rules/987654").status_code == 404
    assert patch(admin_api, 987654, {"value": "1"}).status_code == 404
