"""Django's SQLite backend, with the connections it closes kept for the next thread (ENGINE "shopfloor.sqlite").

Django's ASGI handler runs every HTTP request's code on a new thread, and a Django connection belongs
to its thread, so each request opened a SQLite connection (the schema read again, the PRAGMAs, a cold
page cache) and closed it at the end: about a fifth of the server's CPU on an order
(bench/settlement.py --http). CONN_MAX_AGE cannot help when the thread itself is new. Here a connection
Django closes is rolled back and parked in a small per-process pool of its database file, and the next
connection to that file takes it instead of opening one. SQLite connections may move between threads
(Django opens them with check_same_thread=False); the pool hands each to one thread at a time.

In-memory databases are never pooled (Django never closes them). A parked connection whose file has been
replaced since (a test database created again) is closed instead of reused.
"""

import functools
import os
import queue

from django.db.backends.sqlite3 import base

# Idle connections kept per database file; one more than this is closed instead.
POOL_SIZE = 8

# {database file: LifoQueue of (connection, the file's identity when it was opened)}
_idle: dict[str, queue.LifoQueue] = {}


def _identity(path: str):
    try:
        status = os.stat(path)
    except OSError:
        return None
    return (status.st_dev, status.st_ino)


def _pool(path: str) -> queue.LifoQueue:
    pool = _idle.get(path)
    if pool is None:
        pool = _idle.setdefault(path, queue.LifoQueue(maxsize=POOL_SIZE))
    return pool


# Statements shorter than this have their placeholders' conversion remembered (longer ones are bulk
# writes, each of a size of its own).
CONVERTED_MAX_LENGTH = 8192


@functools.lru_cache(maxsize=1024)
def _qmark(query: str) -> str:
    return base.FORMAT_QMARK_REGEX.sub("?", query).replace("%%", "%")


class SQLiteCursorWrapper(base.SQLiteCursorWrapper):
    """Django's cursor, remembering each statement's placeholders turned from %s into ?.

    Django converts them with a regular expression on every execution: on an order's intake that
    cost more than SQLite's own work for most statements (bench/settlement.py --http).
    """

    def convert_query(self, query, *, param_names=None):
        if param_names is None and len(query) < CONVERTED_MAX_LENGTH:
            return _qmark(query)
        return super().convert_query(query, param_names=param_names)


class DatabaseWrapper(base.DatabaseWrapper):
    def create_cursor(self, name=None):
        return self.connection.cursor(factory=SQLiteCursorWrapper)

    def get_new_connection(self, conn_params):
        path = conn_params["database"]
        if self.is_in_memory_db():
            return super().get_new_connection(conn_params)
        identity = _identity(path)
        pool = _pool(path)
        while True:
            try:
                connection, opened_on = pool.get_nowait()
            except queue.Empty:
                break
            if opened_on == identity:
                self._pooled_identity = opened_on
                return connection
            connection.close()  # the file was replaced: this connection reads the old one
        connection = super().get_new_connection(conn_params)
        self._pooled_identity = _identity(path)
        return connection

    def _close(self):
        connection = self.connection
        if connection is None or self.is_in_memory_db() or self.in_atomic_block:
            # Closed inside atomic(), the wrapper keeps its connection until the block ends: never lend it.
            return super()._close()
        with self.wrap_database_errors:
            if connection.in_transaction:
                # Whatever the thread left unfinished is undone before another thread gets the connection.
                connection.rollback()
            try:
                _pool(self.settings_dict["NAME"]).put_nowait((connection, getattr(self, "_pooled_identity", None)))
            except queue.Full:
                connection.close()
