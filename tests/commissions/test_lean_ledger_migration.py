"""Migration 0007 moves existing breakdowns into the leaner ledger: an upgraded install keeps its history.

Rows are written as commissions 0006 wrote them (a JSON breakdown on every entry), the migration
runs, and each entry describes itself as it did before.
"""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from shopfloor.commissions.models import LedgerEntry, OrderAccrual, RuleVersion
from tests.migrating import leaf_nodes, migrate

BEFORE = [("commissions", "0006_config_stamp")]
AFTER = [("commissions", "0007_lean_ledger")]
WHEN = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def old_rows(apps):
    """An order accrued by 0006: two earnings (one on a line, one fixed per order), an override, a reversal."""
    Store = apps.get_model("accounts", "Store")
    Associate = apps.get_model("accounts", "Associate")
    Order = apps.get_model("orders", "Order")
    OrderLine = apps.get_model("orders", "OrderLine")
    Rule = apps.get_model("commissions", "CommissionRule")
    Entry = apps.get_model("commissions", "LedgerEntry")
    Accrual = apps.get_model("commissions", "OrderAccrual")
    store = Store.objects.create(code="old", name="Old Store", currency="EUR")
    bruno = Associate.objects.create(store=store, name="Bruno Brito")
    ana = Associate.objects.create(store=store, name="Ana Alves", parent=bruno)
    order = Order.objects.create(external_id="old-1", store=store, currency="EUR", status="placed",
                                 subtotal=Decimal("100.00"), discount=Decimal("10.00"), total=Decimal("90.00"),
                                 placed_at=WHEN, attributed_associate=ana, attributed_store=store)
    boot = OrderLine.objects.create(order=order, sku="BOOT", quantity=1, unit_price=Decimal("50.00"),
                                    line_total=Decimal("50.00"))
    OrderLine.objects.create(order=order, sku="GIFT", quantity=2, unit_price=Decimal("25.00"),
                             line_total=Decimal("50.00"))
    # The rules have changed since: the breakdown keeps the names and values they had.
    spring = Rule.objects.create(name="Spring, now richer", kind="percentage", value=Decimal("20"), version=2)
    gift = Rule.objects.create(name="Gift bonus", kind="fixed_per_order", value=Decimal("3"), priority=1)
    Accrual.objects.create(order=order, associate=ana, currency="EUR", commissionable_amount=Decimal("90.00"))
    described = {"id": order.pk, "external_id": "old-1", "currency": "EUR", "subtotal": "100.00",
                 "discount": "10.00", "total": "90.00"}
    seller = {"id": ana.pk, "name": "Ana Alves"}

    def line(index, pk, sku, quantity, price, total, share):
        return {"index": index, "id": pk, "sku": sku, "quantity": quantity, "unit_price": price,
                "line_total": total, "discount_share": share,
                "eligible_amount": str(Decimal(total) - Decimal(share))}

    breakdowns = {
        "percentage": {"kind": "earning", "level": 0, "associate": seller,
                       "rule": {"id": spring.pk, "name": "Spring", "version": 1, "kind": "percentage",
                                "value": "10.0000", "priority": 0},
                       "base": "45.00", "rate": "10.0000", "exact_amount": "4.500000",
                       "line": line(0, boot.pk, "BOOT", 1, "50.00", "50.00", "5.00"), "order": described},
        "fixed": {"kind": "earning", "level": 0, "associate": seller,
                  "rule": {"id": gift.pk, "name": "Gift bonus", "version": 1, "kind": "fixed_per_order",
                           "value": "3.0000", "priority": 1},
                  "base": "1", "rate": "3.0000", "exact_amount": "3.0000",
                  "lines": [line(1, boot.pk + 1, "GIFT", 2, "25.00", "50.00", "5.00")], "order": described},
        "override": {"kind": "override", "level": 1, "associate": {"id": bruno.pk, "name": "Bruno Brito"},
                     "seller": seller, "base": "90.00", "rate": "5", "exact_amount": "4.50",
                     "upline_chain": [{"level": 1, "associate_id": bruno.pk, "name": "Bruno Brito", "active": True}],
                     "order": described},
    }
    common = {"currency": "EUR", "order": order, "status": "pending"}
    percentage = Entry.objects.create(associate=ana, kind="earning", amount=Decimal("4.50"), line=boot, rule=spring,
                                      rule_version=1, breakdown=breakdowns["percentage"], **common)
    Entry.objects.create(associate=ana, kind="earning", amount=Decimal("3.00"), rule=gift, rule_version=1,
                         breakdown=breakdowns["fixed"], **common)
    Entry.objects.create(associate=bruno, kind="override", level=1, amount=Decimal("4.50"),
                         breakdown=breakdowns["override"], **common)
    breakdowns["reversal"] = {"kind": "reversal", "reason": "cancellation", "level": 0,
                              "reverses": {"id": percentage.pk, "kind": "earning", "amount": "4.50"},
                              "fraction": "1", "reversed_before": "0.00", "reversed_to_date": "4.50"}
    Entry.objects.create(associate=ana, kind="reversal", amount=Decimal("-4.50"), reverses=percentage, line=boot,
                         rule=spring, rule_version=1, breakdown=breakdowns["reversal"], **common)
    return order, ana, bruno, spring, breakdowns


@pytest.mark.django_db(transaction=True)
def test_existing_entries_keep_their_breakdowns_after_the_migration():
    try:
        order, ana, bruno, spring, breakdowns = old_rows(migrate(BEFORE))
        migrate(AFTER)
        # Today's models read today's schema: the later migrations run too, and 0012 says these entries
        # were evaluated one rule per line (the rest of their breakdowns as 0006 wrote them).
        migrate(leaf_nodes())
        entries = list(LedgerEntry.objects.filter(order_id=order.pk).order_by("pk"))
        old = {"semantics": "one_rule_per_line"}
        assert [entry.breakdown for entry in entries] == [
            {**breakdowns["percentage"], **old}, {**breakdowns["fixed"], **old},
            {**breakdowns["override"], **old, "basis": "commissionable_amount", "own_rate": False},
            breakdowns["reversal"]]
        assert [(e.base, e.rate, e.details) for e in entries[:3]] == [
            (Decimal("45.0000"), Decimal("10.0000"), None), (Decimal("1.0000"), Decimal("3.0000"), {"lines": [1]}),
            (Decimal("90.0000"), Decimal("5.0000"), None)]
        assert entries[3].details == breakdowns["reversal"]
        assert OrderAccrual.objects.get(order_id=order.pk).inputs == {
            "seller": "Ana Alves", "uplines": [[bruno.pk, "Bruno Brito", True]]}
        assert RuleVersion.objects.get(rule_id=spring.pk).describe() == breakdowns["percentage"]["rule"]
    finally:
        migrate(leaf_nodes())


