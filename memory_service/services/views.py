"""Turning table rows into the public models callers see."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel import Session, col, select

from memory_service.models import Memory
from memory_service.schemas.memories import MemoryPublic


def memory_dict(data: dict[str, Any]) -> dict[str, Any]:
    """A snapshot or row dump with `meta` renamed to its public name `metadata`."""
    out = dict(data)
    out["metadata"] = out.pop("meta", {}) or {}
    out.pop("pk", None)
    out.pop("content_hash", None)
    return out


def to_public(memory: Memory, replacement_title: str | None = None) -> MemoryPublic:
    data = memory_dict(memory.model_dump())
    data["superseded_by_title"] = replacement_title
    return MemoryPublic.model_validate(data)


def replacement_titles(session: Session, memories: Sequence[Memory]) -> dict[str, str]:
    """Titles of the decisions that replaced any superseded memory in `memories`."""
    ids = {m.superseded_by for m in memories if m.superseded_by}
    if not ids:
        return {}
    rows = session.exec(select(Memory.id, Memory.title).where(col(Memory.id).in_(ids)))
    return {row[0]: row[1] for row in rows}


def public_memories(session: Session, memories: Sequence[Memory]) -> list[MemoryPublic]:
    """Public models, superseded ones carrying their replacement's title."""
    titles = replacement_titles(session, memories)
    return [
        to_public(m, titles.get(m.superseded_by) if m.superseded_by else None) for m in memories
    ]
