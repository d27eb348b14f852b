"""Reads of customers as a user makes them, with visibility applied by the access policy.

The customer list and its pages, counted up to COUNT_LIMIT; a search box's query is read by `search`, and
what both share (the list's order, the count's limit, the visible rows) is `listing`'s.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Aggregate, Func, OuterRef, Q, QuerySet, Subquery, TextField
from django.db.models.expressions import RawSQL

from shopfloor.access import Actor, customer_assignments_seen
from shopfloor.customers import listing, search
from shopfloor.customers.models import Customer, CustomerAssignment, CustomerRepCode


def _keys_of_parts(parts: list[QuerySet], condition: Q, limit: int | None, ordered: bool = True) -> list[list[tuple]]:
    """The sort keys of the rows of each part that meet `condition`, in the list's order, up to `limit` each."""
    return [
        listing.sort_keys(
            part.filter(condition).order_by(*listing.sort_order(part)) if ordered
            else part.filter(condition).order_by(),
            limit,
        )
        for part in parts
    ]


def customer_list(actor: Actor, query: str = "", status: str | None = None) -> QuerySet:
    """Every customer the actor sees that matches, sorted; `customer_page` reads one page faster."""
    queryset = listing.visible(actor, status)
    condition = search.search_condition(query)
    if condition is not None:
        queryset = queryset.filter(condition)
    return queryset.select_related("store").order_by(*listing.SORT_ORDER)


@dataclass
class CustomerPage:
    items: list[Customer]
    # Exact when `count_is_exact`; otherwise COUNT_LIMIT + 1, meaning "more than COUNT_LIMIT".
    count: int
    count_is_exact: bool


def _page_ids(keys: list[tuple], offset: int, wanted: int) -> list[int]:
    """The ids of the page [offset, wanted) among the rows whose sort keys are `keys` (repeats allowed)."""
    if listing.sorts_by_code_point():
        # Python orders str by code point too.
        return [key[-1] for key in sorted(set(keys))[offset:wanted]]
    # Sorted by the database, in its own collation, like any other list.
    candidate_ids = {key[-1] for key in keys}
    return listing.customer_ids(
        Customer.objects.filter(pk__in=candidate_ids).order_by(*listing.SORT_ORDER)[offset:wanted]
    )


def _list_page(visible: QuerySet, limit: int, offset: int,
               prepare: Callable[[QuerySet], QuerySet] | None) -> CustomerPage:
    """A page of the list without a search, and its count, in one query: the capped count rides
    along as an uncorrelated subquery (computed once), the rows are read straight down the name index."""
    # Counted in id order, which mixes stores and associates evenly: in the order of an index on
    # the store, an associate of the second store would first step over the whole first one.
    counted = visible.order_by("pk").values("pk")[: listing.COUNT_LIMIT + 1]
    return _counted_page(visible.order_by(*listing.SORT_ORDER), counted, limit, offset, offset, prepare)


def _assigned_list_page(assignments: QuerySet, limit: int, offset: int,
                        prepare: Callable[[QuerySet], QuerySet] | None) -> CustomerPage:
    """`_list_page` for an associate who sees only their assignments: the page is a range of their
    own rows in the list's order (their index), its customers read by id, in one query too."""
    page = assignments.order_by(*listing.ASSIGNMENT_SORT_ORDER).values("customer_id")[offset : offset + limit]
    counted = assignments.order_by().values("pk")[: listing.COUNT_LIMIT + 1]
    return _counted_page(Customer.objects.filter(pk__in=page).order_by(*listing.SORT_ORDER), counted, limit, offset, 0,
                         prepare)


def _counted_page(rows: QuerySet, counted: QuerySet, limit: int, offset: int, skip: int,
                  prepare: Callable[[QuerySet], QuerySet] | None) -> CustomerPage:
    """Page [offset, offset + limit) of the list, whose rows are `rows` after the first `skip`, with
    the count of `counted` (capped) riding along in the same query."""
    sql, params = counted.query.sql_with_params()
    queryset = rows.annotate(
        # A queryset's compiled SQL, its values still parameters.
        capped_count=RawSQL(f"SELECT COUNT(*) FROM ({sql}) capped", params)  # noqa: S608, S611
    )
    if prepare is not None:
        queryset = prepare(queryset)
    items = list(queryset[skip : skip + limit])
    if items and len(items) < limit:
        # The last page: everything before it plus what it holds.
        return CustomerPage(items=items, count=offset + len(items), count_is_exact=True)
    count = items[0].capped_count if items else counted.count()
    exact = count <= listing.COUNT_LIMIT
    return CustomerPage(items=items, count=count if exact else listing.COUNT_LIMIT + 1, count_is_exact=exact)


