"""Reads of customers as a user makes them, with visibility applied by the access policy.

The console's search box and the API's customer list answer in a bounded number of index reads
whatever the number of customers (bench/customer_search.py measures it at 1,000,000). A search
is an OR of *branches*, each a prefix condition or two on the lower-cased search columns
(`search_branches`). The first page of an OR, sorted by name, is the first page of the union of
each branch's first page, so each branch is read with the plan that suits it:

* a last-name branch is one range of the name index, read in order: it stops after offset +
  limit or COUNT_LIMIT + 1 visible matches, whichever is more (so it is counted as it is read);
* any other *sparse* branch (at most SPARSE_LIMIT customers match, counted in its own index) is
  read through that index, sorted by the database, up to the page or COUNT_LIMIT + 1 matches;
* the *dense* ones are spread evenly over the alphabet of last names, so one walk down the name
  index finds their page quickly (and once there is a walk, the sparse ones join it).

Each step's queries go to the database together (one SELECT of scalar subqueries for the counts,
one UNION ALL for the reads), and the page's rows come with their rep codes and assignments: a
search costs three or four round trips, which on PostgreSQL under load cost more than the reads.

An associate who sees only the customers assigned to them (associate mode) searches the same way
through their assignments, which carry copies of the customers' search columns in indexes that
start with the associate (CustomerAssignment): each branch is a range of their own rows, every
candidate visible, where the customers' indexes would make them test the assignment of every
customer whose name starts with "si" to find the few that are theirs.

A branch of two prefixes is read through the index of the longer one (`_driving`). Each index
carries the sort key and the store, so visibility is tested without reading the table; on
PostgreSQL it is written for row-by-row tests (access.customer_probe_filter).

The plan is chosen here rather than by the database because SQLite keeps no statistics and
PostgreSQL's estimates for an OR of prefixes under ORDER BY ... LIMIT are a gamble. Counting
every match of "ma" among a million customers costs more than the page itself, so a count is
exact up to COUNT_LIMIT and otherwise COUNT_LIMIT + 1, read "more than COUNT_LIMIT".
"""

import json
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection
from django.db.models import Aggregate, Func, OuterRef, Q, QuerySet, Subquery, TextField, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Substr
from django.db.models.lookups import Exact

from shopfloor.access import (
    Actor,
    customer_assignments_seen,
    customer_filter,
    customer_probe_filter,
    visible_customers,
)
from shopfloor.customers.models import Customer, CustomerAssignment, CustomerRepCode

# Prefix search over these indexed, lower-cased columns.
NAME_COLUMNS = ("search_first_name", "search_last_name")
# How every customer list is sorted: by name, case-insensitively, then by id so pages are stable.
SORT_ORDER = ("search_last_name", "search_first_name", "id")
# The same order read from assignments, which carry their customer's search columns (associate mode).
ASSIGNMENT_SORT_ORDER = ("search_last_name", "search_first_name", "customer_id")
# Counts up to this are exact; a larger one is answered COUNT_LIMIT + 1, "more than COUNT_LIMIT".
# Finding COUNT_LIMIT visible matches costs an associate, who sees a tenth of the customers, ten
# times as many index probes, so the limit is what one search page can afford.
COUNT_LIMIT = 200
# A search branch with at most this many candidates is read whole through its own index.
SPARSE_LIMIT = 2000


def _successor(prefix: str) -> str | None:
    """The smallest string greater than every string that starts with `prefix` (code point order)."""
    last = ord(prefix[-1])
    if last >= 0x10FFFF:
        return None
    return prefix[:-1] + chr(last + 1)


_collation_is_bytewise: dict[str, bool] = {}


def _sorts_by_code_point() -> bool:
    """Whether the database orders text by code point, so a prefix is a range of an ordinary index.

    SQLite's BINARY collation does; a PostgreSQL database does when created with the C
    collation (or C.UTF-8), which PostgreSQL does not treat as such for LIKE.
    """
    if connection.vendor != "postgresql":
        return True
    key = connection.settings_dict["NAME"]
    if key not in _collation_is_bytewise:
        with connection.cursor() as cursor:
            cursor.execute("SELECT datcollate FROM pg_database WHERE datname = current_database()")
            collation = cursor.fetchone()[0]
        _collation_is_bytewise[key] = collation.lower().replace("-", "") in {"c", "posix", "c.utf8"}
    return _collation_is_bytewise[key]


def _range_q(column: str, prefix: str) -> Q:
    upper = _successor(prefix)
    condition = Q(**{f"{column}__gte": prefix})
    return condition & Q(**{f"{column}__lt": upper}) if upper else condition


