"""The console's customer list: the access policy's scope per selling mode and role, search, pages."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_customer

ALL = {"Alice Almeida", "Beatriz Brito", "Carla Costa", "Daniel Duarte", "Eva Esteves", "Filipa Faria"}


def names_on(response) -> set[str]:
    """The customer names linked from the list."""
    pattern = r'class="person__name" href="/console/customers/\d+/">([^<]+)</a>'
    return set(re.findall(pattern, response.content.decode()))


def count_on(response) -> int:
    match = re.search(r'id="customer-count"[^>]*>\s*<strong>(\d+)</strong>', response.content.decode())
    return int(match.group(1))


@pytest.mark.parametrize(
    ("person", "expected"),
    [
        # North is in associate mode: associates see the customers assigned to them.
        ("ana", {"Alice Almeida", "Filipa Faria"}),
        ("bruno", {"Beatriz Brito"}),
        # Managers see their whole store.
        ("nora", {"Alice Almeida", "Beatriz Brito", "Filipa Faria"}),
        # South is in team mode: every associate sees every customer of the store.
        ("tom", {"Carla Costa", "Daniel Duarte", "Eva Esteves"}),
        ("tina", {"Carla Costa", "Daniel Duarte", "Eva Esteves"}),
        ("sam", {"Carla Costa", "Daniel Duarte", "Eva Esteves"}),
        ("admin", ALL),
    ],
)
def test_each_person_sees_the_customers_the_access_policy_gives_them(client_as, world, person, expected):
    user = world.admin if person == "admin" else getattr(world, person).user
    response = client_as(user).get("/console/customers/")
    assert response.status_code == 200
    assert names_on(response) == expected
    assert count_on(response) == len(expected)


def test_an_associate_assigned_a_customer_of_another_store_sees_them_too(client_as, world):
    make_customer(world.south, "Gil", "Gomes", primary=world.tom, others=[world.ana])
    assert "Gil Gomes" in names_on(client_as(world.ana.user).get("/console/customers/"))


def test_the_page_shows_who_is_signed_in_their_store_and_selling_mode(client_as, world):
    html = client_as(world.tom.user).get("/console/customers/").content.decode()
    assert "Tom Reis" in html
    assert "South Store" in html
    assert "Team mode" in html
    assert "You see every customer of South Store." in html
    html = client_as(world.ana.user).get("/console/customers/").content.decode()
    assert "Associate mode" in html
    assert "You see the customers assigned to you." in html


def test_an_admin_who_is_also_an_associate_is_shown_as_an_admin_of_every_store(client_as, world):
    world.ana.user.is_staff = True
    world.ana.user.save()
    html = client_as(world.ana.user).get("/console/customers/").content.decode()
    assert "Every store" in html
    assert "As an admin you see every store&#x27;s customers." in html
    assert "Associate mode" not in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("alice", {"Alice Almeida"}),
        ("ALMEIDA", {"Alice Almeida"}),
        ("alice alm", {"Alice Almeida"}),
        ("filipa.faria", {"Filipa Faria"}),
        ("b", {"Beatriz Brito"}),
        ("zed", set()),
    ],
)
def test_the_search_box_finds_customers_by_name_and_email(client_as, world, query, expected):
    response = client_as(world.nora.user).get("/console/customers/", {"q": query})
    assert names_on(response) == expected
    assert count_on(response) == len(expected)
    assert f'value="{query}"' in response.content.decode()


def test_the_search_box_finds_customers_by_phone_digits(client_as, world):
    make_customer(world.north, "Hugo", "Henriques", primary=world.ana, phone="+351912345678")
    client = client_as(world.ana.user)
    assert names_on(client.get("/console/customers/", {"q": "912 345"})) == {"Hugo Henriques"}
    assert names_on(client.get("/console/customers/", {"q": "912345678"})) == {"Hugo Henriques"}
    assert names_on(client.get("/console/customers/", {"q": "999"})) == set()


def test_search_never_widens_what_a_person_sees(client_as, world):
    response = client_as(world.ana.user).get("/console/customers/", {"q": "beatriz"})
    assert names_on(response) == set()
    assert "No customers match" in response.content.decode()


def test_the_list_filters_by_status(client_as, world):
    make_customer(world.north, "Ivo", "Inacio", status="pending")
    response = client_as(world.nora.user).get("/console/customers/", {"status": "pending"})
    assert names_on(response) == {"Ivo Inacio"}
    # An unknown status is ignored rather than failing.
    response = client_as(world.nora.user).get("/console/customers/", {"status": "bogus"})
    assert response.status_code == 200
    assert "Ivo Inacio" in names_on(response)


def test_results_are_paginated_with_a_count_and_keep_the_search(client_as, world):
    for n in range(30):
        make_customer(world.north, f"Zoe{n:02d}", "Zimmer", primary=world.ana)
    client = client_as(world.ana.user)
    first = client.get("/console/customers/", {"q": "zimmer"})
    assert count_on(first) == 30
    assert len(names_on(first)) == 25
    html = first.content.decode()
    assert "Page 1 of 2" in html
    assert 'href="?q=zimmer&amp;page=2"' in html
    second = client.get("/console/customers/", {"q": "zimmer", "page": 2})
    assert len(names_on(second)) == 5
    assert names_on(first).isdisjoint(names_on(second))
    # A page past the end shows the last page; nonsense shows the first.
    assert names_on(client.get("/console/customers/", {"q": "zimmer", "page": 99})) == names_on(second)
    assert names_on(client.get("/console/customers/", {"q": "zimmer", "page": "x"})) == names_on(first)


def test_the_list_costs_the_same_number_of_queries_for_few_and_many_customers(client_as, world):
    client = client_as(world.nora.user)
    client.get("/console/customers/")
    with CaptureQueriesContext(connection) as few:
        client.get("/console/customers/")
    for n in range(20):
        make_customer(world.north, f"Many{n}", "More", primary=world.bruno, others=[world.ana], tags=["vip"])
    with CaptureQueriesContext(connection) as many:
        response = client.get("/console/customers/")
    assert len(names_on(response)) == 23
    assert len(many) == len(few)
