"""The database a bench smoke test runs on: the one this pass of the suite runs on.

`dev.py check` runs the suite on SQLite, then again on PostgreSQL when DATABASE_URL names it, so each
pass runs every bench once, on its own database, and no bench is run twice for the same database.
"""

import os
from urllib.parse import urlsplit, urlunsplit


def _postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


DATABASE = "postgres" if _postgres_url() else "sqlite"


def database_arguments(name: str) -> list[str]:
    """The bench's --database, and on PostgreSQL a database of its own (`name`) on the suite's server."""
    url = _postgres_url()
    if url is None:
        return ["--database", "sqlite"]
    return ["--database", "postgres", "--postgres-url",
            urlunsplit(urlsplit(url)._replace(path=f"/{name}_{os.getpid()}"))]


def bench_environment() -> dict:
    """The environment without DATABASE_URL: the bench picks and creates its databases itself."""
    return {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
