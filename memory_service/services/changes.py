"""The one write path: every change to a memory appends its event and outbox row."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from memory_service.models import Event, Memory, Outbox, ProjectCounter, utcnow
from memory_service.services.access import acting_name


def snapshot(memory: Memory) -> dict[str, Any]:
    """The full state of a memory as JSON: what a version is."""
    return memory.model_dump(mode="json", exclude={"pk"})


_COUNTER_STMTS: dict[str, Any] = {}


def _counter_stmt(dialect: str) -> Any:
    # Built once per dialect: a rollback numbers thousands of events in one transaction.
    if dialect not in _COUNTER_STMTS:
        counter: sa.Table = ProjectCounter.__table__  # type: ignore[attr-defined]
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        _COUNTER_STMTS[dialect] = (
            insert(counter)
            .values(project=sa.bindparam("project"), last_seq=sa.bindparam("step"))
            .on_conflict_do_update(
                index_elements=[counter.c.project],
                set_={"last_seq": counter.c.last_seq + sa.bindparam("step")},
            )
            .returning(counter.c.last_seq)
        )
    return _COUNTER_STMTS[dialect]


def next_project_seq(session: Session, project: str, count: int = 1) -> int:
    """The first of the project's next `count` event numbers; the counter stays locked."""
    # The increment takes the row lock, so the project's writers number their events
    # in commit order; a rolled-back transaction gives its numbers back (no gaps).
    stmt = _counter_stmt(session.get_bind().dialect.name)
    with session.no_autoflush:
        last = int(session.execute(stmt, {"project": project, "step": count}).scalar_one())
    return last - count + 1


def record_change(
    session: Session,
    *,
    memory: Memory,
    event_type: str,
    actor: str,
    before: dict[str, Any] | None,
    rollback_id: str | None = None,
    project_seq: int | None = None,
) -> Event:
    """Persist `memory` as a new version with its event and its outbox row.

    `project_seq` is a number the caller reserved with `next_project_seq` (bulk changes).
    """
    if project_seq is None:
        project_seq = next_project_seq(session, memory.project)
    memory.version = 1 if before is None else int(before["version"]) + 1
    memory.updated_at = utcnow()
    session.add(memory)
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
        principal=acting_name(),
    )
    session.add(event)
    session.add(Outbox(memory_id=memory.id))
    # No flush here: the unit of work inserts in the order added at commit (or at the next
    # query's autoflush), which lets a rollback of thousands of memories batch its writes.
    return event
