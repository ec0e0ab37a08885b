"""Rollback to an earlier state of a project, written as revert events, and its undo."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select
from ulid import ULID

from memory_service.errors import NothingToRollBack, RollbackNotFound, StateConflict
from memory_service.models import Event, Memory, Rollback
from memory_service.schemas.history import (
    FieldChange,
    ImpactItem,
    PlannedChange,
    RollbackRequest,
)
from memory_service.services import indexing
from memory_service.services.access import required
from memory_service.services.changes import next_project_seq, record_change, snapshot
from memory_service.services.checkpoints import Target, resolve_target
from memory_service.services.history import VOLATILE, current_seq, states_at
from memory_service.store import Store

# Never restored from an old version: identity, and the fields every version rewrites.
KEPT = VOLATILE | {"id", "project", "kind", "recorded_at"}


@dataclass
class Outcome:
    rollback: Rollback | None
    target: Target
    changes: list[PlannedChange]
    impact: list[ImpactItem] = field(default_factory=list)


def _diff(current: dict[str, Any], wanted: dict[str, Any]) -> dict[str, FieldChange]:
    keys = (set(current) | set(wanted)) - KEPT
    return {
        k: FieldChange(before=current.get(k), after=wanted.get(k))
        for k in sorted(keys)
        if current.get(k) != wanted.get(k)
    }


def _plan_one(memory: Memory, wanted: dict[str, Any] | None) -> PlannedChange | None:
    """What it takes to bring `memory` to `wanted` (None: it did not exist then)."""
    current = snapshot(memory)
    if wanted is None:
        if memory.status == "retracted":
            return None
        wanted = {**current, "status": "retracted"}
        action = "retract"
    else:
        action = "restore"
    fields = _diff(current, wanted)
    if not fields:
        return None
    return PlannedChange(
        memory_id=memory.id, kind=memory.kind, title=memory.title, action=action, fields=fields
    )


def _in_scope(session: Session, request: RollbackRequest, project: str, seq: int) -> list[Memory]:
    changed = select(Event.memory_id).where(Event.project == project, col(Event.seq) > seq)
    stmt = select(Memory).where(col(Memory.id).in_(changed.scalar_subquery()))
    if request.agent:
        stmt = stmt.where(Memory.agent == request.agent)
    if request.topic:
        stmt = stmt.where(Memory.topic == request.topic)
    return list(session.exec(stmt.order_by(col(Memory.pk))).all())


def _apply(memory: Memory, change: PlannedChange) -> None:
    for name, values in change.fields.items():
        value = values.after
        if name.endswith("_at") and isinstance(value, str):
            value = datetime.fromisoformat(value)  # snapshots hold JSON
        setattr(memory, name, value)


def _impact(session: Session, project: str, changes: list[PlannedChange]) -> list[ImpactItem]:
    reverted_decisions = {c.memory_id for c in changes if c.kind == "decision"}
    if not reverted_decisions:
        return []
    reverted = {c.memory_id for c in changes}
    dependants = session.exec(
        select(Memory).where(
            Memory.project == project,
            col(Memory.kind).in_(("deliverable", "handoff")),
            Memory.status != "retracted",
        )
    ).all()
    items = []
    for m in dependants:
        refs = [r for r in m.refs if r in reverted_decisions]
        if refs:
            items.append(
                ImpactItem(
                    memory_id=m.id,
                    kind=m.kind,
                    title=m.title,
                    status=m.status,
                    references=refs,
                    reverted=m.id in reverted,
                )
            )
    return items


def _plan(
    session: Session, project: str, request: RollbackRequest
) -> tuple[Target, list[tuple[Memory, PlannedChange]]]:
    target = resolve_target(session, project, request.to)
    memories = _in_scope(session, request, project, target.seq)
    wanted = states_at(session, [m.id for m in memories], target.seq)
    planned = [(m, _plan_one(m, wanted.get(m.id))) for m in memories]
    steps = [(m, c) for m, c in planned if c is not None]
    if not steps:
        raise NothingToRollBack(
            f"nothing to roll back in project {project!r}: no memory in scope changed after "
            f"{request.to!r}",
            target_seq=target.seq,
        )
    return target, steps


def rollback(store: Store, *, project: str, request: RollbackRequest) -> Outcome:
    """Restore the project's memories in scope to their state at the target, atomically."""
    if request.dry_run:
        with store.db.read() as session:
            target, steps = _plan(session, project, request)
            changes = [c for _, c in steps]
            return Outcome(None, target, changes, _impact(session, project, changes))
    actor = required(request.actor, "actor")
    with store.db.write() as session:
        target, steps = _plan(session, project, request)
        changes = [c for _, c in steps]
        impact = _impact(session, project, changes)
        record = Rollback(
            id=str(ULID()),
            project=project,
            target=request.to,
            target_seq=target.seq,
            actor=actor,
            agent=request.agent,
            topic=request.topic,
            changed=len(changes),
        )
        session.add(record)
        first_seq = next_project_seq(session, project, len(steps))
        for offset, (memory, change) in enumerate(steps):
            before = snapshot(memory)
            _apply(memory, change)
            record_change(
                session,
                memory=memory,
                event_type="rolled_back",
                actor=actor,
                before=before,
                rollback_id=record.id,
                project_seq=first_seq + offset,
            )
    indexing.sync(store)
    return Outcome(record, target, changes, impact)


