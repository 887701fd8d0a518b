"""bench/figures_bench.py runs as documented on a small city (SQLite only) and ends with its JSON line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_figures_benchmark_runs_small_and_ends_with_one_json_line(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.endswith("POSTGRES_URL")}
    script = ROOT / "bench" / "figures_bench.py"
    done = subprocess.run(
        [sys.executable, str(script), "--rows", "3000", "--sqlite", str(tmp_path / "f.db")],
        capture_output=True, text=True, timeout=600, env={**env, "PYTHONPATH": str(ROOT / "src")},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    last = json.loads(done.stdout.strip().splitlines()[-1])
    assert last["rows"] == 3000 and last["pg_report_s"] is None
    assert {"sqlite_report_s", "sqlite_count_s", "sqlite_load_s", "sqlite_summary_s", "sqlite_month_kpis_s"} <= set(
        last
    )
    assert "共接报警求助 3000 起" in done.stdout
