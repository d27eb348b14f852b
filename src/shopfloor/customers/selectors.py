"""Reads of customers as a user makes them, with visibility applied by the access policy.

The console's search box and the API's customer list answer in a bounded number of index reads
whatever the number of customers (bench/customer_search.py measures it at 1,000,000). A search
is an OR of *branches*, each a prefix condition or two on the lower-cased search columns
(`search_branches`). The first page of an OR, sorted by name, is the first page of the union of
each branch's first page, so each branch is read with the plan that suits it:

* a *sparse* branch (at most SPARSE_LIMIT customers match, counted in its own index) is read
  whole through that index;
* a *dense* branch is read in name order and stops after offset + limit visible matches: a
  last-name prefix is one range of the name index; any other prefix is spread evenly over the
  alphabet of last names, so walking the name index finds a page quickly.

The plan is chosen here rather than by the database because SQLite keeps no statistics and
PostgreSQL's estimates for an OR of prefixes under ORDER BY ... LIMIT are a gamble. Counting
every match of "ma" among a million customers costs more than the page itself, so a count is
exact up to COUNT_LIMIT and otherwise COUNT_LIMIT + 1, read "more than COUNT_LIMIT".
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Substr
from django.db.models.lookups import Exact

from shopfloor.access import Actor, customer_filter, visible_customers
from shopfloor.customers.models import Customer

# Prefix search over these indexed, lower-cased columns.
NAME_COLUMNS = ("search_first_name", "search_last_name")
# How every customer list is sorted: by name, case-insensitively, then by id so pages are stable.
SORT_ORDER = ("search_last_name", "search_first_name", "id")
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


def _branch_q(branch: Branch, prefix: Callable[[str, str], Q] = prefix_q) -> Q:
    condition = Q()
    for column, text in branch:
        condition &= prefix(column, text)
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


def _capped_count(queryset: QuerySet, limit: int) -> int:
    """How many rows, counting no further than `limit` (no ORDER BY: the database picks the cheapest plan)."""
    return queryset.order_by()[:limit].count()


def _ids(queryset: QuerySet, limit: int | None = None) -> list[int]:
    ids = queryset.values_list("pk", flat=True)
    return list(ids[:limit] if limit is not None else ids)


def _keys(queryset: QuerySet, limit: int | None = None) -> list[tuple]:
    """(last name, first name, id) of each row: its place in SORT_ORDER."""
    keys = queryset.values_list(*SORT_ORDER)
    return list(keys[:limit] if limit is not None else keys)


def _sparse_limit(actor: Actor) -> int:
    """How many candidates a branch may have and still be read whole.

    Reading a branch whole costs a visibility probe per candidate; walking the name index costs
    a step per customer until a page of visible matches is found. An associate in associate
    mode sees a small share of the customers, so needs much longer walks and reads more
    branches whole.
    """
    return SPARSE_LIMIT if customer_filter(actor) is None or actor.sees_whole_store else 3 * SPARSE_LIMIT


def _count_matches(visible: QuerySet, branches: list[Branch]) -> int:
    """The visible matches, counted up to COUNT_LIMIT + 1 ("more than COUNT_LIMIT").

    Branch by branch, each through its own index: one OR of them is answered with a bitmap or a
    hash join over every candidate, where a branch alone stops at the limit.
    """
    seen: set[int] = set()
    for branch in branches:
        seen.update(_ids(visible.filter(_branch_q(branch)).order_by(), COUNT_LIMIT + 1))
        if len(seen) > COUNT_LIMIT:
            break
    return len(seen)


def _search_page_keys(visible: QuerySet, branches: list[Branch], wanted: int,
                      sparse_limit: int) -> tuple[list[tuple], bool, int]:
    """The sort keys of a superset of the first `wanted` visible matches, whether they are all of
    them, and the most candidates a branch has (counted up to `sparse_limit` + 1)."""
    keys: list[tuple] = []
    complete = True
    walked: list[Branch] = []
    most_candidates = 0
    for branch in branches:
        # Counted in the branch's own index, without reading the table.
        candidates = _capped_count(Customer.objects.filter(_branch_q(branch)), sparse_limit + 1)
        most_candidates = max(most_candidates, candidates)
        if candidates <= sparse_limit:
            keys += _keys(visible.filter(_branch_q(branch)).order_by())
            continue
        complete = False
        if branch[0][0] == "search_last_name":
            # One range of the name index, read in order.
            condition = _ordered_prefix_q(*branch[0]) & _branch_q(branch[1:])
            keys += _keys(visible.filter(condition).order_by(*SORT_ORDER), wanted)
        else:
            walked.append(branch)
    if walked:
        # One walk down the name index finds the first page of all these branches at once.
        condition = Q()
        for branch in walked:
            condition |= _branch_q(branch, _unindexed_prefix_q)
        keys += _keys(visible.filter(condition).order_by(*SORT_ORDER), wanted)
    return keys, complete, most_candidates


def customer_page(actor: Actor, query: str = "", status: str | None = None, *, limit: int, offset: int = 0,
                  prepare: Callable[[QuerySet], QuerySet] | None = None) -> CustomerPage:
    """One page of `customer_list(actor, query, status)` and how many there are, up to COUNT_LIMIT.

    `prepare` adds what the caller's representation needs (select_related, prefetch_related)
    to the query that loads the page's customers.
    """
    visible = _visible(actor, status)
    # Admins without a status filter see every candidate, so candidates count as matches.
    sees_every_candidate = customer_filter(actor) is None and not status
    wanted = offset + limit
    branches = search_branches(query)
    everything_read = False
    most_candidates = 0
    if not branches:
        page_ids = _ids(visible.order_by(*SORT_ORDER)[offset:wanted])
    else:
        keys, everything_read, most_candidates = _search_page_keys(
            visible, branches, wanted, _sparse_limit(actor)
        )
        candidate_ids = {key[-1] for key in keys}
        if _sorts_by_code_point():
            # Python orders str by code point too.
            page_ids = [key[-1] for key in sorted(set(keys))[offset:wanted]]
        else:
            # Sorted by the database, in its own collation, like any other list.
            page_ids = _ids(Customer.objects.filter(pk__in=candidate_ids).order_by(*SORT_ORDER)[offset:wanted])
    if page_ids and len(page_ids) < limit:
        # The last page: everything before it plus what it holds.
        count, exact = offset + len(page_ids), True
    elif everything_read:
        count = len(candidate_ids)
        exact = count <= COUNT_LIMIT
    elif sees_every_candidate and most_candidates > COUNT_LIMIT:
        # A branch has more candidates than that, all of them visible.
        count, exact = COUNT_LIMIT + 1, False
    elif branches:
        count = _count_matches(visible, branches)
        exact = count <= COUNT_LIMIT
    else:
        # In id order, which mixes stores and associates evenly: in the order of an index on the
        # store, an associate of the second store would first step over the whole first one.
        count = visible.order_by("pk")[: COUNT_LIMIT + 1].count()
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


def customers_with_details(queryset: QuerySet) -> QuerySet:
    """What the API's customer representation needs, in a fixed number of queries."""
    return queryset.prefetch_related("rep_codes", "assignments")


def customer_by_external_id(external_id: str) -> Customer | None:
    return Customer.objects.filter(external_id=external_id).first()
