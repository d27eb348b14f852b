"""What the benches share: a database of their own (a SQLite file, or a PostgreSQL database made and dropped
here), bulk loads, percentiles and ratios, and their figures as JSON under bench/results/.

The benches run as scripts (`python bench/settlement.py`), so they import this module as `common`.
"""

import argparse
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
DEFAULT_DATA_DIR = Path(tempfile.gettempdir()) / "shopfloor-bench"
# Rows per COPY or executemany of a bulk load.
LOAD_CHUNK = 50_000


def add_database_arguments(parser: argparse.ArgumentParser, postgres_database: str, default: str = "sqlite",
                           both: bool = True) -> None:
    """--database (sqlite, postgres, and with `both` each in turn), --data-dir, --postgres-url (BENCH_POSTGRES_URL,
    else `postgres_database` on the local server) and --json."""
    parser.add_argument("--database", choices=("sqlite", "postgres", "both") if both else ("sqlite", "postgres"),
                        default=default)
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR,
                        help="Where the SQLite file and the settings' data dir go.")
    parser.add_argument("--postgres-url",
                        default=os.environ.get("BENCH_POSTGRES_URL",
                                               f"postgres://postgres@127.0.0.1:5432/{postgres_database}"),
                        help="The PostgreSQL database to create, fill and drop.")
    parser.add_argument("--json", type=Path, help="Write the figures here instead of bench/results/.")


# Databases -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BenchDatabase:
    """A bench's own database: a SQLite file under the data dir, or a PostgreSQL database made and dropped here."""

    vendor: str  # "sqlite" or "postgres"
    url: str
    data_dir: Path
    sqlite_path: Path | None

    def create(self, drop_first: bool = True) -> None:
        """An empty database; without drop_first, one left behind (--keep) is kept."""
        if self.sqlite_path is not None:
            if drop_first:
                remove_sqlite(self.sqlite_path)
        else:
            prepare_postgres(self.url, drop_first)

    def remove(self) -> None:
        if self.sqlite_path is not None:
            remove_sqlite(self.sqlite_path)
        else:
            drop_postgres(self.url)


def use_database(vendor: str, data_dir: Path, sqlite_name: str, postgres_url: str) -> BenchDatabase:
    """The bench's database (on SQLite the file `sqlite_name` under `data_dir`), with Django's settings
    pointed at it and at the data dir; call before django.setup()."""
    data_dir = data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    sqlite_path = data_dir / sqlite_name if vendor == "sqlite" else None
    url = f"sqlite:///{sqlite_path}" if sqlite_path is not None else postgres_url
    os.environ["SHOPFLOOR_DATA_DIR"] = str(data_dir)
    os.environ["DATABASE_URL"] = url
    # Persistent connections, as a production deployment runs: connecting is not what is measured.
    os.environ.setdefault("DB_CONN_MAX_AGE", "600")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopfloor.settings")
    os.environ["DEBUG"] = "false"
    return BenchDatabase(vendor, url, data_dir, sqlite_path)


def remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _maintenance_url(url: str) -> tuple[str, str]:
    """The server's maintenance database, and the name of the bench's database."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name:
        raise SystemExit("--postgres-url must name a database, e.g. postgres://postgres@127.0.0.1/shopfloor_bench")
    return urlunsplit(parts._replace(path="/postgres")), name


def prepare_postgres(url: str, drop_first: bool = True) -> None:
    """Create the bench's PostgreSQL database; drop_first starts from an empty one, else one left behind is kept."""
    import psycopg
    from psycopg import sql

    server, name = _maintenance_url(url)
    with psycopg.connect(server, autocommit=True) as conn:
        if drop_first:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_postgres(url: str) -> None:
    import psycopg
    from psycopg import sql

    server, name = _maintenance_url(url)
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


# Bulk loads ------------------------------------------------------------------------------------------------


def _columns(model, row: dict) -> tuple[list[str], list]:
    """The model's columns, and per column the key to read or the constant default (as a 1-tuple).

    A primary key the rows do not carry is left to the database; any other column they do not carry
    gets its field's default (JSON defaults as text).
    """
    columns, fillers = [], []
    for field in model._meta.concrete_fields:
        if field.attname not in row and field.primary_key:
            continue
        columns.append(field.column)
        if field.attname in row:
            fillers.append(field.attname)
        else:
            default = field.get_default()
            if isinstance(default, dict | list):
                default = json.dumps(default)
            fillers.append((default,))
    return columns, fillers


def _chunks(first: dict, rest, size: int):
    """`first` and then the rows of `rest`, in lists of `size`."""
    chunk = [first]
    for row in rest:
        if len(chunk) >= size:
            yield chunk
            chunk = []
        chunk.append(row)
    yield chunk