def customer_page(actor: Actor, query: str = "", status: str | None = None, *, limit: int, offset: int = 0,
                  prepare: Callable[[QuerySet], QuerySet] | None = None) -> CustomerPage:
    """One page of `customer_list(actor, query, status)` and how many there are, up to COUNT_LIMIT.

    `prepare` adds what the caller's representation needs (select_related, prefetch_related)
    to the query that loads the page's customers.
    """
    wanted = offset + limit
    branches = search.search_branches(query)
    read = None
    if not branches:
        assignments = None if status else customer_assignments_seen(actor)
        if assignments is not None:
            return _assigned_list_page(assignments, limit, offset, prepare)
        parts = listing.visible_parts(actor, status)
        if len(parts) == 1:
            return _list_page(parts[0], limit, offset, prepare)
        page_ids = _page_ids([key for keys in _keys_of_parts(parts, Q(), wanted) for key in keys], offset, wanted)
        sees_every_candidate = False
    else:
        source = search.source_for(actor, status)
        parts, sees_every_candidate = source.parts, source.sees_every_candidate
        read = search.page_keys(source, branches, wanted)
        page_ids = _page_ids(read.keys, offset, wanted)
    if page_ids and len(page_ids) < limit:
        # The last page: everything before it plus what it holds.
        count, exact = offset + len(page_ids), True
    elif read is not None and read.overflows:
        count, exact = listing.COUNT_LIMIT + 1, False
    elif read is not None and not read.partial:
        # Every branch was read to its end.
        count = len(read.known)
        exact = count <= listing.COUNT_LIMIT
    elif read is not None and sees_every_candidate and read.most_candidates > listing.COUNT_LIMIT:
        # A branch has more candidates than that, all of them visible.
        count, exact = listing.COUNT_LIMIT + 1, False
    elif read is not None:
        count = search.count_matches(parts, read.partial, read.known)
        exact = count <= listing.COUNT_LIMIT
    else:
        seen: set[int] = set()
        for part in parts:
            if len(seen) > listing.COUNT_LIMIT:
                break
            seen.update(listing.customer_ids(part.order_by("pk"), listing.COUNT_LIMIT + 1))
        count = len(seen)
        exact = count <= listing.COUNT_LIMIT
    if not exact:
        count = listing.COUNT_LIMIT + 1
    queryset = Customer.objects.filter(pk__in=page_ids)
    if prepare is not None:
        queryset = prepare(queryset)
    by_id = {customer.pk: customer for customer in queryset}
    items = [by_id[pk] for pk in page_ids if pk in by_id]
    return CustomerPage(items=items, count=count, count_is_exact=exact)


# The console's list pages through the first MAX_LIST_PAGE pages; a search narrows further.
MAX_LIST_PAGE = 400


