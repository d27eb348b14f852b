"""The task list, the timeline and the customer page read in a fixed number of queries, however much there is."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shopfloor.customers.models import CustomerNote

pytestmark = pytest.mark.django_db


def queries(client, url) -> int:
    client.get(url)  # the first request of a token or a session writes its last use
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def _grow(world, make_task, place_order, count):
    alice = world.anas_customer
    for number in range(count):
        make_task(world.ana, title=f"Task {number}", customer_id=alice.pk)
        CustomerNote.objects.create(customer=alice, author=world.ana.user, body=f"Note {number}")
        place_order(alice, "10.00", placed_at=timezone.now() - timedelta(hours=number))


@pytest.mark.parametrize("url", ["/api/v1/tasks", "/api/v1/customers/{alice}/timeline",
                                 "/api/v1/customers/{alice}/notes"])
def test_api_reads_do_not_grow_with_the_data(world, api_as, make_task, place_order, url):
    client = api_as(world.ana.user)
    url = url.format(alice=world.anas_customer.pk)
    _grow(world, make_task, place_order, 2)
    few = queries(client, url)
    _grow(world, make_task, place_order, 8)
    assert queries(client, url) == few


def test_the_customer_page_does_not_grow_with_the_record(world, client_as, make_task, place_order):
    client = client_as(world.ana.user)
    url = f"/console/customers/{world.anas_customer.pk}/"
    _grow(world, make_task, place_order, 2)
    few = queries(client, url)
    _grow(world, make_task, place_order, 8)
    assert queries(client, url) == few


def test_the_tasks_page_does_not_grow_with_the_tasks(world, client_as, make_task, place_order):
    client = client_as(world.ana.user)
    _grow(world, make_task, place_order, 2)
    few = queries(client, "/console/tasks/")
    _grow(world, make_task, place_order, 8)
    assert queries(client, "/console/tasks/") == few