def prefix_q(column: str, prefix: str) -> Q:
    """`column` starts with `prefix`, written so that the column's B-tree index is used.

    SQLite ignores indexes for LIKE ... ESCAPE, so there we ask for the range [prefix, successor
    of prefix), the same set in its code point (BINARY) order. PostgreSQL answers LIKE 'p%' from
    the varchar_pattern_ops indexes whatever the collation.
    """
    if connection.vendor != "postgresql":
        return _range_q(column, prefix)
    return Q(**{f"{column}__startswith": prefix})


def _ordered_prefix_q(column: str, prefix: str) -> Q:
    """The prefix as a range of the name index (customer_sort), to read it in order, when the
    database sorts by code point; else as `prefix_q` (PostgreSQL then sorts the matches)."""
    return _range_q(column, prefix) if _sorts_by_code_point() else prefix_q(column, prefix)


def _unindexed_prefix_q(column: str, prefix: str) -> Q:
    """The same condition, written so no index on `column` can serve it: the plan walks the name index."""
    return Q(Exact(Substr(column, 1, len(prefix)), Value(prefix)))


# A branch: (column, prefix) conditions that all hold.
Branch = tuple[tuple[str, str], ...]


def search_branches(query: str) -> list[Branch]:
    """What the console's search box means: a name, an email or phone digits, each by prefix."""
    query = " ".join(query.lower().split())
    if not query:
        return []
    if "@" in query:
        return [(("search_email", query),)]
    digits = "".join(ch for ch in query if ch.isdigit())
    if digits and len(digits) >= 3 and all(ch.isdigit() or ch in " +-()." for ch in query):
        # People type national numbers, with or without the leading trunk zero.
        branches = [(("search_phone", digits),)]
        if digits.startswith("0") and len(digits.lstrip("0")) >= 3:
            branches.append((("search_phone", digits.lstrip("0")),))
        return branches
    words = query.split(" ")
    if len(words) == 1:
        word = words[0]
        return [(("search_last_name", word),), (("search_first_name", word),), (("search_email", word),)]
    first, rest = words[0], " ".join(words[1:])
    # "ana pop" is Ana Pop, and people also type "pop ana".
    return [
        (("search_last_name", rest), ("search_first_name", first)),
        (("search_last_name", first), ("search_first_name", rest)),
    ]


def _driving(branch: Branch) -> int:
    """The position of the condition whose index reads a branch: the longest prefix, likely the
    fewest rows ("ana mart" reads the last names from "mart", not the first names from "ana").
    On a tie, the first: the last name, whose index is the list's order."""
    return max(range(len(branch)), key=lambda position: (len(branch[position][1]), -position))


def _branch_q(branch: Branch, prefix: Callable[[str, str], Q] = prefix_q) -> Q:
    """The branch as one condition. Only its driving prefix is written for an index: SQLite, which
    keeps no statistics, would otherwise pick either prefix's index, and a range of every last name
    starting with "m" costs a hundred times that of the first names starting with "tiago"."""
    driving = _driving(branch) if branch else None
    condition = Q()
    for position, (column, text) in enumerate(branch):
        condition &= (prefix if position == driving else _unindexed_prefix_q)(column, text)
    return condition


def search_condition(query: str) -> Q | None:
    """The search box's condition as one Q (for querysets that need it whole)."""
    condition = None
    for branch in search_branches(query):
        condition = _branch_q(branch) if condition is None else condition | _branch_q(branch)
    return condition


def _visible(actor: Actor, status: str | None) -> QuerySet:
    queryset = visible_customers(actor)
    return queryset.filter(status=status) if status else queryset


def _probes_row_by_row() -> bool:
    return connection.vendor == "postgresql"


def _sort_order(queryset: QuerySet) -> tuple[str, ...]:
    """The columns that place a row of `queryset` (customers or assignments) in SORT_ORDER."""
    return ASSIGNMENT_SORT_ORDER if queryset.model is CustomerAssignment else SORT_ORDER


def _customer_id(queryset: QuerySet) -> str:
    return "customer_id" if queryset.model is CustomerAssignment else "pk"


@dataclass
class _SearchSource:
    # Querysets whose union is the visible rows (customers, or assignments standing for them).
    parts: list[QuerySet]
    # Where a branch's candidates are counted, to choose how to read it.
    candidates: QuerySet
    # Whether every candidate is visible, so counted candidates are matches.
    sees_every_candidate: bool
    # How many candidates a branch may have and still be read whole (_sparse_limit).
    sparse_limit: int