@dataclass
class ListPaginator:
    """What the console's page templates read of a Paginator, for a count capped at COUNT_LIMIT."""

    count: int
    count_is_exact: bool
    per_page: int

    @property
    def num_pages(self) -> int:
        """Every page when the count is exact; else the pages known to exist (at least two)."""
        return max(1, -(-self.count // self.per_page))


@dataclass
class ListPage:
    """One numbered page of the customer list, shaped like Django's Page for the templates."""

    number: int
    object_list: list[Customer]
    paginator: ListPaginator

    def has_previous(self) -> bool:
        return self.number > 1

    def has_next(self) -> bool:
        if self.paginator.count_is_exact:
            return self.number < self.paginator.num_pages
        return self.number < MAX_LIST_PAGE and len(self.object_list) == self.paginator.per_page

    def previous_page_number(self) -> int:
        return self.number - 1

    def next_page_number(self) -> int:
        return self.number + 1

    def start_index(self) -> int:
        return (self.number - 1) * self.paginator.per_page + 1 if self.object_list else 0

    def end_index(self) -> int:
        return (self.number - 1) * self.paginator.per_page + len(self.object_list)


def customer_list_page(actor: Actor, query: str = "", status: str | None = None, *, number, per_page: int,
                       prepare: Callable[[QuerySet], QuerySet] | None = None) -> ListPage:
    """Page `number` of the console's customer list, as Paginator.get_page answers it (nonsense is the
    first page, a page past the end the last one) but counted no further than COUNT_LIMIT."""
    try:
        number = min(max(int(number), 1), MAX_LIST_PAGE)
    except (TypeError, ValueError):
        number = 1
    found = customer_page(actor, query, status, limit=per_page, offset=(number - 1) * per_page, prepare=prepare)
    paginator = ListPaginator(found.count, found.count_is_exact, per_page)
    if not found.items and number > 1 and found.count_is_exact:
        number = paginator.num_pages
        found = customer_page(actor, query, status, limit=per_page, offset=(number - 1) * per_page,
                              prepare=prepare)
    return ListPage(number, found.items, paginator)


@dataclass(frozen=True)
class CustomerDetails:
    """What the API's customer representation shows besides the customer's own columns."""

    rep_codes: list[str]
    # The primary associate first, then the others in the order they were assigned.
    associate_ids: list[int]
    primary_associate_id: int | None


def customer_details(customer_ids: list[int]) -> dict[int, CustomerDetails]:
    """Rep codes and assigned associates of each customer, in two queries whatever their number.

    Read as plain rows rather than with prefetch_related, which builds a related manager and a
    queryset per customer and costs more than the queries themselves on a page of fifty.
    """
    codes: dict[int, list[str]] = {pk: [] for pk in customer_ids}
    for customer_id, code in CustomerRepCode.objects.filter(customer_id__in=customer_ids).values_list(
        "customer_id", "code"
    ):
        codes[customer_id].append(code)
    assignments: dict[int, list[tuple]] = {pk: [] for pk in customer_ids}
    rows = CustomerAssignment.objects.filter(customer_id__in=customer_ids).values_list(
        "customer_id", "is_primary", "id", "associate_id"
    )
    for customer_id, is_primary, assignment_id, associate_id in rows:
        assignments[customer_id].append((not is_primary, assignment_id, associate_id, is_primary))
    details = {}
    for pk in customer_ids:
        ordered = sorted(assignments[pk])
        details[pk] = CustomerDetails(
            rep_codes=sorted(codes[pk]),
            associate_ids=[row[2] for row in ordered],
            primary_associate_id=next((row[2] for row in ordered if row[3]), None),
        )
    return details


class _JSONGroupArray(Aggregate):
    """The group's values as a JSON array, read as text (SQLite's json_group_array, PostgreSQL's json_agg)."""

    function = "JSON_GROUP_ARRAY"
    output_field = TextField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="JSON_AGG",
                           template="%(function)s(%(distinct)s%(expressions)s)::text", **extra_context)


class _JSONArray(Func):
    """A row's values as one JSON array (SQLite's json_array, PostgreSQL's json_build_array)."""

    function = "JSON_ARRAY"
    output_field = TextField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="JSON_BUILD_ARRAY", **extra_context)


def _grouped(queryset: QuerySet, value) -> Subquery:
    """One JSON array of `value` over the rows of `queryset` that belong to the outer customer."""
    rows = queryset.filter(customer_id=OuterRef("pk")).order_by().values("customer_id")
    return Subquery(rows.annotate(grouped=_JSONGroupArray(value)).values("grouped"))


def with_details(queryset: QuerySet) -> QuerySet:
    """The customers with what `details_of` reads, in the same query: a page costs one round trip,
    not three (on PostgreSQL, under load, a round trip costs more than these index lookups)."""
    return queryset.annotate(
        rep_codes_json=_grouped(CustomerRepCode.objects.all(), "code"),
        assignments_json=_grouped(CustomerAssignment.objects.all(),
                                  _JSONArray("associate_id", "is_primary", "id")),
    )


def details_of(customer: Customer) -> CustomerDetails:
    """The CustomerDetails of a customer read through `with_details`."""
    codes = json.loads(customer.rep_codes_json) if customer.rep_codes_json else []
    rows = json.loads(customer.assignments_json) if customer.assignments_json else []
    # As customer_details orders them: the primary first, then by assignment.
    ordered = sorted((not is_primary, assignment_id, associate_id) for associate_id, is_primary, assignment_id in rows)
    return CustomerDetails(
        rep_codes=sorted(codes),
        associate_ids=[row[2] for row in ordered],
        primary_associate_id=next((row[2] for row in ordered if not row[0]), None),
    )


def customer_by_external_id(external_id: str) -> Customer | None:
    return Customer.objects.filter(external_id=external_id).first()
