"""The one write path: every change to a memory appends its event and outbox row."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from memory_service.models import Event, Memory, Outbox, utcnow


def snapshot(memory: Memory) -> dict[str, Any]:
    """The full state of a memory as JSON: what a version is."""
    return memory.model_dump(mode="json", exclude={"pk"})


def record_change(
    session: Session,
    *,
    memory: Memory,
    event_type: str,
    actor: str,
    before: dict[str, Any] | None,
    rollback_id: str | None = None,
) -> Event:
    """Persist `memory` as a new version with its event and its outbox row."""
    memory.version = 1 if before is None else int(before["version"]) + 1
    memory.updated_at = utcnow()
    session.add(memory)
    session.flush()
    event = Event(
        project=memory.project,
        memory_id=memory.id,
        type=event_type,
        actor=actor,
        at=memory.updated_at,
        version=memory.version,
        before=before,
        after=snapshot(memory),
        rollback_id=rollback_id,
    )
    session.add(event)
    session.add(Outbox(memory_id=memory.id))
    session.flush()
    return event
