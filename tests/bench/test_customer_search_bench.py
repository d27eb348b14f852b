"""The customer search benchmark still runs: tiny data, a few queries, figures written as JSON."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.bench.databases import DATABASE, bench_environment, database_arguments

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench" / "customer_search.py"
PERSONAS = {"admin", "manager (associate mode)", "associate (associate mode)", "associate (team mode)"}
KINDS = {"name", "full name", "email", "phone", "list"}


def test_the_bench_measures_every_persona_and_query_kind_at_a_tiny_size(tmp_path):
    out = tmp_path / "figures.json"
    command = [
        sys.executable, str(BENCH), "--customers", "2000", "--queries", "4",
        "--baseline-queries", "2", "--list-requests", "3", "--warmup", "1",
        "--data-dir", str(tmp_path), "--json", str(out),
    ]
    command += database_arguments("shopfloor_bench_test")
    result = subprocess.run(command, cwd=ROOT, env=bench_environment(), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]

    figures = json.loads(out.read_text())
    [measured] = figures["databases"]
    assert measured["database"] == DATABASE
    assert measured["customers"] == 2000
    rows = measured["rows"]
    assert {(row["persona"], row["kind"]) for row in rows} == {(p, k) for p in PERSONAS for k in KINDS}
    for row in rows:
        assert row["n"] == (3 if row["kind"] == "list" else 4)
        assert row["baseline"]["n"] == 2
        assert 0 < row["p50_ms"] <= row["p95_ms"]
        # The naive search over the same rows, as a ratio (at this tiny size either may be the faster).
        assert row["ratio_p95"] == pytest.approx(row["baseline"]["p95_ms"] / row["p95_ms"], abs=0.01)
    by_key = {(row["persona"], row["kind"]): row for row in rows}
    # The admin sees every customer; an associate-mode associate only their own book.
    assert by_key["admin", "list"]["visible_customers"] == 2000
    assert 0 < by_key["associate (associate mode)", "list"]["visible_customers"] < 2000
    assert "customer search and list at 2,000 customers" in result.stdout
    # The bench cleans up after itself unless asked to keep its database.
    assert not list(tmp_path.glob("*.sqlite3"))
