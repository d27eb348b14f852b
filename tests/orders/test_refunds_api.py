"""POST /orders/{id}/refunds: idempotent by external_id, never more than the order total, safe in parallel."""

import threading

import pytest
from django.db import connection

from shopfloor.orders.models import Refund
from tests.api.conftest import API, place_order, snapshot
from tests.conftest import bearer_client


def refund(api, order, external_id, amount):
    return api.post(
        f"{API}/orders/{order.pk}/refunds",
        {"external_id": external_id, "amount": amount},
        content_type="application/json",
    )


@pytest.fixture
def order(world):
    return place_order(world, "ORD-1", world.anas_customer, total="27.00")


def test_a_refund_is_recorded_and_shown_on_the_order(world, admin_api, order):
    response = refund(admin_api, order, "RF-1", "10")
    assert response.status_code == 201
    assert response.json()["external_id"] == "RF-1"
    assert response.json()["amount"] == "10.00"
    shown = admin_api.get(f"{API}/orders/{order.pk}").json()
    assert shown["refunded"] == "10.00"
    assert [(r["external_id"], r["amount"]) for r in shown["refunds"]] == [("RF-1", "10.00")]


def test_the_same_refund_external_id_again_answers_the_first_refund_and_writes_nothing(
    world, admin_api, order
):
    first = refund(admin_api, order, "RF-1", "10.00")
    before = snapshot()
    again = refund(admin_api, order, "RF-1", "12.00")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert snapshot() == before


def test_refunds_never_add_up_to_more_than_the_order_total(world, admin_api, order):
    assert refund(admin_api, order, "RF-1", "20.00").status_code == 201
    before = snapshot()
    over = refund(admin_api, order, "RF-2", "7.01")
    assert over.status_code == 409
    assert "27.00" in over.json()["detail"]
    assert snapshot() == before
    assert refund(admin_api, order, "RF-3", "7.00").status_code == 201
    assert refund(admin_api, order, "RF-4", "0.01").status_code == 409
    assert admin_api.get(f"{API}/orders/{order.pk}").json()["refunded"] == "27.00"


def test_a_refund_external_id_of_another_order_is_a_conflict(world, admin_api, order):
    other = place_order(world, "ORD-2", world.toms_customer)
    assert refund(admin_api, order, "RF-1", "1.00").status_code == 201
    assert refund(admin_api, other, "RF-1", "1.00").status_code == 409
    assert Refund.objects.count() == 1


def test_an_unpaid_order_cannot_be_refunded(world, admin_api):
    unpaid = place_order(world, "ORD-3", world.anas_customer, status="pending_payment")
    assert refund(admin_api, unpaid, "RF-1", "1.00").status_code == 409
    assert Refund.objects.count() == 0


@pytest.mark.parametrize(
    ("amount", "loc"),
    [
        ("0", ["body", "amount"]),
        ("-5", ["body", "amount"]),
        ("1.005", ["body", "amount"]),
        ("abc", ["body", "amount"]),
        ("1e400", ["body", "amount"]),
        (None, ["body", "amount"]),
    ],
)
def test_an_invalid_amount_is_refused_naming_the_field(world, admin_api, order, amount, loc):
    response = refund(admin_api, order, "RF-1", amount)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == loc
    assert Refund.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_refunds_never_exceed_the_order_total(world, admin_user):
    order = place_order(world, "ORD-1", world.anas_customer, total="27.00")
    clients = [bearer_client(admin_user) for _ in range(8)]
    barrier = threading.Barrier(len(clients))
    statuses = []

    def send(index, api):
        try:
            barrier.wait()
            statuses.append(refund(api, order, f"RF-{index}", "5.00").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=pair) for pair in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [201] * 5 + [409] * 3
    assert sum(r.amount for r in Refund.objects.filter(order=order)) == 25