def undo_rollback(store: Store, *, rollback_id: str, actor: str) -> Outcome:
    """Re-apply what a rollback reverted, provided nothing changed those memories since."""
    with store.db.write() as session:
        original = session.get(Rollback, rollback_id)
        if original is None:
            raise RollbackNotFound(f"no rollback has id {rollback_id!r}", id=rollback_id)
        if original.undo_of:
            raise StateConflict(
                f"{rollback_id!r} is itself an undo; roll back again instead of undoing it"
            )
        if original.undone_by:
            raise StateConflict(
                f"rollback {rollback_id!r} was already undone by {original.undone_by!r}"
            )
        events = session.exec(
            select(Event).where(Event.rollback_id == rollback_id).order_by(col(Event.seq))
        ).all()
        ids = [e.memory_id for e in events if e.memory_id]
        memories = {m.id: m for m in session.exec(select(Memory).where(col(Memory.id).in_(ids)))}
        moved = [e.memory_id for e in events if memories[e.memory_id or ""].version != e.version]
        if moved:
            raise StateConflict(
                "these memories changed after the rollback, so undoing it would overwrite "
                f"newer work: {', '.join(m for m in moved if m)}; roll back to a checkpoint "
                "instead",
                changed_since=moved,
            )
        record = Rollback(
            id=str(ULID()),
            project=original.project,
            target=f"undo:{rollback_id}",
            target_seq=current_seq(session),
            actor=actor,
            undo_of=rollback_id,
            changed=len(events),
        )
        session.add(record)
        changes: list[PlannedChange] = []
        for event in events:
            memory = memories[event.memory_id or ""]
            change = _plan_one(memory, event.before)
            if change is None:
                continue
            changes.append(change)
            before = snapshot(memory)
            _apply(memory, change)
            record_change(
                session,
                memory=memory,
                event_type="rollback_undone",
                actor=actor,
                before=before,
                rollback_id=record.id,
            )
        original.undone_by = record.id
        session.add(original)
        target = Target(f"undo:{rollback_id}", original.target_seq)
    indexing.sync(store)
    return Outcome(record, target, changes)


def get_rollback(store: Store, *, rollback_id: str) -> Rollback:
    """A rollback (or undo) record by id."""
    with store.db.read() as session:
        record = session.get(Rollback, rollback_id)
    if record is None:
        raise RollbackNotFound(f"no rollback has id {rollback_id!r}", id=rollback_id)
    return record


def list_rollbacks(store: Store, *, project: str) -> list[Rollback]:
    """The project's rollbacks and undos, newest first."""
    with store.db.read() as session:
        stmt = (
            select(Rollback)
            .where(Rollback.project == project)
            .order_by(col(Rollback.created_at).desc())
        )
        return list(session.exec(stmt).all())