def bulk_insert(model, rows, *, rebuild_indexes: bool = False, skip_triggers: bool = False) -> int:
    """Insert `rows` (dicts by field attname, any iterable) in one transaction: COPY on PostgreSQL,
    executemany on SQLite, LOAD_CHUNK rows at a time; returns how many.

    rebuild_indexes: drop the table's secondary indexes first and build them once at the end, as a bulk
    load does. skip_triggers: on PostgreSQL, skip the row-by-row triggers (foreign keys, and the database
    triggers that copy columns between tables: the rows must carry those), for data consistent by
    construction; it needs a superuser, and without one the load is just slower. On PostgreSQL the
    table's id sequence is moved past the rows afterwards.
    """
    from django.core.management.color import no_style
    from django.db import connection, transaction

    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return 0
    columns, fillers = _columns(model, first)
    table = model._meta.db_table
    quoted_table = connection.ops.quote_name(table)
    quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
    adapt = connection.ops.adapt_datetimefield_value if connection.vendor == "sqlite" else None
    dropped = drop_secondary_indexes(table) if rebuild_indexes else []
    total = 0
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql" and skip_triggers:
            try:
                with transaction.atomic():
                    cursor.execute("SET LOCAL session_replication_role = replica")
            except Exception:  # noqa: BLE001 - a missing privilege only costs time
                pass
        for chunk in _chunks(first, rows, LOAD_CHUNK):
            values = []
            for row in chunk:
                line = []
                for filler in fillers:
                    value = row[filler] if isinstance(filler, str) else filler[0]
                    if adapt is not None and isinstance(value, datetime):
                        value = adapt(value)
                    line.append(value)
                values.append(line)
            total += len(values)
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {quoted_table} ({quoted}) FROM STDIN") as copy:
                    for line in values:
                        copy.write_row(line)
            else:
                placeholders = ", ".join("?" for _ in columns)
                cursor.cursor.executemany(f"INSERT INTO {quoted_table} ({quoted}) VALUES ({placeholders})", values)
    recreate_indexes(dropped)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), [model]):
                cursor.execute(statement)
    return total


def drop_secondary_indexes(table: str) -> list[str]:
    """Drop the indexes that no constraint needs, returning the statements that recreate them."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN ("
                " SELECT index_class.relname FROM pg_constraint"
                " JOIN pg_class index_class ON index_class.oid = pg_constraint.conindid"
                " WHERE pg_constraint.conrelid = %s::regclass)",
                [table, table],
            )
        else:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
                [table],
            )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    return [definition for _, definition in indexes]


def recreate_indexes(statements: list[str]) -> None:
    from django.db import connection

    if not statements:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET maintenance_work_mem = '512MB'")
        for statement in statements:
            cursor.execute(statement)


def vacuum_analyze(models) -> None:
    """What a PostgreSQL database that has been running a while has after a bulk load (autovacuum does it):
    statistics, and vacuumed tables whose visibility map allows index-only scans. SQLite keeps no statistics
    unless someone runs ANALYZE, so none are made there."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


# Figures ---------------------------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile, interpolated between the two nearest values."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * p / 100
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summarize(times: list[float]) -> dict:
    """How many, the median, the 95th percentile and the slowest of timings in milliseconds."""
    return {"n": len(times), "p50_ms": round(percentile(times, 50), 2), "p95_ms": round(percentile(times, 95), 2),
            "max_ms": round(max(times), 2)}


def ratio(value: float, base: float, digits: int = 2) -> float | None:
    """value / base, rounded; None without a base."""
    return round(value / base, digits) if base else None


def machine() -> dict:
    return {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count()}


def results_path(name: str) -> Path:
    """bench/results/<name>-<UTC time>.json (the folder is git-ignored)."""
    RESULTS_DIR.mkdir(exist_ok=True)
    return RESULTS_DIR / f"{name}-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.json"


def write_figures(bench: str, fields: dict, results: list[dict], path: Path | None, name: str) -> None:
    """The figures of each database, with the run's parameters and the machine, as JSON at `path`, else at
    bench/results/<name>-<databases>-<time>.json."""
    document = {"bench": bench, "at": datetime.now(UTC).isoformat(timespec="seconds"), **fields,
                "machine": machine(), "databases": results}
    if path is None:
        path = results_path(f"{name}-{'-'.join(result['database'] for result in results)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2) + "\n")
    print(f"figures written to {path}")


def run_databases(script: str, args, run_database, print_summary, options: tuple[str, ...],
                  flags: tuple[str, ...] = ()) -> list[dict]:
    """The figures of each database `args.database` names: run_database(database, args) in this process, or with
    `both`, the bench (`script`) on SQLite, then on PostgreSQL, each in a process of its own (Django's settings
    are fixed once a process reads them), passing on `options` and the `flags` that are set, and their summaries
    printed again together. A run that fails ends this process with its exit status."""
    if args.database != "both":
        return [run_database(args.database, args)]
    results = []
    with tempfile.TemporaryDirectory() as scratch:
        for database in ("sqlite", "postgres"):
            out = Path(scratch) / f"{database}.json"
            command = [sys.executable, str(Path(script).resolve()), "--database", database, "--json", str(out)]
            for name in options:
                command += [f"--{name.replace('_', '-')}", str(getattr(args, name))]
            command += [f"--{flag.replace('_', '-')}" for flag in flags if getattr(args, flag)]
            completed = subprocess.run(command)
            if completed.returncode != 0:
                raise SystemExit(completed.returncode)
            results.extend(json.loads(out.read_text())["databases"])
    print()
    for result in results:
        print_summary(result)
    return results
