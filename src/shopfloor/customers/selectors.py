"""Reads of customers as a user makes them, with visibility applied by the access policy."""

from django.db import connection
from django.db.models import Q, QuerySet

from shopfloor.access import Actor, visible_customers
from shopfloor.customers.models import Customer

# Prefix search over these indexed, lower-cased columns.
NAME_COLUMNS = ("search_first_name", "search_last_name")


def prefix_q(column: str, prefix: str) -> Q:
    """`column` starts with `prefix`, written so that the column's B-tree index is used.

    PostgreSQL uses Django's `_like` (pattern_ops) index for LIKE 'p%'. SQLite
    ignores indexes for LIKE ... ESCAPE, so there we ask for the range
    [prefix, prefix + U+FFFF), which is the same set for lower-cased text.
    """
    if connection.vendor == "postgresql":
        return Q(**{f"{column}__startswith": prefix})
    return Q(**{f"{column}__gte": prefix, f"{column}__lt": prefix + "\uffff"})


def search_condition(query: str) -> Q | None:
    """What the console's search box means: a name, an email or phone digits, each by prefix."""
    query = " ".join(query.lower().split())
    if not query:
        return None
    if "@" in query:
        return prefix_q("search_email", query)
    digits = "".join(ch for ch in query if ch.isdigit())
    if digits and len(digits) >= 3 and all(ch.isdigit() or ch in " +-()." for ch in query):
        # People type national numbers, with or without the leading trunk zero.
        condition = prefix_q("search_phone", digits)
        if digits.startswith("0") and len(digits) > 3:
            condition |= prefix_q("search_phone", digits.lstrip("0"))
        return condition
    words = query.split(" ")
    if len(words) == 1:
        word = words[0]
        return prefix_q("search_first_name", word) | prefix_q("search_last_name", word) | prefix_q(
            "search_email", word
        )
    first, last = words[0], " ".join(words[1:])
    # "ana pop" is Ana Pop, and people also type "pop ana".
    return (prefix_q("search_first_name", first) & prefix_q("search_last_name", last)) | (
        prefix_q("search_last_name", words[0]) & prefix_q("search_first_name", " ".join(words[1:]))
    )


def customer_list(actor: Actor, query: str = "", status: str | None = None) -> QuerySet:
    queryset = visible_customers(actor)
    condition = search_condition(query)
    if condition is not None:
        queryset = queryset.filter(condition)
    if status:
        queryset = queryset.filter(status=status)
    return queryset.select_related("store").order_by("last_name", "first_name", "id")


def customers_with_details(queryset: QuerySet) -> QuerySet:
    """What the API's customer representation needs, in a fixed number of queries."""
    return queryset.prefetch_related("rep_codes", "assignments")


def customer_by_external_id(external_id: str) -> Customer | None:
    return Customer.objects.filter(external_id=external_id).first()
