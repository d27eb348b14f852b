"""A database check: the triggers that keep the assignments' search keys are all in place.

Each customer assignment carries a copy of its customer's search keys (CustomerAssignment says why),
written by database triggers (migration 0005) whoever writes either row. A migration that rebuilds
one of those tables on SQLite drops its triggers silently, and searches would then miss customers;
this check makes that an error. `shopfloor serve` runs it after migrating, and so does the test suite.
"""

from django.core import checks
from django.db import connections

SQLITE_TRIGGERS = frozenset({
    "assignment_search_keys_insert", "assignment_search_keys_update",
    "customer_search_keys_insert", "customer_search_keys_update",
})
POSTGRESQL_TRIGGERS = frozenset({
    "assignment_search_keys", "customer_search_keys_insert", "customer_search_keys_update",
})


def missing_search_key_triggers(connection) -> list[str]:
    """The search-key triggers that `connection`'s database lacks."""
    if connection.vendor == "sqlite":
        expected, query = SQLITE_TRIGGERS, "SELECT name FROM sqlite_master WHERE type = 'trigger'"
    elif connection.vendor == "postgresql":
        expected, query = POSTGRESQL_TRIGGERS, "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
    else:
        return ["(search-key triggers exist only for SQLite and PostgreSQL)"]
    with connection.cursor() as cursor:
        cursor.execute(query)
        found = {name for (name,) in cursor.fetchall()}
    return sorted(expected - found)


@checks.register(checks.Tags.database)
def check_search_key_triggers(app_configs=None, databases=None, **kwargs):
    errors = []
    for alias in databases or ():
        connection = connections[alias]
        if not _migrated(connection):
            continue
        missing = missing_search_key_triggers(connection)
        if missing:
            errors.append(checks.Error(
                f"The database lacks the triggers that keep customer assignments' search keys: {', '.join(missing)}.",
                hint="Run the migrations again from customers 0005, or recreate the triggers "
                     "(shopfloor.customers.migrations.0005_assignment_search_keys.create_triggers).",
                id="shopfloor.customers.E001",
            ))
    return errors


def _migrated(connection) -> bool:
    """Whether the customers tables exist yet (before the first migrate there is nothing to check)."""
    from shopfloor.customers.models import CustomerAssignment

    return CustomerAssignment._meta.db_table in connection.introspection.table_names()
