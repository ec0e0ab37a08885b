"""The index-churn benchmark: its churn keeps the index's size and knows its live entries,
and a small run measures every setting (correctness only, no recall threshold here)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench.index_churn import plan

ROOT = Path(__file__).resolve().parents[2]


def test_the_churn_keeps_its_size_and_no_two_live_entries_share_a_vector() -> None:
    churn = plan(200, 4, 0.5, kind="random", queries=10, seed=1)
    assert len(churn.live) == 200
    assert len(set(churn.live.values())) == 200
    upserts = [ids for action, ids, _ in churn.operations if action == "upsert"]
    # The fill, then each round's updated half and new twentieth.
    assert [len(ids) for ids in upserts] == [200] + [110] * 4
    assert set(churn.fresh) <= set(churn.live) and len(churn.fresh) == 110
    deleted = {i for action, ids, _ in churn.operations if action == "delete" for i in ids}
    assert not deleted & set(churn.live)


def test_a_small_run_compares_chromas_defaults_with_the_services_settings(tmp_path: Path) -> None:
    out = tmp_path / "churn.json"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "churn", "--memories", "200", "--rounds", "3"]
        + ["--vectors", "random", "--queries", "20", "--try", "ef_search=50"]
        + ["--json", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    r = json.loads(out.read_text())
    assert list(r["settings"]) == [
        "Chroma's defaults",
        "the service's (0072)",
        "service's, ef_search=50",
    ]
    assert r["settings"]["service's, ef_search=50"]["configuration"]["ef_search"] == 50
    for figures in r["settings"].values():
        for key in ("recall_at_10", "fresh_recall_at_10", "fresh_found"):
            assert 0 < figures[key] <= 1
    assert "recall@10" in done.stdout
