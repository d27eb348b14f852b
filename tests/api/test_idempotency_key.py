"""Idempotency-Key: the same key and body within 24 h answer the first response and write nothing."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client

from shopfloor.accounts.models import IdempotencyRecord
from shopfloor.accounts.services import create_api_token
from shopfloor.customers.models import Customer
from shopfloor.orders.models import Order
from tests.api.conftest import API, snapshot
from tests.conftest import bearer_client


def post(api, path, body, key):
    return api.post(f"{API}{path}", body, content_type="application/json", headers={"Idempotency-Key": key})


@pytest.fixture
def endpoints(world):
    """(path, body, the table a write adds a row to) for customers POST and orders POST."""
    return {
        "customers": (
            "/customers",
            {"store_id": world.north.pk, "first_name": "Kim", "email": "kim@example.com"},
            Customer,
        ),
        "orders": (
            "/orders",
            {
                "external_id": "WEB-1",
                "customer_id": world.anas_customer.pk,
                "lines": [{"sku": "A", "quantity": 1, "unit_price": "9.90"}],
            },
            Order,
        ),
    }


@pytest.mark.parametrize("name", ["customers", "orders"])
def test_the_same_key_and_body_answer_the_first_response_and_write_nothing(world, admin_api, endpoints, name):
    path, body, model = endpoints[name]
    first = post(admin_api, path, body, "key-1")
    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first
    before = snapshot()
    again = post(admin_api, path, body, "key-1")
    assert again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert snapshot() == before
    assert model.objects.filter(pk=first.json()["id"]).count() == 1


@pytest.mark.parametrize("name", ["customers", "orders"])
def test_the_same_key_with_another_body_is_refused_and_writes_nothing(world, admin_api, endpoints, name):
    path, body, _ = endpoints[name]
    post(admin_api, path, body, "key-1")
    before = snapshot()
    other = post(admin_api, path, {**body, "email": "other@example.com", "discount": "1.00"}, "key-1")
    assert other.status_code == 422
    assert other.json()["detail"][0]["loc"] == ["header", "Idempotency-Key"]
    assert snapshot() == before


def test_without_a_key_the_same_customer_is_created_twice(world, admin_api, endpoints):
    path, body, _ = endpoints["customers"]
    admin_api.post(f"{API}{path}", body, content_type="application/json")
    admin_api.post(f"{API}{path}", body, content_type="application/json")
    assert Customer.objects.filter(email="kim@example.com").count() == 2


def test_keys_belong_to_their_caller(world, admin_api, endpoints):
    path, body, _ = endpoints["customers"]
    other_admin = bearer_client(world.admin)  # another token of the same person is another caller
    assert post(admin_api, path, body, "key-1").status_code == 201
    assert post(other_admin, path, body, "key-1").status_code == 201
    assert Customer.objects.filter(email="kim@example.com").count() == 2


def test_a_key_is_forgotten_after_24_hours(world, admin_api, endpoints):
    path, body, _ = endpoints["customers"]
    first = post(admin_api, path, body, "key-1")
    IdempotencyRecord.objects.update(
        created_at=IdempotencyRecord.objects.get().created_at - timedelta(hours=25)
    )
    later = post(admin_api, path, body, "key-1")
    assert later.status_code == 201
    assert later.json()["id"] != first.json()["id"]


def test_a_refused_request_does_not_burn_its_key(world, api_as, admin_api, endpoints):
    path, body, _ = endpoints["customers"]
    customer_api = api_as(world.shopper.user)
    assert post(customer_api, path, body, "key-1").status_code == 403
    assert IdempotencyRecord.objects.count() == 0


def test_invalid_input_releases_its_key(world, admin_api):
    """A 422 writes nothing, its key's record included: the corrected body may use the same key."""
    invalid = post(admin_api, "/customers", {"store_id": world.north.pk, "email": "nope"}, "key-1")
    assert invalid.status_code == 422
    assert IdempotencyRecord.objects.count() == 0
    corrected = post(admin_api, "/customers", {"store_id": world.north.pk, "email": "kim@example.com"}, "key-1")
    assert corrected.status_code == 201
    assert "Idempotent-Replayed" not in corrected
    assert Customer.objects.filter(email="kim@example.com").count() == 1


@pytest.mark.parametrize("key", ["k" * 256, "clé"])
def test_an_unusable_key_is_refused(world, admin_api, endpoints, key):
    path, body, _ = endpoints["customers"]
    before = snapshot()
    response = admin_api.post(
        f"{API}{path}", body, content_type="application/json", headers={"Idempotency-Key": key}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["header", "Idempotency-Key"]
    assert snapshot() == before


def test_two_requests_with_the_same_key_at_the_same_moment_write_once(world, endpoints, transactional_db):
    """The second waits for the first to commit, then answers the first response (never a 409)."""
    path, body, _ = endpoints["customers"]
    _, token = create_api_token(world.admin)
    start = threading.Barrier(2)
    answers = []

    def send():
        client = Client(headers={"Authorization": f"Bearer {token}"})  # the same caller, its own connection
        try:
            start.wait(timeout=10)
            response = post(client, path, body, "key-1")
            answers.append((response.status_code, response.get("Idempotent-Replayed"), response.json()))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    (first_status, first_replayed, first), (second_status, second_replayed, second) = sorted(
        answers, key=lambda answer: answer[0], reverse=True)
    assert (first_status, first_replayed) == (201, None)
    assert (second_status, second_replayed) == (200, "true")
    assert second == first
    assert Customer.objects.filter(email="kim@example.com").count() == 1
    assert IdempotencyRecord.objects.count() == 1
