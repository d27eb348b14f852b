"""The task-rules benchmark still runs: a small population, every rule finding candidates, idempotent rerun."""

import json
import subprocess
import sys
from pathlib import Path

from tests.bench.databases import bench_environment, database_arguments

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench" / "task_rules.py"


def test_the_bench_runs_every_rule_against_its_floor(tmp_path):
    out = tmp_path / "figures.json"
    command = [sys.executable, str(BENCH), "--customers", "3000",
               "--data-dir", str(tmp_path), "--json", str(out)]
    command += database_arguments("shopfloor_rules_bench_test")
    result = subprocess.run(command, cwd=ROOT, env=bench_environment(), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    figures = json.loads(out.read_text())
    assert figures["customers"] == 3000
    assert figures["idempotent"] is True and figures["rerun_created"] == 0
    assert set(figures["floor_per_rule"]) == set(figures["tasks_created"])
    # Every rule finds someone in the generated data, and makes one task per candidate.
    for key, created in figures["tasks_created"].items():
        assert created == figures["candidates"][key] == figures["floor_per_rule"][key]["rows"] > 0, key
    assert figures["tasks_in_database"] == sum(figures["tasks_created"].values())
    assert figures["floor_s"] > 0 and figures["ratio"] > 0
    assert "task rules over 3,000 customers" in result.stdout
    assert not list(tmp_path.glob("*.sqlite3"))
