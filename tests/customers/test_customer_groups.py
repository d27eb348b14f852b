"""Customer groups assigned to agents: a customer approved into a group gets the group's agent."""

import json

import pytest

from shopfloor.accounts.models import AuditEvent
from shopfloor.customers.models import CustomerGroup, CustomerStatus
from tests.factories import make_customer


@pytest.fixture
def pending(world):
    return make_customer(world.north, "Paula", "Pending", status=CustomerStatus.PENDING)


@pytest.fixture
def trade(world):
    group = CustomerGroup.objects.create(name="Trade")
    group.associates.set([world.bruno])
    return group


def approve(client, customer, **body):
    return client.post(f"/api/v1/customers/{customer.pk}/approve", json.dumps(body), content_type="application/json")


def test_a_customer_approved_into_a_group_gets_the_groups_agent(world, admin_api, pending, trade):
    response = approve(admin_api, pending, group_id=trade.pk)
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["group_id"], body["primary_associate_id"]) == ("active", trade.pk, world.bruno.pk)
    event = AuditEvent.objects.get(verb="customer.approved")
    assert event.data == {"associate_id": world.bruno.pk, "group_id": trade.pk}


def test_an_inactive_agent_is_passed_over_for_the_groups_next_one(world, admin_api, pending, trade):
    world.bruno.active = False
    world.bruno.save()
    trade.associates.add(world.nora)
    response = approve(admin_api, pending, group_id=trade.pk)
    assert response.json()["primary_associate_id"] == world.nora.pk


def test_the_chosen_associate_wins_over_the_groups(world, admin_api, pending, trade):
    response = approve(admin_api, pending, group_id=trade.pk, associate_id=world.ana.pk)
    assert (response.json()["group_id"], response.json()["primary_associate_id"]) == (trade.pk, world.ana.pk)


def test_an_unknown_group_is_a_422_and_the_customer_stays_pending(world, admin_api, pending):
    response = approve(admin_api, pending, group_id=987654)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "group_id"]
    pending.refresh_from_db()
    assert (pending.status, pending.group_id) == ("pending", None)
    assert not pending.assignments.exists()
