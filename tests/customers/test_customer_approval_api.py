"""POST /customers/{id}/approve and /reject: pending registrations, decided by admins and managers."""

import pytest

from shopfloor.customers.models import CustomerGroup, CustomerStatus
from tests.api.conftest import API, snapshot
from tests.factories import make_customer


@pytest.fixture
def pending(world):
    return make_customer(world.north, "Paula", "Pinto", status=CustomerStatus.PENDING)


def approve(api, customer, body=None):
    return api.post(f"{API}/customers/{customer.pk}/approve", body or {}, content_type="application/json")


def reject(api, customer):
    return api.post(f"{API}/customers/{customer.pk}/reject", content_type="application/json")


def test_an_admin_approves_a_pending_customer_and_assigns_the_chosen_associate(world, admin_api, pending):
    response = approve(admin_api, pending, {"associate_id": world.bruno.pk})
    assert response.status_code == 200
    assert response.json()["status"] == "active"
    assert (response.json()["assigned_associate_ids"], response.json()["primary_associate_id"]) == (
        [world.bruno.pk],
        world.bruno.pk,
    )


def test_without_a_chosen_associate_the_groups_associate_is_assigned(world, admin_api, pending):
    group = CustomerGroup.objects.create(name="Trade")
    group.associates.set([world.bruno])
    pending.group = group
    pending.save()
    response = approve(admin_api, pending)
    assert response.json()["primary_associate_id"] == world.bruno.pk


def test_an_approval_without_body_or_group_assigns_nobody(world, admin_api, pending):
    response = admin_api.generic("POST", f"{API}/customers/{pending.pk}/approve", "")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["assigned_associate_ids"]) == ("active", [])


def test_the_stores_manager_approves_and_rejects(world, api_as, pending):
    nora = api_as(world.nora.user)
    assert reject(nora, pending).json()["status"] == "rejected"
    assert approve(nora, pending).json()["status"] == "active"


@pytest.mark.parametrize(
    ("who", "status"), [("ana", 404), ("bruno", 404), ("sam", 404), ("tom", 404), ("shopper", 403)]
)
def test_others_cannot_approve_or_reject_and_nothing_changes(world, api_as, pending, who, status):
    api = api_as(getattr(world, who).user)
    before = snapshot()
    assert approve(api, pending).status_code == status
    assert reject(api, pending).status_code == status
    assert snapshot() == before


def test_an_associate_who_sees_the_customer_is_refused_by_role(world, api_as):
    pending = make_customer(world.north, "Paula", "Pinto", primary=world.ana, status=CustomerStatus.PENDING)
    api = api_as(world.ana.user)
    before = snapshot()
    assert approve(api, pending).status_code == 403
    assert reject(api, pending).status_code == 403
    assert snapshot() == before


def test_approving_an_active_customer_or_rejecting_a_decided_one_is_a_conflict(world, admin_api, pending):
    assert approve(admin_api, world.anas_customer).status_code == 409
    assert reject(admin_api, world.anas_customer).status_code == 409
    assert reject(admin_api, pending).status_code == 200
    assert reject(admin_api, pending).status_code == 409


def test_approving_with_an_unknown_associate_is_a_422_and_writes_nothing(world, admin_api, pending):
    before = snapshot()
    response = approve(admin_api, pending, {"associate_id": 987654})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "associate_id"]
    assert snapshot() == before
