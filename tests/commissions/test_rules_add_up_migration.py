"""Migrations 0011 and 0012: orders accrued before the rules added up keep what they earned and say so.

An order is written as commissions 0010 accrued it, one rule per line: the design's example, where the 3.00
bonus won the bag's line and the 5% on the bag was not paid (13.00). After the migration its marker says
`one_rule_per_line`, its entries and breakdowns are unchanged, and a refund reverses what was written, not
what the rules pay today; the same basket accrued now pays 15.00 and says `rules_add_up`.
"""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from shopfloor.commissions.models import LedgerEntry, OrderAccrual
from shopfloor.commissions.services import accrue_order, reverse_for_refund
from shopfloor.orders.models import Order, OrderLine, Refund
from tests.migrating import leaf_nodes, migrate

D = Decimal
BEFORE = [("commissions", "0010_attribution_models_moved")]
AFTER = [("commissions", "0012_accrual_semantics")]
WHEN = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def old_rows(apps):
    """The design's example accrued by 0010: Shoes 10% on the shoes, the 3.00 bonus on the bag's line, and
    Bruno's 5% override of the 140.00 both lines made commissionable."""
    Store = apps.get_model("accounts", "Store")
    Associate = apps.get_model("accounts", "Associate")
    Category = apps.get_model("catalog", "Category")
    Product = apps.get_model("catalog", "Product")
    Order = apps.get_model("orders", "Order")
    OrderLine = apps.get_model("orders", "OrderLine")
    Rule = apps.get_model("commissions", "CommissionRule")
    Entry = apps.get_model("commissions", "LedgerEntry")
    Accrual = apps.get_model("commissions", "OrderAccrual")
    store = Store.objects.create(code="old", name="Old Store", currency="EUR")
    bruno = Associate.objects.create(store=store, name="Bruno Brito")
    ana = Associate.objects.create(store=store, name="Ana Alves", parent=bruno)
    shoes = Category.objects.create(name="Shoes", slug="shoes")
    loafer = Product.objects.create(sku="SHOE-1", name="Loafer", price=D("50.00"), category=shoes)
    tote = Product.objects.create(sku="BAG-1", name="Tote", price=D("40.00"))
    ten = Rule.objects.create(name="Shoes 10%", kind="percentage", value=D("10"), priority=10)
    ten.categories.set([shoes])
    Rule.objects.create(name="Everything 5%", kind="percentage", value=D("5"), priority=1)
    bonus = Rule.objects.create(name="Over 100", kind="fixed_per_order", value=D("3"), priority=5,
                                min_subtotal=D("100.00"))

    def order(external_id):
        made = Order.objects.create(external_id=external_id, store=store, currency="EUR", status="placed",
                                    subtotal=D("140.00"), discount=D("0.00"), total=D("140.00"), placed_at=WHEN,
                                    attributed_associate=ana, attributed_store=store)
        lines = [OrderLine.objects.create(order=made, sku="SHOE-1", product=loafer, quantity=2,
                                          unit_price=D("50.00"), line_total=D("100.00")),
                 OrderLine.objects.create(order=made, sku="BAG-1", product=tote, quantity=1, unit_price=D("40.00"),
                                          line_total=D("40.00"))]
        return made, lines

    old, (shoe_line, _bag_line) = order("old-1")
    Accrual.objects.create(order=old, associate=ana, currency="EUR", commissionable_amount=D("140.00"),
                           inputs={"seller": "Ana Alves", "uplines": [[bruno.pk, "Bruno Brito", True]]})
    common = {"currency": "EUR", "order": old, "status": "pending"}
    Entry.objects.create(associate=ana, kind="earning", amount=D("10.00"), line=shoe_line, rule=ten, rule_version=1,
                         base=D("100"), rate=D("10"), **common)
    Entry.objects.create(associate=ana, kind="earning", amount=D("3.00"), rule=bonus, rule_version=1, base=D("1"),
                         rate=D("3"), details={"lines": [1]}, **common)
    Entry.objects.create(associate=bruno, kind="override", level=1, amount=D("7.00"), base=D("140"), rate=D("5"),
                         **common)
    new, _ = order("new-1")
    return old.pk, new.pk


@pytest.mark.django_db(transaction=True)
def test_orders_accrued_one_rule_per_line_keep_their_entries_and_say_so():
    try:
        old_id, new_id = old_rows(migrate(BEFORE))
        migrate(AFTER)
        migrate(leaf_nodes())
        accrual = OrderAccrual.objects.get(order_id=old_id)
        assert accrual.semantics == "one_rule_per_line"
        entries = list(LedgerEntry.objects.filter(order_id=old_id).order_by("pk"))
        assert [(e.kind, e.amount) for e in entries] == [
            ("earning", D("10.00")), ("earning", D("3.00")), ("override", D("7.00"))]
        assert [e.breakdown["semantics"] for e in entries] == ["one_rule_per_line"] * 3
        # The rules that did not pay were not recorded then: the breakdown does not pretend to know them.
        assert all("not_paid" not in e.breakdown for e in entries)
        assert [line["sku"] for line in entries[1].breakdown["lines"]] == ["BAG-1"]  # the line the bonus won

        # Half the order comes back: half of what was written is reversed (13.00 and 7.00, not today's 15.00).
        refund = Refund.objects.create(order_id=old_id, external_id="half", amount=D("70.00"))
        reversals = reverse_for_refund(refund)
        assert [(r.reverses_id, r.amount) for r in reversals] == [
            (entries[0].pk, D("-5.00")), (entries[1].pk, D("-1.50")), (entries[2].pk, D("-3.50"))]
        assert OrderAccrual.objects.get(order_id=old_id).semantics == "one_rule_per_line"

        # The same basket accrued now: the rules add up.
        accrue_order(Order.objects.get(pk=new_id))
        assert OrderAccrual.objects.get(order_id=new_id).semantics == "rules_add_up"
        earned = LedgerEntry.objects.filter(order_id=new_id, kind="earning").order_by("pk")
        assert [(e.line_id is not None, e.amount) for e in earned] == [
            (True, D("10.00")), (True, D("2.00")), (False, D("3.00"))]
        assert earned[1].line_id == OrderLine.objects.get(order_id=new_id, sku="BAG-1").pk
    finally:
        migrate(leaf_nodes())
