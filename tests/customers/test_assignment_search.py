"""An associate in associate mode searches and lists their own assignments' copies of the search columns; what
they find is what a plain model says: the customers assigned to them whose name, email or phone starts with
what they typed (all of them, without a search), sorted by name, whatever was written to customers and
assignments before."""

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shopfloor.access import Actor, customer_assignments_seen, visible_customers
from shopfloor.accounts.models import AssociateRole, RepCode, SellingMode
from shopfloor.customers import listing, search, selectors
from shopfloor.customers.models import (
    Agency,
    AgencyRep,
    Business,
    Customer,
    CustomerAssignment,
    CustomerRepCode,
)
from shopfloor.customers.services import update_customer
from tests.factories import make_associate, make_customer, make_store, make_user

# Few letters, so names share prefixes; an accent, so lower-casing counts.
NAMES = st.text(alphabet="abÁá", min_size=1, max_size=4)
PHONES = st.sampled_from(["", "+351912000111", "+351912000222", "+351913000111", "+34612000111"])
COUNT_LIMIT = 4

customers = st.lists(
    st.tuples(NAMES, NAMES, PHONES, st.lists(st.integers(0, 3), max_size=3, unique=True)),
    min_size=1, max_size=12,
)  # (first name, last name, phone, assigned associate indexes; the first is primary)
changes = st.lists(
    st.one_of(
        st.tuples(st.just("rename"), st.integers(0, 11), NAMES, NAMES),
        st.tuples(st.just("phone"), st.integers(0, 11), PHONES),
        st.tuples(st.just("assign"), st.integers(0, 11), st.lists(st.integers(0, 3), max_size=3, unique=True)),
        st.tuples(st.just("bulk_assign"), st.integers(0, 11), st.integers(0, 3)),
    ),
    max_size=6,
)
queries = st.lists(
    st.one_of(
        st.just(""),  # the list, without a search
        NAMES,
        st.tuples(NAMES, NAMES).map(" ".join),
        NAMES.map(lambda name: f"{name}@"),
        st.sampled_from(["912", "0912 000", "9120001", "612", "+351 913"]),
    ),
    min_size=1, max_size=4,
)


def plain_matches(row: dict, query: str) -> bool:
    """The search box's meaning, written the plain way (search.search_branches)."""
    query = " ".join(query.lower().split())
    if not query:
        return True
    if "@" in query:
        return row["email"].startswith(query)
    digits = "".join(ch for ch in query if ch.isdigit())
    if len(digits) >= 3 and all(ch.isdigit() or ch in " +-()." for ch in query):
        stripped = digits.lstrip("0")
        return row["phone"].startswith(digits) or (len(stripped) >= 3 and row["phone"].startswith(stripped))
    words = query.split(" ")
    if len(words) == 1:
        return any(row[column].startswith(query) for column in ("last", "first", "email"))
    first, rest = words[0], " ".join(words[1:])
    return (row["last"].startswith(rest) and row["first"].startswith(first)) or (
        row["last"].startswith(first) and row["first"].startswith(rest))


def plain_search(associate_id: int, query: str) -> list[int]:
    """The customers assigned to the associate that match, sorted by name then id, read from the customers."""
    assigned = set(CustomerAssignment.objects.filter(associate_id=associate_id).values_list("customer_id", flat=True))
    rows = []
    for customer in Customer.objects.filter(pk__in=assigned):
        row = {"first": customer.first_name.strip().lower(), "last": customer.last_name.strip().lower(),
               "email": customer.email.lower(), "phone": customer.search_phone, "id": customer.pk}
        if plain_matches(row, query):
            rows.append(row)
    return [row["id"] for row in sorted(rows, key=lambda row: (row["last"], row["first"], row["id"]))]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(people=customers, writes=changes, typed=queries, sparse_limit=st.sampled_from([1, 3, 2000]))
