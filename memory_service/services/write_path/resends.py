"""Resends: a new memory whose content a live memory of its project and kind (or an earlier
item of its batch) already holds. Sent again with the same fields, it is that memory again
(`duplicate: true`); sent with other fields, it is refused naming each of them, never
answered with the old record as if the new fields had been stored (decisions/0060)."""

from __future__ import annotations

import json
from typing import Any

from memory_service.errors import DuplicateContent
from memory_service.models import Memory
from memory_service.schemas.memories import Consequences, DecisionOption, MemoryCreate
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
SHOWN_CHARS = 60


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


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 3] + "..."


def check_resend(
    item: MemoryCreate, memory: Memory, *, index: int | None, earlier: int | None = None
) -> None:
    """Refuse `item` when it repeats `memory`'s content with other fields: `memory` is
    stored, or made by the batch's item `earlier`; `index` is the item's place in a batch."""
    fields = differing_fields(item, memory)
    if not fields:
        return
    shown = "; ".join(
        f"{name}: sent {_show(_sent(item, name))}, stored {_show(_stored(memory, name))}"
        for name in fields
    )
    where = f"memories.{index}: " if index is not None else ""
    named = ", ".join(fields)
    if earlier is not None:
        raise DuplicateContent(
            f"{where}it repeats the content of memories.{earlier} with a different {named} "
            f"({shown}); nothing was stored: give each item its own content, or send the "
            "content once with the fields you mean",
            fields=fields,
            index=index,
            earlier_index=earlier,
        )
    todo = (
        f"to change them, update memory {memory.id} (PATCH /v1/memories/{memory.id}, MCP: "
        f"update); to record a new {memory.kind}, change its content"
    )
    if "supersedes" in fields:
        todo += (
            f"; to have {memory.id} replace {item.supersedes}, supersede it (POST "
            f'/v1/memories/{item.supersedes}/supersede with {{"by": "{memory.id}"}}, MCP: '
            "supersede)"
        )
    raise DuplicateContent(
        f"{where}memory {memory.id} already holds this content with a different {named} "
        f"({shown}); nothing was stored: {todo}",
        existing_id=memory.id,
        fields=fields,
        index=index,
    )
