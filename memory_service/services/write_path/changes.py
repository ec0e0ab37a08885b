"""The one write path: every change to a memory appends its event and outbox row."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel

from memory_service.models import Event, Memory, Outbox, ProjectCounter, utcnow


@dataclass(frozen=True)
class Change:
    """A memory in its new state, and its snapshot before the change (None: it is new)."""

    memory: Memory
    before: dict[str, Any] | None


def snapshot(memory: Memory) -> dict[str, Any]:
    """The full state of a memory as JSON: what a version is."""
    return memory.model_dump(mode="json", exclude={"pk"})


def _table(model: type[SQLModel]) -> sa.Table:
    return model.__table__  # type: ignore[attr-defined,no-any-return]


_COUNTER_STMTS: dict[str, Any] = {}


def _counter_stmt(dialect: str) -> Any:
    # Built once per dialect: every transaction that writes a change runs it.
    if dialect not in _COUNTER_STMTS:
        counter = _table(ProjectCounter)
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
    token: str | None,
    before: dict[str, Any] | None,
) -> None:
    """Persist `memory` as a new version with its event and its outbox row; the event names
    the agent who acts and the access token it came with (None: no token)."""
    record_changes(
        session, changes=[Change(memory, before)], event_type=event_type, actor=actor, token=token
    )


def record_changes(
    session: Session,
    *,
    changes: list[Change],
    event_type: str,
    actor: str,
    token: str | None,
    rollback_id: str | None = None,
) -> None:
    """Persist each memory as a new version, with its event and outbox row, in this order."""
    if not changes:
        return
    # One counter step per project: a rollback numbers thousands of events at once.
    counts = Counter(c.memory.project for c in changes)
    next_seq = {p: next_project_seq(session, p, n) for p, n in counts.items()}
    now = utcnow()
    events, outbox = [], []
    for change in changes:
        memory, before = change.memory, change.before
        memory.version = 1 if before is None else int(before["version"]) + 1
        memory.updated_at = now
        session.add(memory)
        project_seq = next_seq[memory.project]
        next_seq[memory.project] += 1
        events.append(
            {
                "project": memory.project,
                "memory_id": memory.id,
                "type": event_type,
                "actor": actor,
                "at": now,
                "version": memory.version,
                "before": before,
                "after": snapshot(memory),
                "rollback_id": rollback_id,
                "project_seq": project_seq,
                "principal": token,
            }
        )
        outbox.append({"memory_id": memory.id, "created_at": now})
    # Events and outbox rows as plain rows in one statement each, no ORM object per row;
    # the memories go through the unit of work, which flushes them before the first one.
    session.execute(sa.insert(_table(Event)), events)
    session.execute(sa.insert(_table(Outbox)), outbox)
