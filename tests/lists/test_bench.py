"""bench/lists.py still runs: a small list, a few requests, figures written as JSON."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_bench_measures_the_page_and_the_api_against_their_baselines(tmp_path):
    out = tmp_path / "figures.json"
    environment = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    completed = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "lists.py"), "--items", "20", "--comments", "60", "--requests", "3",
         "--warmup", "1", "--database", "sqlite", "--data-dir", str(tmp_path), "--json", str(out)],
        env=environment, capture_output=True, text=True, timeout=300, cwd=ROOT,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    [result] = json.loads(out.read_text())["databases"]
    pages = {row["page"]: row for row in result["rows"]}
    assert set(pages) == {"baseline: console lists index (HTML)", "console list page (HTML)",
                          "console item thread (HTML fragment)", "baseline: GET /api/v1/customers/{id}",
                          "GET /api/v1/lists/{id}"}
    assert pages["GET /api/v1/lists/{id}"]["ratio_to_baseline_p95"] == round(
        pages["GET /api/v1/lists/{id}"]["p95_ms"] / pages["baseline: GET /api/v1/customers/{id}"]["p95_ms"], 1)
    assert pages["console list page (HTML)"]["ratio_to_baseline_p95"] > 0
    assert pages["GET /api/v1/lists/{id}"]["n"] == 3
    assert "console list page (HTML)" in completed.stdout