def _search_source(actor: Actor, status: str | None) -> _SearchSource:
    """Where a search reads.

    An associate who sees only their own customers (associate mode) searches their assignments,
    which carry the customers' search columns in indexes that start with the associate: each
    branch is a range of their own rows, and every candidate is visible. Anyone else searches the
    customers' indexes and tests visibility row by row. A status filter is on the customer, so it
    searches the customers too.
    """
    assignments = customer_assignments_seen(actor)
    if assignments is not None and not status:
        return _SearchSource([assignments], assignments, True, SPARSE_LIMIT)
    return _SearchSource(_visible_parts(actor, status), Customer.objects.all(),
                         customer_filter(actor) is None and not status, _sparse_limit(actor))


def _visible_parts(actor: Actor, status: str | None) -> list[QuerySet]:
    """The customers the actor sees, as querysets whose union they are, for the paged reads below.

    On PostgreSQL, written with access.customer_probe_filter: there `visible_customers` would
    hash every customer assigned to the associate before the first row of a page. SQLite already
    tests its EXISTS row by row, the store first (it is in the indexes).
    """
    condition = customer_probe_filter(actor)
    if condition is None or not _probes_row_by_row():
        return [_visible(actor, status)]
    base = Customer.objects.filter(status=status) if status else Customer.objects.all()
    return [base.filter(condition)]


def _keys_of_parts(parts: list[QuerySet], condition: Q, limit: int | None, ordered: bool = True) -> list[list[tuple]]:
    """The sort keys of the rows of each part that meet `condition`, in the list's order, up to `limit` each."""
    return [
        _keys(part.filter(condition).order_by(*_sort_order(part)) if ordered else part.filter(condition).order_by(),
              limit)
        for part in parts
    ]


def customer_list(actor: Actor, query: str = "", status: str | None = None) -> QuerySet:
    """Every customer the actor sees that matches, sorted; `customer_page` reads one page faster."""
    queryset = _visible(actor, status)
    condition = search_condition(query)
    if condition is not None:
        queryset = queryset.filter(condition)
    return queryset.select_related("store").order_by(*SORT_ORDER)


@dataclass
class CustomerPage:
    items: list[Customer]
    # Exact when `count_is_exact`; otherwise COUNT_LIMIT + 1, meaning "more than COUNT_LIMIT".
    count: int
    count_is_exact: bool


def _ids(queryset: QuerySet, limit: int | None = None) -> list[int]:
    """The customer ids of the rows (customers, or assignments)."""
    ids = queryset.values_list(_customer_id(queryset), flat=True)
    return list(ids[:limit] if limit is not None else ids)


def _keys(queryset: QuerySet, limit: int | None = None) -> list[tuple]:
    """(last name, first name, customer id) of each row: its place in SORT_ORDER."""
    keys = queryset.values_list(*_sort_order(queryset))
    return list(keys[:limit] if limit is not None else keys)


def _sparse_limit(actor: Actor) -> int:
    """How many candidates a branch may have and still be read whole.

    Reading a branch whole costs a visibility probe per candidate; walking the name index costs
    a step per customer until a page of visible matches is found. An associate in associate
    mode sees a small share of the customers, so needs much longer walks and reads more
    branches whole.
    """
    return SPARSE_LIMIT if customer_filter(actor) is None or actor.sees_whole_store else 3 * SPARSE_LIMIT


def _count_matches(parts: list[QuerySet], partial: list[Branch], known: set[int]) -> int:
    """The visible matches, counted up to COUNT_LIMIT + 1 ("more than COUNT_LIMIT"), given `known`,
    every visible match of the branches read whole, and the branches that were not (`partial`).

    Branch by branch, each through its own index: one OR of them is answered with a bitmap or a
    hash join over every candidate, where a branch alone stops at the limit. A last-name prefix
    is read as a range of the name index, which carries what the visibility test needs: on
    PostgreSQL its pattern index would fetch every candidate's row from the table.
    """
    seen = set(known)
    for branch in partial:
        on_last_name = branch[_driving(branch)][0] == "search_last_name"
        condition = _branch_q(branch, _ordered_prefix_q if on_last_name else prefix_q)
        for part in parts:
            if len(seen) > COUNT_LIMIT:
                return len(seen)
            seen.update(_ids(part.filter(condition).order_by(), COUNT_LIMIT + 1))
    return len(seen)


@dataclass
class _SearchRead:
    # The sort keys of a superset of the first `wanted` visible matches.
    keys: list[tuple]
    # Every visible match of the branches read to their end.
    known: set[int]
    # The branches that were not.
    partial: list[Branch]
    # The most candidates a branch counted (up to the sparse limit + 1).
    most_candidates: int
    # Whether a branch read whole holds more than COUNT_LIMIT visible matches.
    overflows: bool = False




