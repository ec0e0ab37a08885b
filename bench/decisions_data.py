"""Public architecture decision records as decision memories, blind questions, and the metrics.

The data lives in bench/data/decisions/ (SOURCES.md: repositories, commits and licences): one
`<project>.json` per project with its decisions in chronological order, and `questions.json`,
written without reading the ranking code. Another directory of the same layout can be given
with `--data`. Each question names its gold decisions (any one of them answers it) and, when
the answer replaced an earlier decision, the superseded ones that must not reach the top 3.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data" / "decisions"
AUTHOR = "adr-author"


@dataclass(frozen=True)
class Decision:
    id: str
    title: str
    date: str
    context: str
    decision: str
    consequences: str
    more: str
    supersedes: str | None
    source: str
    source_status: str | None


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    gold: tuple[str, ...]
    superseded: tuple[str, ...]


@dataclass
class Project:
    slug: str
    decisions: list[Decision] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)


def _decision(raw: dict[str, Any]) -> Decision:
    return Decision(
        id=raw["id"],
        title=raw["title"],
        date=raw["date"],
        context=raw.get("context", ""),
        decision=raw.get("decision", ""),
        consequences=raw.get("consequences", ""),
        more=raw.get("more", ""),
        supersedes=raw.get("supersedes"),
        source=raw["source"],
        source_status=raw.get("status"),
    )


def load(
    data_dir: Path, *, projects: int | None = None, max_questions: int | None = None
) -> list[Project]:
    """The projects of a data directory (sorted by slug), each with its decisions and questions."""
    question_doc = json.loads((data_dir / "questions.json").read_text())
    loaded = []
    for path in sorted(data_dir.glob("*.json")):
        if path.name == "questions.json":
            continue
        raw = json.loads(path.read_text())
        project = Project(raw["project"])
        # Oldest first: a decision that supersedes another is remembered after it.
        decisions = sorted(raw["decisions"], key=lambda d: (d["date"], d["id"]))
        project.decisions = [_decision(d) for d in decisions]
        loaded.append(project)
    loaded = loaded[:projects]
    for project in loaded:
        known = {d.id for d in project.decisions}
        for q in question_doc["questions"]:
            if q["project"] != project.slug:
                continue
            named = [*q["gold"], *q.get("superseded", [])]
            if unknown := [i for i in named if i not in known]:
                raise ValueError(
                    f"question {q['id']} names decisions {unknown} that {project.slug}.json "
                    "does not hold: fix the ids or add the decisions"
                )
            project.questions.append(
                Question(q["id"], q["question"], tuple(q["gold"]), tuple(q.get("superseded", [])))
            )
        project.questions = project.questions[:max_questions]
    return loaded


def memory_body(project: Project, decision: Decision, supersedes: str | None) -> dict[str, Any]:
    """The POST /v1/memories body for one decision record (`supersedes`: a memory id)."""
    parts = (decision.decision, decision.consequences, decision.more)
    content = "\n\n".join(p for p in parts if p) or decision.context
    return {
        "project": project.slug,
        "agent": AUTHOR,
        "kind": "decision",
        "status": "accepted",
        "title": decision.title,
        "content": content,
        # Records that give no context still need a reason to be stored as decisions.
        "reasoning": decision.context or decision.title,
        "supersedes": supersedes,
        "occurred_at": f"{decision.date}T00:00:00Z",
        "metadata": {
            "adr": decision.id,
            "source": decision.source,
            "source_status": decision.source_status,
        },
    }


def first_gold_rank(ranked: list[str], gold: tuple[str, ...]) -> int | None:
    """1-based rank of the first gold id in `ranked`, None if absent."""
    for rank, memory_id in enumerate(ranked, start=1):
        if memory_id in gold:
            return rank
    return None


def leaked(ranked: list[str], superseded: tuple[str, ...], k: int = 3) -> bool:
    """Whether a superseded decision is among the first k results."""
    return any(memory_id in superseded for memory_id in ranked[:k])
