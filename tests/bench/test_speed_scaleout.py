"""The speed benchmark's smoke run on the scale-out stack: PostgreSQL, a Chroma server and
two workers, every figure measured, the search's stages among them.

Correctness only: no figure here is compared with a time budget.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_scaleout_smoke_run_times_a_search_stage_by_stage(tmp_path: Path) -> None:
    out = tmp_path / "speed.json"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "speed", "--smoke", "--stack", "scaleout"]
        + ["--json", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    r = json.loads(out.read_text())
    assert (r["stack"], r["memories"], r["stored"]) == ("scaleout", 120, 184)
    stages = r["stages"]
    for key in ("embedding", "keyword_postgresql", "vector_chroma_server", "search_in_process"):
        assert 0 < stages[key]["p50"] <= stages[key]["p95"]
    # The keyword stage searched what the service stored in PostgreSQL.
    assert stages["keyword_hits_mean"] > 0
    # Two workers and the process that manages them.
    assert r["rss_mb"] > 2 * 100
    assert "PostgreSQL + Chroma server, 2 workers" in done.stdout
    assert "stage: keyword query (PostgreSQL)" in done.stdout
