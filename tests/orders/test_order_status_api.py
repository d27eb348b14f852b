"""PATCH /orders/{id}: the order's status moves along the allowed transitions only."""

import pytest

from shopfloor.accounts.models import AuditEvent
from shopfloor.orders.models import Order
from tests.api.conftest import API, place_order, snapshot


def patch(api, order, status):
    return api.patch(f"{API}/orders/{order.pk}", {"status": status}, content_type="application/json")


@pytest.mark.parametrize(
    ("start", "to"),
    [
        ("placed", "completed"),
        ("placed", "cancelled"),
        ("pending_payment", "placed"),
        ("pending_payment", "cancelled"),
    ],
)
def test_an_allowed_transition_changes_the_status_and_is_audited(world, admin_api, start, to):
    order = place_order(world, "ORD-1", world.anas_customer, status=start)
    response = patch(admin_api, order, to)
    assert response.status_code == 200
    assert response.json()["status"] == to
    order.refresh_from_db()
    assert order.status == to
    event = AuditEvent.objects.get(verb="order.status_changed")
    assert event.data == {"previous": start, "status": to}
    assert event.actor == world.admin


@pytest.mark.parametrize(
    ("start", "to"),
    [
        ("completed", "cancelled"),
        ("completed", "placed"),
        ("cancelled", "placed"),
        ("cancelled", "completed"),
        ("placed", "pending_payment"),
        ("pending_payment", "completed"),
    ],
)
def test_an_illegal_transition_is_a_409_and_changes_nothing(world, admin_api, start, to):
    order = place_order(world, "ORD-1", world.anas_customer, status=start)
    before = snapshot()
    response = patch(admin_api, order, to)
    assert response.status_code == 409
    assert to in response.json()["detail"]
    assert snapshot() == before


@pytest.mark.parametrize("status", ["placed", "completed", "cancelled", "pending_payment"])
def test_asking_for_the_current_status_is_a_no_op(world, admin_api, status):
    order = place_order(world, "ORD-1", world.anas_customer, status=status)
    before = snapshot()
    response = patch(admin_api, order, status)
    assert response.status_code == 200
    assert response.json()["status"] == status
    assert snapshot() == before


@pytest.mark.parametrize("body", [{"status": "shipped"}, {"status": None}, {}, {"status": 3}])
def test_an_unknown_status_is_refused_with_its_location(world, admin_api, body):
    order = place_order(world, "ORD-1", world.anas_customer)
    response = admin_api.patch(f"{API}/orders/{order.pk}", body, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "status"]
    assert Order.objects.get().status == "placed"


def test_changing_an_unknown_order_is_a_404(world, admin_api):
    response = admin_api.patch(
        f"{API}/orders/987654", {"status": "completed"}, content_type="application/json"
    )
    assert response.status_code == 404
