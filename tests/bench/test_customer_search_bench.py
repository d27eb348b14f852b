"""The customer search benchmark still runs: tiny data, a few queries, figures written as JSON."""

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench" / "customer_search.py"
PERSONAS = {"admin", "manager (associate mode)", "associate (associate mode)", "associate (team mode)"}
KINDS = {"name", "full name", "email", "phone", "list"}


def _postgres_bench_url() -> str | None:
    """A database of its own on the server DATABASE_URL names, when that is PostgreSQL."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return None
    return urlunsplit(urlsplit(url)._replace(path=f"/shopfloor_bench_test_{os.getpid()}"))


DATABASES = ["sqlite", pytest.param("postgres", marks=pytest.mark.skipif(
    _postgres_bench_url() is None, reason="DATABASE_URL is not PostgreSQL"))]


@pytest.mark.parametrize("database", DATABASES)
def test_the_bench_measures_every_persona_and_query_kind_at_a_tiny_size(tmp_path, database):
    out = tmp_path / "figures.json"
    command = [
        sys.executable, str(BENCH), "--database", database, "--customers", "2000", "--queries", "4",
        "--baseline-queries", "2", "--list-requests", "3", "--warmup", "1",
        "--data-dir", str(tmp_path), "--json", str(out),
    ]
    if database == "postgres":
        command += ["--postgres-url", _postgres_bench_url()]
    environment = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    result = subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]

    figures = json.loads(out.read_text())
    [measured] = figures["databases"]
    assert measured["database"] == database
    assert measured["customers"] == 2000
    rows = measured["rows"]
    assert {(row["persona"], row["kind"]) for row in rows} == {(p, k) for p in PERSONAS for k in KINDS}
    for row in rows:
        assert row["n"] == (3 if row["kind"] == "list" else 4)
        assert row["baseline"]["n"] == 2
        assert 0 < row["p50_ms"] <= row["p95_ms"]
        assert row["ratio_p95"] > 0
    by_key = {(row["persona"], row["kind"]): row for row in rows}
    # The admin sees every customer; an associate-mode associate only their own book.
    assert by_key["admin", "list"]["visible_customers"] == 2000
    assert 0 < by_key["associate (associate mode)", "list"]["visible_customers"] < 2000
    assert "customer search and list at 2,000 customers" in result.stdout
    # The bench cleans up after itself unless asked to keep its database.
    assert not list(tmp_path.glob("*.sqlite3"))
