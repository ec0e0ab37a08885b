"""The LoCoMo benchmark computes its figures right: parsing, cleaning and recall@k, and a
smoke run through a real service on a tiny synthetic dataset (correctness only, no timing)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.locomo_data import clean_evidence, load, parse_session_date, recall_at

ROOT = Path(__file__).resolve().parents[2]


def _turn(dia_id: str, speaker: str, text: str) -> dict[str, str]:
    return {"dia_id": dia_id, "speaker": speaker, "text": text}


def tiny_locomo() -> list[dict[str, Any]]:
    """One conversation in LoCoMo's layout: 2 sessions, 6 turns, 4 questions (2 usable)."""
    conversation = {
        "speaker_a": "Mel",
        "speaker_b": "Caro",
        "session_1_date_time": "1:56 pm on 8 May, 2023",
        "session_1": [
            _turn("D1:1", "Mel", "Hey Caro, good to see you again!"),
            _turn("D1:2", "Caro", "The zeppelin museum is in Friedrichshafen."),
            {**_turn("D1:3", "Mel", "I repaired an old harpsichord."), "blip_caption": "keys"},
        ],
        "session_2_date_time": "10:37 am on 27 June, 2023",
        "session_2": [
            _turn("D2:1", "Caro", "Yesterday I painted a lighthouse."),
            _turn("D2:2", "Mel", "Wow, that sounds lovely."),
            _turn("D2:3", "Caro", "Thanks, see you soon."),
        ],
        "session_3_date_time": "9:00 am on 1 July, 2023",
    }
    qa = [
        {"question": "Where is the zeppelin museum?", "evidence": ["D1:2"], "category": 4},
        {
            "question": "Who repaired a harpsichord and painted a lighthouse?",
            "evidence": ["D1:3; D2:1"],
            "category": 1,
        },
        {"question": "Unanswerable", "evidence": ["D9:99", "D"], "category": 5},
        {"question": "No evidence at all", "evidence": [], "category": 2},
    ]
    return [{"sample_id": "conv-1", "conversation": conversation, "qa": qa}]


def test_malformed_evidence_ids_are_split_and_unknown_ones_dropped() -> None:
    known = {"D1:3", "D2:1", "D8:6", "D9:17"}
    assert clean_evidence(["D8:6; D9:17"], known) == ("D8:6", "D9:17")
    assert clean_evidence(["D1:3 D2:1", "D1:3"], known) == ("D1:3", "D2:1")
    assert clean_evidence(["D", "D:11:26", "D30:05"], known) == ()


def test_session_dates_parse_as_utc() -> None:
    assert parse_session_date("1:56 pm on 8 May, 2023") == datetime(2023, 5, 8, 13, 56, tzinfo=UTC)
    assert parse_session_date("10:37 am on 27 June, 2023").hour == 10


def test_recall_at_k_is_the_share_of_evidence_in_the_top_k() -> None:
    ranked = ["a", "b", "c", "d"]
    assert recall_at(ranked, ("a",), 1) == 1.0
    assert recall_at(ranked, ("b", "d"), 1) == 0.0
    assert recall_at(ranked, ("b", "d"), 2) == 0.5
    assert recall_at(ranked, ("b", "d", "z"), 25) == 2 / 3


def test_loader_keeps_only_questions_with_evidence_and_adds_captions(tmp_path: Path) -> None:
    path = tmp_path / "locomo.json"
    path.write_text(json.dumps(tiny_locomo()))
    [conv] = load(path)
    assert conv.project == "conv-1"
    assert [t.dia_id for t in conv.turns] == ["D1:1", "D1:2", "D1:3", "D2:1", "D2:2", "D2:3"]
    assert conv.turns[2].content == "Mel: I repaired an old harpsichord. [shares a photo: keys]"
    assert [q.evidence for q in conv.questions] == [("D1:2",), ("D1:3", "D2:1")]


def test_smoke_run_through_a_real_service_reports_exact_recall(tmp_path: Path) -> None:
    data, out = tmp_path / "locomo.json", tmp_path / "figures.json"
    data.write_text(json.dumps(tiny_locomo()))
    done = subprocess.run(
        [sys.executable, "-m", "bench", "locomo", "--data", str(data), "--smoke"]
        + ["--json", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    figures = json.loads(out.read_text())
    assert (figures["turns"], figures["questions"]) == (6, 2)
    assert "R@10" in done.stdout and "p95" in done.stdout
    for mode in ("hybrid", "vector", "keyword"):
        overall = figures["modes"][mode]["recall"]["overall"]
        assert overall["n"] == 2
        # Six memories and k=25: every evidence turn that the mode can see is in the top 25.
        assert overall["r@25"] == 1.0
    keyword = figures["modes"]["keyword"]["recall"]
    # Rare words: the zeppelin turn is first; one of the two multi-hop turns is first.
    assert keyword["4 single-hop"]["r@1"] == 1.0
    assert keyword["1 multi-hop"]["r@1"] == 0.5
    assert keyword["overall"]["r@1"] == 0.75
