"""Orders arriving and changing through the API move the ledger, once per event."""

from decimal import Decimal

import pytest

from shopfloor.commissions.models import LedgerEntry
from shopfloor.commissions.selectors import balance
from tests.commissions.conftest import make_rule, set_levels


def post_order(api, customer, external_id="W-1", status="placed"):
    return api.post("/api/v1/orders", {
        "external_id": external_id, "customer_id": customer.pk, "status": status,
        "lines": [{"sku": "LAMP", "quantity": 2, "unit_price": "50.00"}],
    }, content_type="application/json")


def amounts(order_id):
    return sorted(LedgerEntry.objects.filter(order_id=order_id).values_list("amount", flat=True))


def test_an_attributed_order_accrues_a_pending_earning_once(world, admin_api):
    set_levels()
    make_rule(10)
    first = post_order(admin_api, world.anas_customer)
    again = post_order(admin_api, world.anas_customer)
    assert (first.status_code, again.status_code) == (201, 200)
    entries = LedgerEntry.objects.filter(order_id=first.json()["id"])
    assert [(e.associate_id, e.amount, e.status) for e in entries] == [(world.ana.pk, Decimal("10.00"), "pending")]
    assert balance(world.ana)["pending"] == Decimal("10.00")


def test_a_team_mode_order_credited_to_the_store_earns_nothing(world, admin_api):
    make_rule(10)
    response = post_order(admin_api, world.toms_customer)
    assert response.json()["attribution"]["store_id"] == world.south.pk
    assert amounts(response.json()["id"]) == []


def test_a_refund_reverses_pro_rata_and_its_replay_changes_nothing(world, admin_api):
    make_rule(10)
    order_id = post_order(admin_api, world.anas_customer).json()["id"]
    for _ in range(2):
        response = admin_api.post(f"/api/v1/orders/{order_id}/refunds", {"external_id": "R-1", "amount": "25.00"},
                                  content_type="application/json")
        assert response.status_code in (200, 201)
    assert amounts(order_id) == [Decimal("-2.50"), Decimal("10.00")]


def test_a_cancelled_order_nets_to_zero(world, admin_api):
    make_rule(10)
    order_id = post_order(admin_api, world.anas_customer).json()["id"]
    for _ in range(2):
        admin_api.patch(f"/api/v1/orders/{order_id}", {"status": "cancelled"}, content_type="application/json")
    assert sum(amounts(order_id)) == Decimal("0.00")
    assert balance(world.ana)["pending"] == Decimal("0.00")


def test_a_pending_payment_order_earns_when_it_is_paid(world, admin_api):
    make_rule(10)
    order_id = post_order(admin_api, world.anas_customer, status="pending_payment").json()["id"]
    assert amounts(order_id) == []
    admin_api.patch(f"/api/v1/orders/{order_id}", {"status": "placed"}, content_type="application/json")
    assert amounts(order_id) == [Decimal("10.00")]


def test_a_completed_order_is_approved_after_the_hold_period(world, admin_api):
    from datetime import timedelta

    from django.utils import timezone

    from shopfloor.commissions.services import approve_due_earnings

    set_levels(hold_days=14)
    make_rule(10)
    order_id = post_order(admin_api, world.anas_customer).json()["id"]
    admin_api.patch(f"/api/v1/orders/{order_id}", {"status": "completed"}, content_type="application/json")
    assert approve_due_earnings(timezone.now() + timedelta(days=13)) == 0
    assert approve_due_earnings(timezone.now() + timedelta(days=15)) == 1
    assert approve_due_earnings(timezone.now() + timedelta(days=16)) == 0
    assert balance(world.ana)["approved"] == Decimal("10.00")


def test_the_approve_command_approves_what_is_due_and_nothing_twice(world, admin_api):
    import io
    from datetime import timedelta

    from django.core.management import call_command

    from shopfloor.commissions.models import OrderAccrual

    set_levels(hold_days=14)
    make_rule(10)
    order_id = post_order(admin_api, world.anas_customer).json()["id"]
    admin_api.patch(f"/api/v1/orders/{order_id}", {"status": "completed"}, content_type="application/json")
    OrderAccrual.objects.filter(order_id=order_id).update(
        completed_at=OrderAccrual.objects.get(order_id=order_id).completed_at - timedelta(days=15))
    outputs = []
    for _ in range(2):
        out = io.StringIO()
        call_command("commissions", "approve", stdout=out)
        outputs.append(out.getvalue().strip())
    assert outputs == ["Approved 1 earnings.", "Approved 0 earnings."]
    assert balance(world.ana)["approved"] == Decimal("10.00")


def _failing(*args, **kwargs):
    raise RuntimeError("the ledger is unavailable")


def test_an_order_whose_earnings_cannot_be_written_is_not_written_either(world, monkeypatch):
    """The commissions hear of an order through `orders.signals`, inside the order's transaction: when the
    accrual fails, the order, its lines and its audit event roll back with it (the service alone, without the
    request's transaction around it)."""
    from shopfloor.access import Actor
    from shopfloor.accounts.models import AuditEvent
    from shopfloor.commissions import services
    from shopfloor.orders.models import Order, OrderLine
    from shopfloor.orders.services import record_order

    make_rule(10)
    monkeypatch.setattr(services, "accrue_new_order", _failing)
    with pytest.raises(RuntimeError):
        record_order(Actor(world.admin), {"external_id": "W-FAIL", "customer_id": world.anas_customer.pk,
                                          "lines": [{"sku": "LAMP", "quantity": 2, "unit_price": "50.00"}]})
    assert not Order.objects.filter(external_id="W-FAIL").exists()
    assert not OrderLine.objects.filter(order__external_id="W-FAIL").exists()
    assert not AuditEvent.objects.filter(verb="order.recorded").exists()


def test_cancelling_and_refunding_reach_the_ledger_through_the_orders_signals(world, admin_api, monkeypatch):
    """A failing reversal fails the status change or the refund: neither is saved without its reversal."""
    from shopfloor.commissions import services
    from shopfloor.orders.models import Order, Refund

    make_rule(10)
    order_id = post_order(admin_api, world.anas_customer).json()["id"]
    monkeypatch.setattr(services, "reverse_for_refund", _failing)
    monkeypatch.setattr(services, "reverse_for_cancellation", _failing)
    admin_api.raise_request_exception = False
    refund = admin_api.post(f"/api/v1/orders/{order_id}/refunds", {"external_id": "R-1", "amount": "10.00"},
                            content_type="application/json")
    cancel = admin_api.patch(f"/api/v1/orders/{order_id}", {"status": "cancelled"}, content_type="application/json")
    assert (refund.status_code, cancel.status_code) == (500, 500)
    assert not Refund.objects.filter(external_id="R-1").exists()
    assert Order.objects.get(pk=order_id).status == "placed"
    assert amounts(order_id) == [Decimal("10.00")]
