"""GET /customers in a fixed, small number of round trips for every persona (bench/customer_search.py
measures why: on PostgreSQL under load a round trip costs more than the reads)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shopfloor.customers.models import CustomerRepCode
from tests.api.conftest import API
from tests.factories import make_customer

# admin; associate mode: an associate and the manager; team mode: an associate and the manager.
PEOPLE = ("admin", "ana", "nora", "tom", "sam")


@pytest.fixture
def book(world):
    """A few customers with rep codes and a second associate, so every column of the page is read."""
    for n in range(6):
        customer = make_customer(world.north if n % 2 else world.south, f"Alma{n}", "Almeida",
                                 primary=world.ana if n % 2 else world.tom, others=[world.nora, world.sam],
                                 phone=f"+35191200{n:04d}", email=f"alma@example{n}.com")
        CustomerRepCode.objects.bulk_create([CustomerRepCode(customer=customer, code=f"R{n}-{i}") for i in range(2)])
    return world


def _queries(api, params: dict) -> tuple[int, dict]:
    api.get(f"{API}/customers", params)  # the token's first use stamps it: measure the steady state
    with CaptureQueriesContext(connection) as captured:
        response = api.get(f"{API}/customers", params)
    assert response.status_code == 200
    return len(captured), response.json()


@pytest.mark.parametrize("who", PEOPLE)
def test_the_customer_list_costs_two_queries_the_token_with_its_associate_and_the_page_with_its_count(
    book, api_as, who
):
    api = api_as(book.admin if who == "admin" else getattr(book, who).user)
    queries, body = _queries(api, {})
    assert queries == 2
    assert body["count"] == len(body["items"]) > 0
    assert all(len(item["rep_codes"]) == 2 for item in body["items"] if item["first_name"].startswith("Alma"))


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize("query", ["alma", "Almeida Alma", "alma@", "912 000"])
def test_a_customer_search_costs_four_queries_the_token_the_counts_the_reads_and_the_page(book, api_as, who, query):
    api = api_as(book.admin if who == "admin" else getattr(book, who).user)
    queries, body = _queries(api, {"q": query})
    assert queries == 4
    assert body["count"] == len(body["items"]) > 0