def test_an_associate_mode_associate_finds_exactly_their_matching_customers(db, people, writes, typed, sparse_limit):
    with transaction.atomic():
        north = make_store("north", "North", SellingMode.ASSOCIATE)
        south = make_store("south", "South", SellingMode.TEAM)
        associates = [make_associate(north if n < 3 else south, f"Person {n}", f"p{n}@example.com")
                      for n in range(4)]
        admin = Actor(make_user("admin@example.com", is_staff=True))
        made = []
        for index, (first, last, phone, assigned) in enumerate(people):
            picked = [associates[n] for n in assigned]
            made.append(make_customer(north if index % 3 else south, first, last, phone=phone,
                                      primary=picked[0] if picked else None, others=picked[1:],
                                      email=f"{last}.{first}{index}@example.com".lower()))
        for kind, index, *values in writes:
            customer = made[index % len(made)]
            if kind == "rename":
                update_customer(admin, customer, {"first_name": values[0], "last_name": values[1]})
            elif kind == "phone":
                update_customer(admin, customer, {"phone": values[0]})
            elif kind == "assign":
                update_customer(admin, customer, {"assigned_associate_ids": [associates[n].pk for n in values[0]]})
            else:
                CustomerAssignment.objects.bulk_create(
                    [CustomerAssignment(customer=customer, associate=associates[values[0]])], ignore_conflicts=True)
        with_monkeypatched_limits(sparse_limit)
        try:
            for associate in associates[:2]:
                actor = Actor(associate.user)
                for query in typed:
                    expected = plain_search(associate.pk, query)
                    for limit, offset in [(3, 0), (2, 2), (50, 0)]:
                        page = selectors.customer_page(actor, query, limit=limit, offset=offset)
                        where = (associate.name, query, limit, offset)
                        assert [customer.pk for customer in page.items] == expected[offset : offset + limit], where
                        if page.count_is_exact:
                            assert page.count == len(expected), where
                        else:
                            assert len(expected) > COUNT_LIMIT and page.count == COUNT_LIMIT + 1, where
        finally:
            restore_limits()
        transaction.set_rollback(True)


_saved: dict = {}


def with_monkeypatched_limits(sparse_limit: int) -> None:
    """Small limits, so every plan (read whole, walked, counted "more") runs on a few customers.
    (Hypothesis runs many examples in one test, so pytest's function-scoped monkeypatch does not fit.)"""
    _saved.update(SPARSE_LIMIT=search.SPARSE_LIMIT, COUNT_LIMIT=listing.COUNT_LIMIT)
    search.SPARSE_LIMIT, listing.COUNT_LIMIT = sparse_limit, COUNT_LIMIT


def restore_limits() -> None:
    search.SPARSE_LIMIT, listing.COUNT_LIMIT = _saved["SPARSE_LIMIT"], _saved["COUNT_LIMIT"]


def test_the_assignments_an_associate_searches_are_exactly_the_customers_they_see(world):
    make_customer(world.north, "Shared", "Customer", primary=world.ana, others=[world.bruno, world.tom])
    make_customer(world.south, "Other", "Store", primary=world.ana)
    # A rep code that names ana, directly and through an agency, shows her as the customer's rep; in
    # associate mode it does not make the customer hers to see (DESIGN.md §3): should it ever, the
    # assignments would no longer be what she sees, and this test says so.
    business = Business.objects.create(name="Trade Co")
    agency = Agency.objects.create(business=business, name="Agency")
    AgencyRep.objects.create(agency=agency, code="AG-1", associate=world.ana)
    RepCode.objects.create(code="ANA-1", associate=world.ana)
    coded = make_customer(world.north, "Coded", "Customer", primary=world.bruno, business=business)
    CustomerRepCode.objects.bulk_create([CustomerRepCode(customer=coded, code=code) for code in ("AG-1", "ANA-1")])
    for associate in (world.ana, world.bruno):
        actor = Actor(associate.user)
        seen = customer_assignments_seen(actor)
        ids = list(seen.values_list("customer_id", flat=True))
        assert len(ids) == len(set(ids)) and set(ids) == set(visible_customers(actor).values_list("pk", flat=True))
    # Managers, team-mode associates, admins and customers see customers some other way.
    for user in (world.nora.user, world.tom.user, world.sam.user, world.admin, world.shopper.user):
        assert customer_assignments_seen(Actor(user)) is None
    world.ana.active = False
    world.ana.save()
    assert customer_assignments_seen(Actor(world.ana.user)) is None


def test_a_manager_made_associate_in_associate_mode_searches_the_customers_again(world):
    world.bruno.role = AssociateRole.MANAGER
    world.bruno.save()
    found = selectors.customer_page(Actor(world.bruno.user), "al", limit=10)
    assert [customer.pk for customer in found.items] == [world.anas_customer.pk]
