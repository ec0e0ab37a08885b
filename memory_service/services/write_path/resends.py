"""Resends: a new memory whose content a live memory of its project and kind (or an earlier
item of its batch) already holds. What it becomes depends on what else it says, and never
is the old record alone (decisions/0067, which supersedes 0060):

* the same fields: a replay, that memory again (`duplicate: true`), nothing stored;
* other descriptive fields (title, topic, reasoning, tags, the MADR fields ...) sent by the
  memory's author: a new version of that memory holding them;
* another `supersedes` or `status`, another agent's memory, or a handoff: a new memory with
  the same content, which supersedes (or proposes to replace) what it names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from memory_service.models import Memory
from memory_service.schemas.memories import (
    Consequences,
    DecisionOption,
    MemoryCreate,
    WriteResult,
)
from memory_service.services.texts import title_for

# What a memory says beside its content. Who sent it (agent), from which run (session),
# when (occurred_at) and what to do on a topic conflict (on_conflict) are left out: a
# retry from another run, or another agent noting the same fact, says the same thing.
COMPARED = (
    "title",
    "topic",
    "reasoning",
    "tags",
    "for_agents",
    "refs",
    "supersedes",
    "status",
    "metadata",
    "context",
    "options",
    "outcome",
    "consequences",
    "decision_makers",
    "completed",
    "pending",
    "risks",
)
UNORDERED = frozenset({"tags", "for_agents", "refs", "decision_makers"})


def _sent(item: MemoryCreate, name: str) -> Any:
    """The item's value of `name` as it would be stored; None when the item says nothing:
    left out, null or empty (clients that fill every parameter send `tags: []`)."""
    if name not in item.model_fields_set:
        return None
    value = getattr(item, name)
    if name == "title":
        return title_for(value, item.content) if value and value.strip() else None
    if name == "options" and value:
        return [option.model_dump(mode="json") for option in value]
    if name == "consequences" and value:
        dumped = value.model_dump(mode="json")
        return dumped if any(dumped.values()) else None
    return None if value in ("", [], {}) else value


def _stored(memory: Memory, name: str) -> Any:
    """The memory's value of `name`, in the form `_sent` gives."""
    if name == "metadata":
        return memory.meta
    if name == "options":
        return [DecisionOption.model_validate(o).model_dump(mode="json") for o in memory.options]
    if name == "consequences":
        return Consequences.model_validate(memory.consequences or {}).model_dump(mode="json")
    return getattr(memory, name)


def _same(name: str, sent: Any, stored: Any) -> bool:
    if name in UNORDERED:
        return set(sent) == set(stored or ())
    return bool(sent == stored)


def differing_fields(item: MemoryCreate, memory: Memory) -> list[str]:
    """The fields the item sets to something other than what `memory` holds."""
    return [
        name
        for name in COMPARED
        if (sent := _sent(item, name)) is not None and not _same(name, sent, _stored(memory, name))
    ]


# A resend that differs in these asks for another memory, not another version: it
# replaces (or proposes to replace) something else, or starts in another state.
LIFECYCLE_FIELDS = frozenset({"supersedes", "status"})
STORED_AS = {"metadata": "meta"}


@dataclass(frozen=True)
class Resend:
    """What a resend is: a replay of `memory`, a new version of it, or a new memory."""

    result: WriteResult
    memory: Memory | None = None
    fields: tuple[str, ...] = ()


def _newest_live(memories: list[Memory]) -> Memory:
    """The one a resend is taken for: one not replaced, else the newest (list: oldest first)."""
    return sorted(memories, key=lambda m: m.status != "superseded")[-1]


def match_resend(item: MemoryCreate, author: str, holding: list[Memory]) -> Resend:
    """What `item` is, given the live memories (oldest first) that hold its content."""
    differing = [(m, differing_fields(item, m)) for m in holding]
    same = [m for m, fields in differing if not fields]
    if same:
        return Resend("duplicate", _newest_live(same))
    # Only the author's own memory gains a version: another agent's resend is its own
    # memory (an agent changes only its own, decisions/0050). A handoff is its own work.
    own = [
        (m, fields)
        for m, fields in differing
        if m.agent == author and m.kind != "handoff" and not LIFECYCLE_FIELDS & set(fields)
    ]
    if own:
        chosen = _newest_live([m for m, _ in own])
        fields = next(f for m, f in own if m is chosen)
        return Resend("version", chosen, tuple(fields))
    return Resend("created")


def apply_resend(memory: Memory, item: MemoryCreate, fields: tuple[str, ...]) -> None:
    """Set the fields the resend sent differently on `memory`, as stored values."""
    for name in fields:
        setattr(memory, STORED_AS.get(name, name), _sent(item, name))
