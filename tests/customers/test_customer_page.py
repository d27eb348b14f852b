"""customers.selectors.customer_page: the same page and count as the plain sorted query, on every plan of
customers.search."""

import pytest
from django.db import connection

from shopfloor.access import actor_for
from shopfloor.customers import listing, search, selectors
from shopfloor.customers.models import Customer, CustomerRepCode, CustomerStatus
from tests.factories import make_customer

NAMES = [
    ("Maria", "Silva"), ("Mario", "Santos"), ("Marta", "Sousa"), ("Ana", "Martins"), ("Mariana", "Silva"),
    ("João", "Marques"), ("Rui", "Mata"), ("maria", "de Jong"), ("Sofia", "Maia"), ("Marco", "Almeida"),
    ("Tiago", "Silva"), ("Maria", "Sá"), ("Mateus", "Zurich"), ("Zoe", "Marinho"), ("Álvaro", "Mar"),
]
QUERIES = ["ma", "Mar", "mari", "si", "silva", "maria s", "silva maria", "mar@", "mariasilva", "912", "0912",
           "zz", "á", "s",
           # Two words whose longer prefix is the first name, the last name, or neither.
           "mariana s", "s mariana", "ma silva", "silva ma", "mar mar", "sá maria"]


@pytest.fixture
def crowd(world):
    """Customers whose names share prefixes, spread over both stores and several associates."""
    owners = [world.ana, world.bruno, world.tom, world.tina]
    for index, (first, last) in enumerate(NAMES * 3):
        owner = owners[index % len(owners)]
        # Now and then an associate of the other store helps too: a team-mode associate sees
        # their store's customers and those assigned to them elsewhere.
        helper = owners[(index + 2) % len(owners)] if index % 5 == 0 else None
        make_customer(
            owner.store, first, last, primary=owner, others=[helper] if helper else [], phone=f"+35191234{index:04d}",
            email=f"{first.lower()}.{last.lower().replace(' ', '')}{index}@example.com",
            status=CustomerStatus.PENDING if index % 7 == 0 else CustomerStatus.ACTIVE,
        )
    return world


def _people(world):
    """Admin; associate mode: an associate and the manager; team mode: an associate and the manager."""
    return [world.admin, world.ana.user, world.nora.user, world.tom.user, world.sam.user]


@pytest.mark.slow
@pytest.mark.parametrize("probed", [True, False])
@pytest.mark.parametrize("sorted_in_python", [True, False])
@pytest.mark.parametrize("sparse_limit", [1, 8, 1000])
def test_the_page_is_the_sorted_lists_slice_on_every_plan(crowd, monkeypatch, sparse_limit, sorted_in_python,
                                                          probed):
    # A tiny sparse limit sends every branch down the walks of the name index; a database that
    # does not sort by code point merges the branches in its own collation; visibility written
    # for row-by-row probes (as on PostgreSQL) or as visible_customers writes it.
    monkeypatch.setattr(search, "SPARSE_LIMIT", sparse_limit)
    monkeypatch.setattr(listing, "COUNT_LIMIT", 10)
    monkeypatch.setattr(listing, "probes_row_by_row", lambda: probed)
    if not sorted_in_python:
        monkeypatch.setattr(listing, "sorts_by_code_point", lambda: False)
    for user in _people(crowd):
        actor = actor_for(user)
        for query in QUERIES:
            for status in (None, CustomerStatus.PENDING):
                every = list(selectors.customer_list(actor, query, status).values_list("pk", flat=True))
                for limit, offset in [(5, 0), (4, 4), (50, 0), (3, 30)]:
                    expected_ids, total = every[offset : offset + limit], len(every)
                    page = selectors.customer_page(actor, query, status, limit=limit, offset=offset)
                    where = (user.email, query, status, limit, offset)
                    assert [customer.pk for customer in page.items] == expected_ids, where
                    if page.count_is_exact:
                        assert page.count == total, where
                    else:
                        assert total > 10 and page.count == 11, where


