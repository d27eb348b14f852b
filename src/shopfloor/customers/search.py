"""What a search box's query means (`search_branches`) and the plans that read it from the indexes.

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

from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Substr
from django.db.models.lookups import Exact

from shopfloor.access import Actor, customer_assignments_seen, customer_filter
from shopfloor.customers import listing
from shopfloor.customers.models import Customer

# Prefix search over these indexed, lower-cased columns.
NAME_COLUMNS = ("search_first_name", "search_last_name")

# A search branch with at most this many candidates is read whole through its own index.
SPARSE_LIMIT = 2000


def _successor(prefix: str) -> str | None:
    """The smallest string greater than every string that starts with `prefix` (code point order)."""
    last = ord(prefix[-1])
    if last >= 0x10FFFF:
        return None
    return prefix[:-1] + chr(last + 1)


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
    return _range_q(column, prefix) if listing.sorts_by_code_point() else prefix_q(column, prefix)


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


@dataclass
class SearchSource:
    # Querysets whose union is the visible rows (customers, or assignments standing for them).
    parts: list[QuerySet]
    # Where a branch's candidates are counted, to choose how to read it.
    candidates: QuerySet
    # Whether every candidate is visible, so counted candidates are matches.
    sees_every_candidate: bool
    # How many candidates a branch may have and still be read whole (_sparse_limit).
    sparse_limit: int


def source_for(actor: Actor, status: str | None) -> SearchSource:
    """Where a search reads.

    An associate who sees only their own customers (associate mode) searches their assignments,
    which carry the customers' search columns in indexes that start with the associate: each
    branch is a range of their own rows, and every candidate is visible. Anyone else searches the
    customers' indexes and tests visibility row by row. A status filter is on the customer, so it
    searches the customers too.
    """
    assignments = customer_assignments_seen(actor)
    if assignments is not None and not status:
        return SearchSource([assignments], assignments, True, SPARSE_LIMIT)
    return SearchSource(listing.visible_parts(actor, status), Customer.objects.all(),
                         customer_filter(actor) is None and not status, _sparse_limit(actor))


def _sparse_limit(actor: Actor) -> int:
    """How many candidates a branch may have and still be read whole.

    Reading a branch whole costs a visibility probe per candidate; walking the name index costs
    a step per customer until a page of visible matches is found. An associate in associate
    mode sees a small share of the customers, so needs much longer walks and reads more
    branches whole.
    """
    return SPARSE_LIMIT if customer_filter(actor) is None or actor.sees_whole_store else 3 * SPARSE_LIMIT


def count_matches(parts: list[QuerySet], partial: list[Branch], known: set[int]) -> int:
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
            if len(seen) > listing.COUNT_LIMIT:
                return len(seen)
            seen.update(listing.customer_ids(part.filter(condition).order_by(), listing.COUNT_LIMIT + 1))
    return len(seen)


@dataclass
class SearchRead:
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
        return [list(queryset.values_list(*listing.sort_order(queryset))) for queryset in querysets]
    selects, params = [], []
    for position, queryset in enumerate(querysets):
        sql, query_params = queryset.values_list(*listing.sort_order(queryset)).query.sql_with_params()
        selects.append(f"SELECT {position}, keys_{position}.* FROM ({sql}) keys_{position}")  # noqa: S608
        params.extend(query_params)
    found: list[list[tuple]] = [[] for _ in querysets]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(selects), params)
        for position, *key in cursor.fetchall():
            found[position].append(tuple(key))
    return found


def page_keys(source: SearchSource, branches: list[Branch], wanted: int) -> SearchRead:
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
    read = SearchRead(keys=[], known=set(), partial=[], most_candidates=0)
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
    enough = max(wanted, listing.COUNT_LIMIT + 1)

    # The branches read in order and the sparse ones are read as far as both the page and the
    # count need: past COUNT_LIMIT matches the count is "more" whatever the other branches hold,
    # and short of it the branch has been read to its end, so no count reads it again.
    querysets: list[QuerySet] = []
    for branch in in_order:
        condition = _ordered_prefix_q(*branch[0]) & _branch_q(branch[1:], _unindexed_prefix_q)
        querysets += [part.filter(condition).order_by(*listing.sort_order(part))[:enough] for part in parts]
    for branch in sparse:
        querysets += [part.filter(_branch_q(branch)).order_by(*listing.sort_order(part))[:enough] for part in parts]
    if walked:
        # One walk down the name index finds the first page of all these branches at once.
        condition = Q()
        for branch in walked:
            condition |= _branch_q(branch, _unindexed_prefix_q)
        querysets += [part.filter(condition).order_by(*listing.sort_order(part))[:wanted] for part in parts]
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
