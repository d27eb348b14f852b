"""The settlement benchmark still runs: 500 orders, a few API orders, figures written as JSON."""

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench" / "settlement.py"


def _postgres_bench_url() -> str | None:
    """A database of its own on the server DATABASE_URL names, when that is PostgreSQL."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return None
    return urlunsplit(urlsplit(url)._replace(path=f"/shopfloor_bench_settle_test_{os.getpid()}"))


DATABASES = ["sqlite", pytest.param("postgres", marks=pytest.mark.skipif(
    _postgres_bench_url() is None, reason="DATABASE_URL is not PostgreSQL"))]


@pytest.mark.parametrize("database", DATABASES)
def test_the_bench_settles_measures_the_floor_and_posts_orders_at_a_tiny_size(tmp_path, database):
    out = tmp_path / "figures.json"
    command = [sys.executable, str(BENCH), "--database", database, "--orders", "500", "--api-orders", "10",
               "--batch-size", "200", "--data-dir", str(tmp_path), "--json", str(out)]
    if database == "postgres":
        command += ["--postgres-url", _postgres_bench_url()]
    environment = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    result = subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]

    [measured] = json.loads(out.read_text())["databases"]
    assert measured["database"] == database
    assert measured["orders"] == 500
    settlement, floor = measured["settlement"], measured["floor"]
    # Cancelled, unpaid and unattributed orders do not earn; most orders do.
    assert 400 < settlement["orders_settled"] == settlement["markers"] < 500
    assert settlement["ledger_rows"] == floor["rows"] > settlement["orders_settled"]
    assert measured["ratio_to_floor"] > 0
    api = measured["api"]
    assert api["orders"] == 10 and api["orders_per_second"] > 0
    # A 10% rule on three lines and three override levels (one manager is inactive).
    assert 4 <= api["ledger_rows_per_order"] <= 6
    assert api["queries_per_order"] > 0
    assert "settlement of 500 orders" in result.stdout
    # The bench cleans up after itself unless asked to keep its database.
    assert not list(tmp_path.glob("*.sqlite3"))
