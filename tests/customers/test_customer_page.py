"""customers.selectors.customer_page: the same page and count as the plain sorted query, on every plan."""

import pytest

from shopfloor.access import actor_for
from shopfloor.customers import selectors
from shopfloor.customers.models import CustomerStatus
from tests.factories import make_customer

NAMES = [
    ("Maria", "Silva"), ("Mario", "Santos"), ("Marta", "Sousa"), ("Ana", "Martins"), ("Mariana", "Silva"),
    ("João", "Marques"), ("Rui", "Mata"), ("maria", "de Jong"), ("Sofia", "Maia"), ("Marco", "Almeida"),
    ("Tiago", "Silva"), ("Maria", "Sá"), ("Mateus", "Zurich"), ("Zoe", "Marinho"), ("Álvaro", "Mar"),
]
QUERIES = ["ma", "Mar", "mari", "si", "silva", "maria s", "silva maria", "mar@", "mariasilva", "912", "0912",
           "zz", "á", "s"]


@pytest.fixture
def crowd(world):
    """Customers whose names share prefixes, spread over both stores and several associates."""
    owners = [world.ana, world.bruno, world.tom, world.tina]
    for index, (first, last) in enumerate(NAMES * 3):
        owner = owners[index % len(owners)]
        make_customer(
            owner.store, first, last, primary=owner, phone=f"+35191234{index:04d}",
            email=f"{first.lower()}.{last.lower().replace(' ', '')}{index}@example.com",
            status=CustomerStatus.PENDING if index % 7 == 0 else CustomerStatus.ACTIVE,
        )
    return world


def _people(world):
    return [world.admin, world.ana.user, world.nora.user, world.tom.user, world.sam.user]


def _expected(actor, query, status, limit, offset):
    every = list(selectors.customer_list(actor, query, status).values_list("pk", flat=True))
    return every[offset : offset + limit], len(every)


@pytest.mark.parametrize("sorted_in_python", [True, False])
@pytest.mark.parametrize("sparse_limit", [1, 3, 1000])
def test_the_page_is_the_sorted_lists_slice_on_every_plan(crowd, monkeypatch, sparse_limit, sorted_in_python):
    # A tiny sparse limit sends every branch down the walks of the name index; a database that
    # does not sort by code point merges the branches in its own collation.
    monkeypatch.setattr(selectors, "SPARSE_LIMIT", sparse_limit)
    monkeypatch.setattr(selectors, "COUNT_LIMIT", 10)
    if not sorted_in_python:
        monkeypatch.setattr(selectors, "_sorts_by_code_point", lambda: False)
    for user in _people(crowd):
        actor = actor_for(user)
        for query in QUERIES:
            for status in (None, CustomerStatus.PENDING):
                for limit, offset in [(5, 0), (4, 4), (50, 0), (3, 30)]:
                    expected_ids, total = _expected(actor, query, status, limit, offset)
                    page = selectors.customer_page(actor, query, status, limit=limit, offset=offset)
                    where = (user.email, query, status, limit, offset)
                    assert [customer.pk for customer in page.items] == expected_ids, where
                    if page.count_is_exact:
                        assert page.count == total, where
                    else:
                        assert total > 10 and page.count == 11, where


def test_counts_above_the_limit_read_as_more_and_the_last_page_counts_exactly(crowd, monkeypatch):
    monkeypatch.setattr(selectors, "COUNT_LIMIT", 10)
    admin = actor_for(crowd.admin)
    total = selectors.customer_list(admin).count()
    first = selectors.customer_page(admin, limit=5)
    assert (first.count, first.count_is_exact) == (11, False)
    last = selectors.customer_page(admin, limit=5, offset=total - 2)
    assert (len(last.items), last.count, last.count_is_exact) == (2, total, True)
    none = selectors.customer_page(admin, "nobody-by-that-name", limit=5)
    assert (none.items, none.count, none.count_is_exact) == ([], 0, True)


def test_names_sort_case_insensitively(crowd):
    admin = actor_for(crowd.admin)
    page = selectors.customer_page(admin, "maria", limit=50)
    last_names = [customer.last_name for customer in page.items]
    assert last_names == sorted(last_names, key=str.lower)
    assert "de Jong" in last_names


def test_prefix_ranges_end_just_past_the_prefix():
    assert selectors._successor("ma") == "mb"
    assert selectors._successor("a\U0010ffff") is None