def _capped_counts(querysets: list[QuerySet], limit: int) -> list[int]:
    """How many rows each queryset has, counting no further than `limit` (no ORDER BY: the database
    picks the cheapest plan), in one round trip: scalar subqueries of one SELECT."""
    if not querysets:
        return []
    selects, params = [], []
    for queryset in querysets:
        sql, query_params = queryset.order_by().values("pk")[:limit].query.sql_with_params()
        # The compiled SQL of a queryset, its values still parameters.
        selects.append(f"(SELECT COUNT(*) FROM ({sql}) capped)")  # noqa: S608
        params.extend(query_params)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(selects), params)
        return list(cursor.fetchone())


def _keys_together(querysets: list[QuerySet]) -> list[list[tuple]]:
    """`_keys` of each (sliced) queryset, in one round trip: a UNION ALL of them, each tagged by its place.

    Each keeps its own ORDER BY and LIMIT inside its subquery, so each is planned as if alone.
    """
    if len(querysets) <= 1:
        return [list(queryset.values_list(*_sort_order(queryset))) for queryset in querysets]
    selects, params = [], []
    for position, queryset in enumerate(querysets):
        sql, query_params = queryset.values_list(*_sort_order(queryset)).query.sql_with_params()
        selects.append(f"SELECT {position}, keys_{position}.* FROM ({sql}) keys_{position}")  # noqa: S608
        params.extend(query_params)
    found: list[list[tuple]] = [[] for _ in querysets]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(selects), params)
        for position, *key in cursor.fetchall():
            found[position].append(tuple(key))
    return found


def _search_page_keys(source: _SearchSource, branches: list[Branch], wanted: int) -> _SearchRead:
    """Read the branches for the first `wanted` visible matches, each in the cheapest way.

    A branch on a last-name prefix is a range of the name index, which is the list's order: read
    in order, it stops after `wanted` or COUNT_LIMIT + 1 visible matches, whichever is more, and
    when it returns fewer it has been read to its end. When its other prefix is the longer one
    ("ana m"), that prefix's index counts the candidates first and a few are read whole. Any
    other branch is counted in its own index: a sparse one is read whole; the dense ones are
    walked together down the name index, and once a walk is needed the sparse ones join it too,
    because reading them whole costs a visibility test per candidate where the walk stops at the
    page.

    Two round trips whatever the number of branches: one counts the candidates of every branch
    that needs it, one makes every read (on PostgreSQL a round trip costs more than most reads).
    """
    parts, sparse_limit = source.parts, source.sparse_limit
    read = _SearchRead(keys=[], known=set(), partial=[], most_candidates=0)
    on_last_name = [branch[0][0] == "search_last_name" for branch in branches]
    counted = [position for position, branch in enumerate(branches)
               if not on_last_name[position] or _driving(branch) != 0]
    # Counted in the index of each one's longest prefix, without reading the table.
    counts = dict(zip(counted, _capped_counts(
        [source.candidates.filter(_branch_q(branches[position])) for position in counted], sparse_limit + 1
    ), strict=True))
    read.most_candidates = max(counts.values(), default=0)
    in_order: list[Branch] = []
    sparse_on_last_name: list[Branch] = []
    sparse: list[Branch] = []
    walked: list[Branch] = []
    for position, branch in enumerate(branches):
        if position in counts:
            if counts[position] <= sparse_limit:
                (sparse_on_last_name if on_last_name[position] else sparse).append(branch)
                continue
            if not on_last_name[position]:
                walked.append(branch)
                continue
        in_order.append(branch)
    if walked:
        walked += sparse
        sparse = []
    sparse = sparse_on_last_name + sparse
    enough = max(wanted, COUNT_LIMIT + 1)

    # The branches read in order and the sparse ones are read as far as both the page and the
    # count need: past COUNT_LIMIT matches the count is "more" whatever the other branches hold,
    # and short of it the branch has been read to its end, so no count reads it again.
    querysets: list[QuerySet] = []
    for branch in in_order:
        condition = _ordered_prefix_q(*branch[0]) & _branch_q(branch[1:], _unindexed_prefix_q)
        querysets += [part.filter(condition).order_by(*_sort_order(part))[:enough] for part in parts]
    for branch in sparse:
        querysets += [part.filter(_branch_q(branch)).order_by(*_sort_order(part))[:enough] for part in parts]
    if walked:
        # One walk down the name index finds the first page of all these branches at once.
        condition = Q()
        for branch in walked:
            condition |= _branch_q(branch, _unindexed_prefix_q)
        querysets += [part.filter(condition).order_by(*_sort_order(part))[:wanted] for part in parts]
    found = iter(_keys_together(querysets))

    for _ in in_order + sparse:
        for _part in parts:
            keys = next(found)
            read.keys += keys
            if len(keys) < enough:
                read.known.update(key[-1] for key in keys)
            else:
                read.overflows = True
    if walked:
        read.partial += walked
        for _part in parts:
            read.keys += next(found)
    return read


