"""The database check that the search-key triggers exist (run by `shopfloor serve` after migrating)."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import connection

from shopfloor.customers.checks import check_search_key_triggers, missing_search_key_triggers


def test_a_migrated_database_has_every_search_key_trigger(db):
    assert missing_search_key_triggers(connection) == []
    assert check_search_key_triggers(databases=["default"]) == []
    call_command("check", databases=["default"], fail_level="ERROR")


def test_a_missing_trigger_fails_the_check_by_name(db):
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER customer_search_keys_update")
        else:
            cursor.execute("DROP TRIGGER customer_search_keys_update ON customers_customer")
    errors = check_search_key_triggers(databases=["default"])
    assert [error.id for error in errors] == ["shopfloor.customers.E001"]
    assert "customer_search_keys_update" in errors[0].msg
    with pytest.raises(SystemCheckError):
        call_command("check", databases=["default"], fail_level="ERROR")
