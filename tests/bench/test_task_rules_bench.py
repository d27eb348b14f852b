"""The task-rules benchmark still runs: a small population, every rule finding candidates, idempotent rerun."""

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench" / "task_rules.py"


def _postgres_bench_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return None
    return urlunsplit(urlsplit(url)._replace(path=f"/shopfloor_rules_bench_test_{os.getpid()}"))


DATABASES = ["sqlite", pytest.param("postgres", marks=pytest.mark.skipif(
    _postgres_bench_url() is None, reason="DATABASE_URL is not PostgreSQL"))]


@pytest.mark.parametrize("database", DATABASES)
def test_the_bench_runs_every_rule_against_its_floor(tmp_path, database):
    out = tmp_path / "figures.json"
    command = [sys.executable, str(BENCH), "--database", database, "--customers", "3000",
               "--data-dir", str(tmp_path), "--json", str(out)]
    if database == "postgres":
        command += ["--postgres-url", _postgres_bench_url()]
    environment = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    result = subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=300)
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
