"""The settlement benchmark still runs: 500 orders, a few API orders, figures written as JSON."""

import json
import subprocess
import sys
from pathlib import Path

from tests.bench.databases import DATABASE, bench_environment, database_arguments

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench" / "settlement.py"


def test_the_bench_settles_measures_the_floor_and_posts_orders_at_a_tiny_size(tmp_path):
    out = tmp_path / "figures.json"
    command = [sys.executable, str(BENCH), "--orders", "500", "--api-orders", "10",
               "--batch-size", "200", "--data-dir", str(tmp_path), "--json", str(out)]
    command += database_arguments("shopfloor_bench_settle_test")
    result = subprocess.run(command, cwd=ROOT, env=bench_environment(), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]

    [measured] = json.loads(out.read_text())["databases"]
    assert measured["database"] == DATABASE
    assert measured["orders"] == 500
    settlement, floor = measured["settlement"], measured["floor"]
    # Cancelled, unpaid and unattributed orders do not earn; most orders do.
    assert 400 < settlement["orders_settled"] == settlement["markers"] < 500
    assert settlement["ledger_rows"] == floor["rows"] > settlement["orders_settled"]
    assert measured["ratio_to_floor"] > 0
    assert settlement["cpu_seconds"] > 0 and measured["cpu_ratio_to_floor"] > 0
    api = measured["api"]
    assert api["orders"] == 10 and api["orders_per_second"] > 0
    # A 10% rule on three lines and three override levels (one manager is inactive).
    assert 4 <= api["ledger_rows_per_order"] <= 6
    assert api["queries_per_order"] > 0
    assert "settlement of 500 orders" in result.stdout
    # The bench cleans up after itself unless asked to keep its database.
    assert not list(tmp_path.glob("*.sqlite3"))


def test_with_http_the_bench_also_posts_its_orders_through_one_uvicorn_process(tmp_path):
    out = tmp_path / "figures.json"
    command = [sys.executable, str(BENCH), "--orders", "100", "--api-orders", "12", "--http", "2",
               "--data-dir", str(tmp_path), "--json", str(out)]
    command += database_arguments("shopfloor_bench_settle_http_test")
    result = subprocess.run(command, cwd=ROOT, env=bench_environment(), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]

    [measured] = json.loads(out.read_text())["databases"]
    http = measured["http"]
    # Every post answered 201 (the bench fails otherwise), over two keep-alive connections.
    assert (http["orders"], http["connections"]) == (12, 2)
    assert http["orders_per_second"] > 0 and http["server_cpu_seconds"] > 0
    assert "through uvicorn (2 keep-alive connections)" in result.stdout
