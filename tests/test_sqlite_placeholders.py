"""SQLite: each statement's %s placeholders are turned into ? once and remembered (shopfloor/sqlite/base.py)."""

import pytest
from django.db import connection

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's cursor")


def test_a_statement_run_again_reuses_its_converted_placeholders(db):
    from shopfloor.sqlite.base import _qmark

    sql = "SELECT %s || '%%s', %s + 1, 'a %% b'"
    with connection.cursor() as cursor:
        cursor.execute(sql, ["x", 41])
        first = cursor.fetchone()
        hits = _qmark.cache_info().hits
        cursor.execute(sql, ["y", 1])
        second = cursor.fetchone()
    assert first == ("x%s", 42, "a % b")
    assert second == ("y%s", 2, "a % b")
    assert _qmark.cache_info().hits == hits + 1


def test_named_parameters_long_statements_and_executemany_still_work(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT %(a)s, %(b)s", {"a": 1, "b": "two"})
        assert cursor.fetchone() == (1, "two")
        long_sql = "SELECT COUNT(*) WHERE 3 IN (" + ", ".join(["%s"] * 3000) + ")"  # longer than what is remembered
        cursor.execute(long_sql, list(range(3000)))
        assert cursor.fetchone() == (1,)
        cursor.execute("CREATE TEMP TABLE placeholders_probe (value text)")
        cursor.executemany("INSERT INTO placeholders_probe (value) VALUES (%s)", [["a%"], ["b"]])
        cursor.execute("SELECT value FROM placeholders_probe WHERE value LIKE %s ORDER BY value", ["%"])
        assert cursor.fetchall() == [("a%",), ("b",)]
