"""LoCoMo as memories and questions, and its retrieval metric (recall@k over evidence turns).

The data file (CC BY-NC 4.0) is never part of the project: its path is given on the command
line. Each turn becomes one memory: project = the sample id, session = the LoCoMo session,
occurred_at = the session's date, metadata = the turn's dia_id and speaker.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

CATEGORIES = {1: "multi-hop", 2: "temporal", 3: "open-domain", 4: "single-hop", 5: "adversarial"}
_SESSION = re.compile(r"session_(\d+)")
_SLUG_BAD = re.compile(r"[^a-z0-9._-]+")


@dataclass(frozen=True)
class Turn:
    dia_id: str
    speaker: str
    session: int
    occurred_at: datetime
    content: str


@dataclass(frozen=True)
class Question:
    question: str
    category: int
    evidence: tuple[str, ...]


@dataclass
class Conversation:
    sample_id: str
    turns: list[Turn] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)

    @property
    def project(self) -> str:
        return slug(self.sample_id)


def slug(text: str) -> str:
    """A service slug for a LoCoMo name ("conv-26", "Caroline")."""
    cleaned = _SLUG_BAD.sub("-", text.lower()).strip("-._")
    return (cleaned or "x")[:64]


def parse_session_date(text: str) -> datetime:
    """LoCoMo's "1:56 pm on 8 May, 2023" as a UTC instant."""
    return datetime.strptime(text.strip(), "%I:%M %p on %d %B, %Y").replace(tzinfo=UTC)


def turn_content(turn: dict[str, Any]) -> str:
    """ "Speaker: text", plus the caption of a shared image."""
    text = f"{turn['speaker']}: {turn['text']}"
    if turn.get("blip_caption"):
        text += f" [shares a photo: {turn['blip_caption']}]"
    return text


def clean_evidence(raw: list[str], known: set[str]) -> tuple[str, ...]:
    """Evidence ids split on ';' and whitespace, without ids that match no turn."""
    ids: list[str] = []
    for entry in raw:
        for part in re.split(r"[;\s]+", str(entry)):
            if part in known and part not in ids:
                ids.append(part)
    return tuple(ids)


def load(path: Path, *, limit: int | None = None) -> list[Conversation]:
    """The conversations of a LoCoMo file, each with its turns and answerable questions."""
    samples = json.loads(Path(path).read_text())
    conversations = []
    for sample in samples[:limit]:
        conv = Conversation(sample["sample_id"])
        talk = sample["conversation"]
        numbers = sorted(int(m.group(1)) for k in talk if (m := _SESSION.fullmatch(k)))
        for n in numbers:
            when = parse_session_date(talk[f"session_{n}_date_time"])
            for turn in talk[f"session_{n}"]:
                conv.turns.append(
                    Turn(turn["dia_id"], turn["speaker"], n, when, turn_content(turn))
                )
        known = {t.dia_id for t in conv.turns}
        for qa in sample.get("qa", []):
            evidence = clean_evidence(qa.get("evidence", []), known)
            if evidence:  # LoCoMo's metric averages over questions with evidence
                conv.questions.append(Question(qa["question"], int(qa["category"]), evidence))
        conversations.append(conv)
    return conversations


def memory_body(conv: Conversation, turn: Turn) -> dict[str, Any]:
    """The POST /v1/memories body for one turn."""
    return {
        "project": conv.project,
        "agent": slug(turn.speaker),
        "kind": "note",
        "content": turn.content,
        "session": f"session-{turn.session}",
        "occurred_at": turn.occurred_at.isoformat(),
        "metadata": {"dia_id": turn.dia_id, "speaker": turn.speaker},
    }


def recall_at(ranked: list[str], evidence: tuple[str, ...], k: int) -> float:
    """Share of the evidence ids found in the first k ranked ids."""
    top = set(ranked[:k])
    return sum(1 for e in evidence if e in top) / len(evidence)
