"""What callers get back about a memory: the memory by id, a remember's answer, a batch's."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlmodel import Session, select

from memory_service.models import Memory
from memory_service.schemas.memories import BatchCreated, MemoryCreated, MemoryPublic
from memory_service.services.decisions.chains import candidates_of
from memory_service.services.views import to_public
from memory_service.services.write_path.creation import memory_row
from memory_service.store import Store

if TYPE_CHECKING:
    from memory_service.services.write_path.creation import Remembered


def public_by_id(session: Session, memory: Memory, replacement: str | None = None) -> MemoryPublic:
    """A memory as callers see it by id: with its replacement's title and, for a
    decision, the ids of its candidate replacements."""
    candidates = candidates_of(session, [memory.id]) if memory.kind == "decision" else {}
    ids = [c.id for c in candidates.get(memory.id, [])]
    return to_public(memory, replacement).model_copy(update={"candidates": ids})


def created_public(remembered: Remembered) -> MemoryCreated:
    """A remembered memory as its writer sees it: public, with what the service did with
    the item (created, duplicate, version) and what it noticed."""
    memory = remembered.memory
    out = MemoryCreated(
        **to_public(memory).model_dump(exclude={"candidates"}),
        candidates=remembered.candidates,
        result=remembered.result,
        duplicate=remembered.duplicate,
        conflicts=remembered.conflicts,
    )
    if remembered.conflicts:
        ids = ", ".join(c.id for c in remembered.conflicts)
        out.hint = (
            f"topic {memory.topic!r} already has an accepted decision ({ids}). If this one "
            f"replaces it, supersede it by this one (MCP: supersede; REST: POST /v1/memories/"
            f'<that id>/supersede with {{"by": "{memory.id}"}}), and next time record the '
            "replacement with supersedes=<that id>; if both stand, give one another topic. "
            "REST callers may set on_conflict=error to be refused instead of warned."
        )
    return out


def batch_created(results: list[Remembered]) -> BatchCreated:
    """A batch's answer: each item's memory and result, and how many items had each."""
    done = [r.result for r in results]
    return BatchCreated(
        memories=[created_public(r) for r in results],
        created=done.count("created"),
        versions=done.count("version"),
        duplicates=done.count("duplicate"),
    )


def get_memory(store: Store, *, memory_id: str) -> tuple[Memory, str | None]:
    """A memory by id, with its replacement's title when it is superseded."""
    with store.db.read() as session:
        memory = memory_row(session, memory_id)
        return memory, _replacement_title(session, memory)


def _replacement_title(session: Session, memory: Memory) -> str | None:
    """The title of the memory that replaced `memory`, if one did."""
    if not memory.superseded_by:
        return None
    return session.exec(select(Memory.title).where(Memory.id == memory.superseded_by)).first()


def read_memory(store: Store, *, memory_id: str) -> MemoryPublic:
    """A memory by id, whatever its status; a superseded one names its replacement, and a
    decision its candidate replacements."""
    with store.db.read() as session:
        memory = memory_row(session, memory_id)
        return public_by_id(session, memory, _replacement_title(session, memory))
