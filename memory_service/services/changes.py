"""The one write path: every change to a memory appends its event and outbox row."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from memory_service.models import Event, Memory, Outbox, ProjectCounter, utcnow


def snapshot(memory: Memory) -> dict[str, Any]:
    """The full state of a memory as JSON: what a version is."""
    return memory.model_dump(mode="json", exclude={"pk"})


def next_project_seq(session: Session, project: str) -> int:
    """The project's next event number; its counter row stays locked until the commit."""
    counter: sa.Table = ProjectCounter.__table__  # type: ignore[attr-defined]
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # The increment takes the row lock, so the project's writers number their events
    # in commit order; a rolled-back transaction gives its number back (no gaps).
    stmt = (
        insert(counter)
        .values(project=project, last_seq=1)
        .on_conflict_do_update(
            index_elements=[counter.c.project], set_={"last_seq": counter.c.last_seq + 1}
        )
        .returning(counter.c.last_seq)
    )
    with session.no_autoflush:
        return int(session.execute(stmt).scalar_one())


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
    project_seq = next_project_seq(session, memory.project)
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
        project_seq=project_seq,
    )
    session.add(event)
    session.add(Outbox(memory_id=memory.id))
    session.flush()
    return event
