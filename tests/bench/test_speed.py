"""The speed benchmark's smoke run: every figure is measured and every write landed.

Correctness only: no figure here is compared with a time budget.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_smoke_run_measures_every_figure_against_the_model(tmp_path: Path) -> None:
    out = tmp_path / "speed.json"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "speed", "--smoke", "--json", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    r = json.loads(out.read_text())
    # 120 batch-remembered memories plus twice 32 single ones, all stored.
    assert (r["memories"], r["stored"]) == (120, 184)
    for key in ("search", "search_cached", "recall"):
        assert 0 < r[key]["p50"] <= r[key]["p95"] <= r[key]["p99"]
    assert r["floor"]["batched_per_s"] > 0 and r["floor"]["query_ms_p50"] > 0
    assert r["batch_per_s"] > 0 and r["single_remember"]["per_s"] > 0
    assert r["single_remember_own"]["per_s"] > 0
    assert r["ready_empty_s"] > 0 and r["ready_filled_s"] > 0 and r["rss_mb"] > 50
    for label in ("of model", "x model", "RSS", "ready after start"):
        assert label in done.stdout
