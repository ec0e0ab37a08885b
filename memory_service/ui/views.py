"""What the pages show, shaped from service results: months, version texts, diffs, boards."""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from memory_service.models import Checkpoint, Memory, Rollback
from memory_service.schemas.handoffs import HandoffPublic

HANDOFF_STATES = ("open", "acknowledged", "completed")
# The fields of a version, in reading order, as the diff between versions shows them.
VERSION_FIELDS = (
    ("title", "Title"),
    ("status", "Status"),
    ("topic", "Topic"),
    ("tags", "Tags"),
    ("agent", "Agent"),
    ("decision_makers", "Decision makers"),
    ("occurred_at", "Date"),
    ("content", "Content"),
    ("context", "Context"),
    ("options", "Considered options"),
    ("outcome", "Outcome"),
    ("reasoning", "Reasoning"),
    ("consequences", "Consequences"),
    ("completed", "Completed"),
    ("pending", "Pending"),
    ("risks", "Risks"),
    ("for_agents", "For"),
    ("refs", "Refs"),
    ("supersedes", "Supersedes"),
    ("superseded_by", "Superseded by"),
)


@dataclass
class DiffLine:
    kind: str  # "add", "del", "same" or "hunk"
    text: str


def by_month(memories: Iterable[Memory]) -> list[tuple[str, list[Memory]]]:
    """Consecutive memories grouped under their month ("November 2026"), order kept."""
    groups: list[tuple[str, list[Memory]]] = []
    for m in memories:
        label = m.occurred_at.strftime("%B %Y")
        if not groups or groups[-1][0] != label:
            groups.append((label, []))
        groups[-1][1].append(m)
    return groups


def _lines(value: Any) -> list[str]:
    if isinstance(value, str):
        return value.splitlines() or [""]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [", ".join(value)]
    if isinstance(value, list):  # options
        out = []
        for item in value:
            if isinstance(item, dict):
                out.append(f"- {item.get('name', '')}")
                if item.get("description"):
                    out += [f"    {line}" for line in str(item["description"]).splitlines()]
                out += [f"    + {p}" for p in item.get("pros") or []]
                out += [f"    - {c}" for c in item.get("cons") or []]
        return out
    if isinstance(value, dict):
        return [
            f"{'Good' if k == 'good' else 'Bad' if k == 'bad' else k}: {v}"
            for k, items in value.items()
            for v in (items if isinstance(items, list) else [items])
        ]
    return [json.dumps(value, default=str)]


def version_text(snapshot: dict[str, Any]) -> list[str]:
    """A version as labelled lines, the form the diff between versions compares."""
    out: list[str] = []
    for key, label in VERSION_FIELDS:
        value = snapshot.get(key)
        if value in (None, "", [], {}) or value == {"good": [], "bad": []}:
            continue
        lines = _lines(value)
        if len(lines) == 1 and key not in ("content", "context", "reasoning"):
            out.append(f"{label}: {lines[0]}")
        else:
            out.append(f"{label}:")
            out += [f"  {line}" for line in lines]
    return out


def diff(before: Sequence[str], after: Sequence[str]) -> list[DiffLine]:
    """A unified diff of two texts (given as lines), as typed lines for the page."""
    out = []
    for line in difflib.unified_diff(list(before), list(after), lineterm="", n=3):
        if line.startswith(("---", "+++")):
            continue
        kind = {"@": "hunk", "+": "add", "-": "del"}.get(line[:1], "same")
        out.append(DiffLine(kind, line[1:] if kind != "hunk" else line))
    return out


HIDDEN_FIELDS = frozenset({"content_hash"})
ID_FIELDS = frozenset({"supersedes", "superseded_by", "refs"})


def shown_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """The fields a reviewer reads (internal bookkeeping such as hashes left out)."""
    return {k: v for k, v in fields.items() if k not in HIDDEN_FIELDS}


def field_text(name: str, value: Any, titles: dict[str, str]) -> list[str]:
    """A field's value as lines for the rollback preview; memory ids shown by title."""
    if value in (None, "", []):
        return []
    if name in ID_FIELDS:
        ids = value if isinstance(value, list) else [value]
        return [", ".join(f"{titles.get(i, i)}" for i in ids)]
    return _lines(value)


def linked_ids(changes: Iterable[Any]) -> list[str]:
    """Memory ids named by the id fields of planned changes (to look their titles up)."""
    ids: list[str] = []
    for change in changes:
        for name, values in change.fields.items():
            if name in ID_FIELDS:
                for v in (values.before, values.after):
                    ids += v if isinstance(v, list) else [v] if v else []
    return list(dict.fromkeys(ids))


@dataclass
class TimelineEntry:
    at: datetime
    checkpoint: Checkpoint | None = None
    rollback: Rollback | None = None


def timeline(
    checkpoints: Iterable[Checkpoint], rollbacks: Iterable[Rollback]
) -> list[TimelineEntry]:
    """Checkpoints and rollbacks together, newest first."""
    entries = [TimelineEntry(c.created_at, checkpoint=c) for c in checkpoints]
    entries += [TimelineEntry(r.created_at, rollback=r) for r in rollbacks]
    return sorted(entries, key=lambda e: e.at, reverse=True)


def board(handoffs: Iterable[HandoffPublic]) -> dict[str, dict[str, list[HandoffPublic]]]:
    """Handoffs by state (open, acknowledged, completed), then by receiving agent."""
    columns: dict[str, dict[str, list[HandoffPublic]]] = {s: {} for s in HANDOFF_STATES}
    for h in handoffs:
        columns[h.state].setdefault(h.to_agent, []).append(h)
    return {s: dict(sorted(agents.items())) for s, agents in columns.items()}
