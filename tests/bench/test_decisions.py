"""The decision-recall benchmark: its data holds together, its metrics and loader are right,
and a smoke run through a real service prints every row (correctness only, no figure checked
against a threshold)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bench.decisions_data import DATA_DIR, first_gold_rank, leaked, load, memory_body

ROOT = Path(__file__).resolve().parents[2]
LICENCES = {"MIT", "Apache-2.0", "CC-BY-4.0"}


def _record(number: str, date: str, supersedes: str | None = None) -> dict[str, Any]:
    return {
        "id": f"p/{number}",
        "title": f"Decision {number}",
        "date": date,
        "context": "" if number == "3" else f"Why {number}.",
        "decision": f"We do {number}.",
        "supersedes": supersedes,
        "source": f"https://example.org/{number}.md",
    }


def _tiny_data(tmp_path: Path, gold: str = "p/3") -> Path:
    """One project whose records are out of date order; 3 replaces 1."""
    records = [_record("3", "2021-01-01", "p/1"), _record("2", "2020-06-01")]
    project = {"project": "p", "decisions": [*records, _record("1", "2019-01-01")]}
    (tmp_path / "p.json").write_text(json.dumps(project))
    questions = [
        {"id": f"q{n}", "project": "p", "question": "what?", "gold": [gold]} for n in range(3)
    ]
    questions[0]["superseded"] = ["p/1"]
    (tmp_path / "questions.json").write_text(json.dumps({"questions": questions}))
    return tmp_path


def test_first_gold_rank_is_the_rank_of_any_gold_id() -> None:
    ranked = ["a", "b", "c", "d"]
    assert first_gold_rank(ranked, ("a",)) == 1
    assert first_gold_rank(ranked, ("d", "c")) == 3
    assert first_gold_rank(ranked, ("z",)) is None
    assert first_gold_rank([], ("a",)) is None


def test_a_leak_is_a_superseded_id_in_the_top_three_only() -> None:
    assert leaked(["a", "b", "old"], ("old",))
    assert not leaked(["a", "b", "c", "old"], ("old",))
    assert not leaked(["a", "b", "c"], ())


def test_loader_orders_decisions_oldest_first_and_limits_questions(tmp_path: Path) -> None:
    [project] = load(_tiny_data(tmp_path), max_questions=2)
    assert [d.id for d in project.decisions] == ["p/1", "p/2", "p/3"]
    assert project.decisions[2].supersedes == "p/1"
    assert [q.id for q in project.questions] == ["q0", "q1"]
    assert project.questions[0].superseded == ("p/1",)


def test_loader_refuses_a_question_whose_gold_is_not_in_the_data(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"q0 names decisions \['p/9'\]"):
        load(_tiny_data(tmp_path, gold="p/9"))


def test_memory_body_is_an_accepted_decision_that_supersedes_by_memory_id(tmp_path: Path) -> None:
    [project] = load(_tiny_data(tmp_path))
    newest = project.decisions[2]
    body = memory_body(project, newest, "mem-1")
    assert (body["kind"], body["status"], body["supersedes"]) == ("decision", "accepted", "mem-1")
    assert (body["project"], body["title"], body["content"]) == ("p", "Decision 3", "We do 3.")
    # A record without context still has a reason: its title.
    assert body["reasoning"] == "Decision 3"
    assert body["occurred_at"] == "2021-01-01T00:00:00Z"
    assert memory_body(project, project.decisions[0], None)["reasoning"] == "Why 1."


def test_shipped_data_is_licensed_attributed_and_its_questions_resolve() -> None:
    projects = load(DATA_DIR)
    sources = (DATA_DIR / "SOURCES.md").read_text()
    assert len(projects) >= 3
    assert sum(len(p.decisions) for p in projects) >= 80
    assert sum(len(p.questions) for p in projects) >= 60
    for project in projects:
        raw = json.loads((DATA_DIR / f"{project.slug}.json").read_text())
        assert raw["licence"] in LICENCES
        assert re.fullmatch(r"[0-9a-f]{40}", raw["commit"])
        assert raw["repository"] in sources and raw["commit"] in sources
        assert len(project.questions) >= 3
        replaced = {d.supersedes for d in project.decisions if d.supersedes}
        for q in project.questions:
            # A superseded decision is never a gold answer, and a leak is always one replaced.
            assert not set(q.gold) & replaced and set(q.superseded) <= replaced
    asks_replaced = [q for p in projects for q in p.questions if q.superseded]
    assert len(asks_replaced) >= 5


def test_smoke_run_through_a_real_service_prints_every_row(tmp_path: Path) -> None:
    out = tmp_path / "figures.json"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "decisions", "--smoke", "--json", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    figures = json.loads(out.read_text())
    [project] = figures["projects"]
    assert figures["questions"] == 5
    header = next(line for line in done.stdout.splitlines() if line.startswith("mode"))
    assert header.split() == ["mode", "group", "n", "hit@1", "hit@3", "MRR@10", "leaks@3", "empty"]
    for mode in ("hybrid", "no-floor", "vector", "keyword"):
        for group in ("overall", project):
            assert figures["modes"][mode][group]["n"] == 5
            assert re.search(rf"^{mode} +{group} +5 ", done.stdout, re.M), (mode, group)
