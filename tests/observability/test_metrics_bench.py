"""`python -m bench speed --metrics`: its smoke run times search with metrics on and off.

Correctness only: no figure here is compared with a time budget.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_smoke_run_compares_search_with_metrics_on_and_off(tmp_path: Path) -> None:
    out = tmp_path / "speed.json"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "speed", "--smoke", "--metrics", "--json", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    cost = json.loads(out.read_text())["metrics_cost"]
    for flag in ("on", "off"):
        assert 0 < cost[f"p50_{flag}"] <= cost[f"p95_{flag}"]
    assert "search p50 / p95, metrics on" in done.stdout and "p50 on/off = " in done.stdout
