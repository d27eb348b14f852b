"""simulate_order: the earnings an order would create, written nowhere."""

from decimal import Decimal

import pytest

from shopfloor.accounts.models import AuditEvent
from shopfloor.commissions.models import CommissionSettings, LedgerEntry, OrderAccrual
from shopfloor.commissions.services import accrue_order
from shopfloor.commissions.simulation import simulate_order
from shopfloor.errors import InvalidInput
from tests.commissions.conftest import make_order, make_rule
from tests.factories import make_customer

D = Decimal


def summary(earnings):
    return [(e["associate_id"], e["kind"], e["level"], e["sku"], e["amount"]) for e in earnings]


def nothing_written():
    return (LedgerEntry.objects.count(), OrderAccrual.objects.count(), AuditEvent.objects.count(),
            CommissionSettings.objects.count()) == (0, 0, 0, 0)


def test_a_payload_is_credited_like_a_real_order_and_written_nowhere(agency):
    make_rule("10")
    earnings = simulate_order({
        "customer_id": agency.customer.pk, "discount": "10.00",
        "lines": [{"sku": "BOOT", "quantity": 1, "unit_price": "50.00"},
                  {"sku": "TOTE", "quantity": 1, "unit_price": "30.00"}],
    })
    assert summary(earnings) == [
        (agency.ana.pk, "earning", 0, "BOOT", D("4.38")),
        (agency.ana.pk, "earning", 0, "TOTE", D("2.63")),
        (agency.bruno.pk, "override", 1, None, D("3.50")),
    ]
    assert earnings[0]["status"] == "pending" and earnings[0]["currency"] == "EUR"
    assert earnings[0]["breakdown"]["rule"]["version"] == 1
    assert nothing_written()


def test_a_payload_may_name_the_associate_to_credit(agency):
    make_rule("10")
    earnings = simulate_order({"store_id": agency.store.pk, "associate_id": agency.carla.pk,
                               "lines": [{"sku": "BOOT", "quantity": 2, "unit_price": "50.00"}]})
    assert summary(earnings) == [(agency.carla.pk, "earning", 0, "BOOT", D("10.00")),
                                 (agency.dora.pk, "override", 1, None, D("5.00"))]


def test_a_payload_nobody_would_be_credited_for_earns_nothing(agency):
    make_rule("10")
    stranger = make_customer(agency.store, "Nico", "Nobody")
    assert simulate_order({"customer_id": stranger.pk,
                           "lines": [{"sku": "BOOT", "quantity": 1, "unit_price": "50.00"}]}) == []


def test_a_saved_order_simulates_to_what_accrual_then_writes(agency):
    make_rule("10")
    make_rule("4.00", "fixed_per_order", priority=2, product_skus=["TOTE"])
    # Rules that pay beside the 10% and rules that match and do not pay: the breakdowns name them alike.
    make_rule("0.50", "fixed_per_unit", product_skus=["TOTE"])
    make_rule("0.25", "fixed_per_unit", priority=-3)
    make_rule("1", priority=-1, name="Base")
    order = make_order(agency.ana, [("BOOT", 1, "50.00"), ("TOTE", 3, "20.00")], discount="11.00")
    simulated = simulate_order(order)
    assert nothing_written()
    accrue_order(order)
    entries = LedgerEntry.objects.filter(order=order).order_by("pk")
    assert [(e["associate_id"], e["kind"], e["level"], e["amount"], e["rule_id"], e["breakdown"])
            for e in simulated] == [
        (e.associate_id, e.kind, e.level, e.amount, e.rule_id, e.breakdown) for e in entries]
    assert len(simulated) == 6  # BOOT: 10%, 0.25 a unit; TOTE: 10%, 0.50 a unit; the bonus; an override
    assert [len(e["breakdown"].get("not_paid", ())) for e in simulated] == [1, 1, 2, 2, 0, 0]


@pytest.mark.parametrize("payload, field", [
    ({"customer_id": 999999, "lines": [{"sku": "A", "quantity": 1, "unit_price": "1"}]}, ("customer_id",)),
    ({"lines": [{"sku": "A", "quantity": 1, "unit_price": "1"}]}, ("store_id",)),
    ({"store_id": 0, "lines": []}, ("lines",)),
    ({"customer_id": None, "store_id": None, "customer_external_id": "nope", "lines": []},
     ("customer_external_id",)),
    ({"associate_id": 999999, "lines": [{"sku": "A", "quantity": 1, "unit_price": "1"}]}, ("associate_id",)),
    ({"lines": [{"sku": "A", "quantity": 0, "unit_price": "1"}]}, ("lines", 0, "quantity")),
    ({"lines": [{"sku": "A", "quantity": 1, "unit_price": "-1"}]}, ("lines", 0, "unit_price")),
    ({"lines": [{"sku": "A", "quantity": 1, "unit_price": "1"}], "discount": "2"}, ("discount",)),
])
def test_a_bad_payload_is_refused_naming_the_field(agency, payload, field):
    payload = {"store_id": agency.store.pk, **payload} if "store_id" not in payload and field != (
        "store_id",) else payload
    with pytest.raises(InvalidInput) as error:
        simulate_order(payload)
    assert ("body", *field) in [loc for loc, _ in error.value.errors]
    assert nothing_written()