def test_counts_above_the_limit_read_as_more_and_the_last_page_counts_exactly(crowd, monkeypatch):
    monkeypatch.setattr(listing, "COUNT_LIMIT", 10)
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
    assert search._successor("ma") == "mb"
    assert search._successor("a\U0010ffff") is None


def test_each_branch_is_read_through_the_index_of_its_longest_prefix():
    # "tiago m": the first names from "tiago", not every last name from "m" (and the reverse).
    assert search._driving((("search_last_name", "m"), ("search_first_name", "tiago"))) == 1
    assert search._driving((("search_last_name", "martins"), ("search_first_name", "ana"))) == 0
    # A tie goes to the last name, whose index is the list's order.
    assert search._driving((("search_last_name", "sá"), ("search_first_name", "ze"))) == 0


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "sqlite", reason="reads SQLite's query plan")
def test_sqlite_counts_a_two_word_branch_in_the_index_of_its_longer_prefix():
    branch = (("search_last_name", "m"), ("search_first_name", "tiago"))
    queryset = Customer.objects.filter(search._branch_q(branch)).values("pk")
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "customer_search_first_last (search_first_name>? AND search_first_name<?)" in plan, plan


@pytest.mark.parametrize("probed", [True, False])
def test_the_list_without_a_search_is_the_sorted_lists_slice_with_its_count_for_everyone(crowd, monkeypatch,
                                                                                           probed):
    # The list reads its page and its capped count in one query (selectors._list_page).
    monkeypatch.setattr(listing, "COUNT_LIMIT", 10)
    monkeypatch.setattr(listing, "probes_row_by_row", lambda: probed)
    for user in _people(crowd):
        actor = actor_for(user)
        for status in (None, CustomerStatus.PENDING):
            every = list(selectors.customer_list(actor, "", status).values_list("pk", flat=True))
            for limit, offset in [(5, 0), (4, 4), (50, 0), (3, len(every) - 1), (5, len(every)), (5, 500)]:
                page = selectors.customer_page(actor, "", status, limit=limit, offset=offset,
                                               prepare=selectors.with_details)
                where = (user.email, status, limit, offset)
                assert [customer.pk for customer in page.items] == every[offset : offset + limit], where
                if 0 < len(page.items) < limit or len(every) <= 10:
                    # The last page, or a short list: counted exactly.
                    assert (page.count, page.count_is_exact) == (len(every), True), where
                else:
                    assert (page.count, page.count_is_exact) == (11, False), where


def test_a_page_read_with_its_details_has_the_rep_codes_and_assignments_customer_details_reads(world):
    helped = make_customer(world.north, "Helena", "Horta", primary=world.bruno, others=[world.ana, world.tom])
    # The primary is not the first assignment: it still comes first.
    helped.assignments.filter(associate=world.bruno).update(is_primary=False)
    helped.assignments.filter(associate=world.tom).update(is_primary=True)
    CustomerRepCode.objects.bulk_create(
        [CustomerRepCode(customer=helped, code=code) for code in ("Z9", 'A "1", é', "M5")]
    )
    unassigned = make_customer(world.north, "Ivo", "Inácio")
    ids = [helped.pk, unassigned.pk, world.anas_customer.pk]

    read = {customer.pk: selectors.details_of(customer)
            for customer in selectors.with_details(Customer.objects.filter(pk__in=ids))}

    assert read == selectors.customer_details(ids)
    assert read[helped.pk] == selectors.CustomerDetails(
        rep_codes=['A "1", é', "M5", "Z9"], associate_ids=[world.tom.pk, world.bruno.pk, world.ana.pk],
        primary_associate_id=world.tom.pk,
    )
    assert read[unassigned.pk] == selectors.CustomerDetails(rep_codes=[], associate_ids=[],
                                                            primary_associate_id=None)
