"""SQLite under ASGI: the connection each request's thread closes is kept for the next (shopfloor/sqlite)."""

import os
import sqlite3

import pytest
from django.db import connection, connections
from django.db.backends.sqlite3 import base as django_sqlite

from shopfloor.accounts.models import Store
from shopfloor.sqlite import base as pooled
from tests.api.test_connection_pool import answer_requests

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="the pool is SQLite's")


@pytest.fixture
def opened(monkeypatch):
    """How many SQLite connections were really opened."""
    count = []
    real = django_sqlite.DatabaseWrapper.get_new_connection

    def counting(self, conn_params):
        count.append(conn_params["database"])
        return real(self, conn_params)

    monkeypatch.setattr(django_sqlite.DatabaseWrapper, "get_new_connection", counting)
    return count


def test_asgi_requests_reuse_the_connections_earlier_requests_closed(transactional_db, opened):
    statuses = []
    answer_requests(40, statuses)
    assert statuses == [200] * 40
    # Each request runs on a new thread; without the pool that was 40 connections opened.
    assert len(opened) <= 2


def test_a_connection_closed_in_the_middle_of_a_transaction_comes_back_rolled_back(transactional_db):
    connection.ensure_connection()
    raw = connection.connection
    connection.set_autocommit(False)
    Store.objects.create(code="half", name="Half written")
    assert raw.in_transaction
    connection.close()  # as a request's thread ends, whatever it left
    connection.ensure_connection()
    assert connection.connection is raw  # the parked connection, taken again
    assert not raw.in_transaction
    assert not Store.objects.filter(code="half").exists()


def test_a_pooled_connection_to_a_replaced_file_is_not_reused(tmp_path, django_db_blocker):
    path = str(tmp_path / "replaced.sqlite3")
    wrapper = pooled.DatabaseWrapper({**connections["default"].settings_dict, "NAME": path}, alias="replaced")
    with django_db_blocker.unblock():
        wrapper.ensure_connection()
        first = wrapper.connection
        wrapper.close()
        os.remove(path)
        sqlite3.connect(path).close()  # a new file at the same place
        wrapper.ensure_connection()
        assert wrapper.connection is not first
        wrapper.close()
