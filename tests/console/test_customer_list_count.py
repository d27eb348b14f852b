"""The console's customer list counts no further than the API does: "more than 200" instead of a full count."""

import re

from shopfloor.customers.listing import COUNT_LIMIT
from shopfloor.customers.models import Customer
from shopfloor.customers.services import refresh_search_fields

PAGE = 25


def grow(store, count: int) -> None:
    customers = []
    for n in range(count):
        customer = Customer(store=store, first_name=f"Many{n:03d}", last_name="Zed", email=f"many{n}@example.com")
        refresh_search_fields(customer)
        customers.append(customer)
    Customer.objects.bulk_create(customers)


def names_on(html: str) -> list[str]:
    return re.findall(r'class="person__name" href="/console/customers/\d+/">([^<]+)</a>', html)


def test_a_list_longer_than_the_count_limit_says_more_than_and_still_pages(client_as, world):
    grow(world.north, COUNT_LIMIT + 30)
    client = client_as(world.admin)
    first = client.get("/console/customers/", {"q": "zed"}).content.decode()
    assert re.search(rf'id="customer-count"[^>]*>\s*More than <strong>{COUNT_LIMIT}</strong> customers', first)
    assert "Page 1</p>" in first  # the number of pages is not known
    assert 'href="?q=zed&amp;page=2"' in first
    assert names_on(first) == [f"Many{n:03d} Zed" for n in range(PAGE)]
    last = client.get("/console/customers/", {"q": "zed", "page": 10}).content.decode()
    assert names_on(last) == [f"Many{n:03d} Zed" for n in range(9 * PAGE, COUNT_LIMIT + 30)]
    assert 'href="?q=zed&amp;page=9"' in last
    assert "page=11" not in last  # a short page is the last one


def test_an_exact_count_keeps_the_number_of_pages(client_as, world):
    grow(world.north, 30)
    html = client_as(world.admin).get("/console/customers/", {"q": "zed"}).content.decode()
    assert re.search(r'id="customer-count"[^>]*>\s*<strong>30</strong> customers', html)
    assert "Page 1 of 2" in html
