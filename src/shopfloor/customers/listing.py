"""The customer list's order (SORT_ORDER), how far it is counted (COUNT_LIMIT) and the visible rows it is
read from: what the list's pages (selectors) and its search (search) share.
"""

from django.db import connection
from django.db.models import QuerySet

from shopfloor.access import Actor, customer_probe_filter, visible_customers
from shopfloor.customers.models import Customer, CustomerAssignment

# How every customer list is sorted: by name, case-insensitively, then by id so pages are stable.
SORT_ORDER = ("search_last_name", "search_first_name", "id")

# The same order read from assignments, which carry their customer's search columns (associate mode).
ASSIGNMENT_SORT_ORDER = ("search_last_name", "search_first_name", "customer_id")

# Counts up to this are exact; a larger one is answered COUNT_LIMIT + 1, "more than COUNT_LIMIT".
# Finding COUNT_LIMIT visible matches costs an associate, who sees a tenth of the customers, ten
# times as many index probes, so the limit is what one search page can afford.
COUNT_LIMIT = 200


_collation_is_bytewise: dict[str, bool] = {}


def sorts_by_code_point() -> bool:
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


def visible(actor: Actor, status: str | None) -> QuerySet:
    queryset = visible_customers(actor)
    return queryset.filter(status=status) if status else queryset


def probes_row_by_row() -> bool:
    return connection.vendor == "postgresql"


def visible_parts(actor: Actor, status: str | None) -> list[QuerySet]:
    """The customers the actor sees, as querysets whose union they are, for the paged reads below.

    On PostgreSQL, written with access.customer_probe_filter: there `visible_customers` would
    hash every customer assigned to the associate before the first row of a page. SQLite already
    tests its EXISTS row by row, the store first (it is in the indexes).
    """
    condition = customer_probe_filter(actor)
    if condition is None or not probes_row_by_row():
        return [visible(actor, status)]
    base = Customer.objects.filter(status=status) if status else Customer.objects.all()
    return [base.filter(condition)]


def sort_order(queryset: QuerySet) -> tuple[str, ...]:
    """The columns that place a row of `queryset` (customers or assignments) in SORT_ORDER."""
    return ASSIGNMENT_SORT_ORDER if queryset.model is CustomerAssignment else SORT_ORDER


def _customer_id(queryset: QuerySet) -> str:
    return "customer_id" if queryset.model is CustomerAssignment else "pk"


def customer_ids(queryset: QuerySet, limit: int | None = None) -> list[int]:
    """The customer ids of the rows (customers, or assignments)."""
    ids = queryset.values_list(_customer_id(queryset), flat=True)
    return list(ids[:limit] if limit is not None else ids)


def sort_keys(queryset: QuerySet, limit: int | None = None) -> list[tuple]:
    """(last name, first name, customer id) of each row: its place in SORT_ORDER."""
    keys = queryset.values_list(*sort_order(queryset))
    return list(keys[:limit] if limit is not None else keys)