def _page_ids(keys: list[tuple], offset: int, wanted: int) -> list[int]:
    """The ids of the page [offset, wanted) among the rows whose sort keys are `keys` (repeats allowed)."""
    if _sorts_by_code_point():
        # Python orders str by code point too.
        return [key[-1] for key in sorted(set(keys))[offset:wanted]]
    # Sorted by the database, in its own collation, like any other list.
    candidate_ids = {key[-1] for key in keys}
    return _ids(Customer.objects.filter(pk__in=candidate_ids).order_by(*SORT_ORDER)[offset:wanted])


def _list_page(visible: QuerySet, limit: int, offset: int,
               prepare: Callable[[QuerySet], QuerySet] | None) -> CustomerPage:
    """A page of the list without a search, and its count, in one query: the capped count rides
    along as an uncorrelated subquery (computed once), the rows are read straight down the name index."""
    # Counted in id order, which mixes stores and associates evenly: in the order of an index on
    # the store, an associate of the second store would first step over the whole first one.
    counted = visible.order_by("pk").values("pk")[: COUNT_LIMIT + 1]
    return _counted_page(visible.order_by(*SORT_ORDER), counted, limit, offset, offset, prepare)


def _assigned_list_page(assignments: QuerySet, limit: int, offset: int,
                        prepare: Callable[[QuerySet], QuerySet] | None) -> CustomerPage:
    """`_list_page` for an associate who sees only their assignments: the page is a range of their
    own rows in the list's order (their index), its customers read by id, in one query too."""
    page = assignments.order_by(*ASSIGNMENT_SORT_ORDER).values("customer_id")[offset : offset + limit]
    counted = assignments.order_by().values("pk")[: COUNT_LIMIT + 1]
    return _counted_page(Customer.objects.filter(pk__in=page).order_by(*SORT_ORDER), counted, limit, offset, 0,
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
    exact = count <= COUNT_LIMIT
    return CustomerPage(items=items, count=count if exact else COUNT_LIMIT + 1, count_is_exact=exact)


def customer_page(actor: Actor, query: str = "", status: str | None = None, *, limit: int, offset: int = 0,
                  prepare: Callable[[QuerySet], QuerySet] | None = None) -> CustomerPage:
    """One page of `customer_list(actor, query, status)` and how many there are, up to COUNT_LIMIT.

    `prepare` adds what the caller's representation needs (select_related, prefetch_related)
    to the query that loads the page's customers.
    """
    wanted = offset + limit
    branches = search_branches(query)
    read = None
    if not branches:
        assignments = None if status else customer_assignments_seen(actor)
        if assignments is not None:
            return _assigned_list_page(assignments, limit, offset, prepare)
        parts = _visible_parts(actor, status)
        if len(parts) == 1:
            return _list_page(parts[0], limit, offset, prepare)
        page_ids = _page_ids([key for keys in _keys_of_parts(parts, Q(), wanted) for key in keys], offset, wanted)
        sees_every_candidate = False
    else:
        source = _search_source(actor, status)
        parts, sees_every_candidate = source.parts, source.sees_every_candidate
        read = _search_page_keys(source, branches, wanted)
        page_ids = _page_ids(read.keys, offset, wanted)
    if page_ids and len(page_ids) < limit:
        # The last page: everything before it plus what it holds.
        count, exact = offset + len(page_ids), True
    elif read is not None and read.overflows:
        count, exact = COUNT_LIMIT + 1, False
    elif read is not None and not read.partial:
        # Every branch was read to its end.
        count = len(read.known)
        exact = count <= COUNT_LIMIT
    elif read is not None and sees_every_candidate and read.most_candidates > COUNT_LIMIT:
        # A branch has more candidates than that, all of them visible.
        count, exact = COUNT_LIMIT + 1, False
    elif read is not None:
        count = _count_matches(parts, read.partial, read.known)
        exact = count <= COUNT_LIMIT
    else:
        seen: set[int] = set()
        for part in parts:
            if len(seen) > COUNT_LIMIT:
                break
            seen.update(_ids(part.order_by("pk"), COUNT_LIMIT + 1))
        count = len(seen)
        exact = count <= COUNT_LIMIT
    if not exact:
        count = COUNT_LIMIT + 1
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
