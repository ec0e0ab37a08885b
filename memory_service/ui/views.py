"""What the pages show, shaped from service results: months, counts in words, the titles of
rollbacks, the handoff board."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from memory_service.models import Checkpoint, Memory, Rollback
from memory_service.schemas.handoffs import HandoffPublic
from memory_service.services.decisions.decision_log import LogFilter

HANDOFF_STATES = ("open", "acknowledged", "completed")
LAST_KNOWN_GOOD = "last-known-good"


def by_month(memories: Iterable[Memory]) -> list[tuple[str, list[Memory]]]:
    """Consecutive memories grouped under their month ("November 2026"), order kept."""
    groups: list[tuple[str, list[Memory]]] = []
    for m in memories:
        label = m.occurred_at.strftime("%B %Y")
        if not groups or groups[-1][0] != label:
            groups.append((label, []))
        groups[-1][1].append(m)
    return groups


def adr_number(memory: Memory) -> str | None:
    """ "ADR-0004" for a decision imported from an ADR file, from the number it pinned."""
    pinned = (memory.meta or {}).get("adr")
    number = pinned.get("number") if isinstance(pinned, dict) else None
    if isinstance(number, int) and not isinstance(number, bool) and number >= 0:
        return f"ADR-{number:04d}"
    return None


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """ "1 decision", "3 decisions", "0 memories": a count with its unit."""
    return f"{count:,} {noun if count == 1 else nouns or noun + 's'}"


def filter_words(wanted: LogFilter) -> list[str]:
    """The log's filters as a reader says them: "status accepted", "tag orders"."""
    named = (
        ("status", wanted.status),
        ("topic", wanted.topic),
        ("tag", wanted.tag),
        ("agent", wanted.agent),
    )
    return [f"{name} {value}" for name, value in named if value]


def log_summary(
    *, found: int, of: int, project: str, wanted: LogFilter, capped: bool = False
) -> str:
    """The log's count with its unit and filter: "3 of 29 decisions in shop match 'cache'"."""
    filters = filter_words(wanted)
    within = f" with {', '.join(filters)}" if filters else ""
    if wanted.query:
        asked = f"'{wanted.query}'"
        if not found:
            return f"No decision matches {asked}{within}"
        if capped:
            return (
                f"The {found} most relevant of {plural(of, 'decision')} in {project} "
                f"for {asked}{within}"
            )
        verb = "matches" if found == 1 else "match"
        return f"{found:,} of {plural(of, 'decision')} in {project} {verb} {asked}{within}"
    if filters:
        if not found:
            return f"No decision in {project}{within}"
        return f"{found:,} of {plural(of, 'decision')} in {project}{within}"
    return f"{plural(of, 'decision')} in {project}"


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


def rollback_target(rollback: Rollback, checkpoints: Iterable[Checkpoint]) -> str:
    """What a rollback went back to, in words: its checkpoint's label when it had one."""
    marks = list(checkpoints)
    by_id = {c.id: c for c in marks}
    if rollback.target in by_id:
        return f"checkpoint {by_id[rollback.target].label}"
    if rollback.target == LAST_KNOWN_GOOD:
        # The known-good checkpoint of that moment: the newest at the rollback's target.
        good = [c for c in marks if c.known_good and c.seq == rollback.target_seq]
        if good:
            return f"checkpoint {good[0].label} (the last known-good)"
        return "the last known-good checkpoint"
    return f"{rollback.target} (event {rollback.target_seq})"


def rollback_titles(
    rollbacks: Iterable[Rollback], checkpoints: Iterable[Checkpoint]
) -> dict[str, str]:
    """Each rollback's title ("Rollback to checkpoint qa-passed"), undos named after theirs."""
    listed = list(rollbacks)
    marks = list(checkpoints)
    titles = {r.id: f"Rollback to {rollback_target(r, marks)}" for r in listed if not r.undo_of}
    for r in listed:
        if r.undo_of:
            undone = titles.get(r.undo_of, f"rollback {r.undo_of}")
            titles[r.id] = f"Undo of the {undone[:1].lower()}{undone[1:]}"
    return titles


def board(handoffs: Iterable[HandoffPublic]) -> dict[str, dict[str, list[HandoffPublic]]]:
    """Handoffs by state (open, acknowledged, completed), then by receiving agent."""
    columns: dict[str, dict[str, list[HandoffPublic]]] = {s: {} for s in HANDOFF_STATES}
    for h in handoffs:
        columns[h.state].setdefault(h.to_agent, []).append(h)
    return {s: dict(sorted(agents.items())) for s, agents in columns.items()}


def replaced_refs(handoffs: Iterable[HandoffPublic]) -> list[str]:
    """The ids of superseded memories the handoffs refer to (to name their replacements)."""
    ids = (r.id for h in handoffs for r in h.references if r.status == "superseded")
    return list(dict.fromkeys(ids))


def replacements(superseded: Iterable[Memory], titles: dict[str, str]) -> dict[str, Any]:
    """For each superseded memory, its replacement's id and title."""
    return {
        m.id: {"id": m.superseded_by, "title": titles.get(m.superseded_by, m.superseded_by)}
        for m in superseded
        if m.superseded_by
    }
