"""Rollback to an earlier state of a project, written as revert events, and its undo."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select
from ulid import ULID

from memory_service.errors import NothingToRollBack, RollbackNotFound, StateConflict
from memory_service.models import Event, Memory, Rollback
from memory_service.schemas.rollback import FieldChange, ImpactItem, PlannedChange, RollbackRequest
from memory_service.services.access.access import named_actor
from memory_service.services.history.checkpoints import Target, resolve_target
from memory_service.services.history.history import VOLATILE, current_seq, states_at
from memory_service.services.indexing import indexing
from memory_service.services.write_path.changes import Change, record_changes, snapshot
from memory_service.store import Store
from memory_service.store.memories import load_memories

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


@contextmanager
def _collector_paused() -> Iterator[None]:
    # A rollback holds tens of thousands of new containers at once (rows, snapshots,
    # events), and the cyclic garbage collector would scan them again and again: a third
    # of the transaction's time, measured with bench/rollback.py. Reference counting still
    # frees them; any cycles wait for the first collection after the transaction.
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@dataclass
class _Step:
    memory: Memory
    change: PlannedChange
    current: dict[str, Any]  # the memory's snapshot before the step: its event's `before`


def _plan_one(memory: Memory, wanted: dict[str, Any] | None) -> _Step | None:
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
    change = PlannedChange(
        memory_id=memory.id, kind=memory.kind, title=memory.title, action=action, fields=fields
    )
    return _Step(memory, change, current)


def _in_scope(session: Session, request: RollbackRequest, project: str, seq: int) -> list[Memory]:
    changed = select(Event.memory_id).where(Event.project == project, col(Event.seq) > seq)
    stmt = select(Memory).where(col(Memory.id).in_(changed.scalar_subquery()))
    if request.agent:
        stmt = stmt.where(Memory.agent == request.agent)
    if request.topic:
        stmt = stmt.where(Memory.topic == request.topic)
    return list(session.exec(stmt.order_by(col(Memory.pk))).all())


def _apply(step: _Step) -> Change:
    for name, values in step.change.fields.items():
        value = values.after
        if name.endswith("_at") and isinstance(value, str):
            value = datetime.fromisoformat(value)  # snapshots hold JSON
        setattr(step.memory, name, value)
    return Change(step.memory, step.current)


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


def _plan(session: Session, project: str, request: RollbackRequest) -> tuple[Target, list[_Step]]:
    target = resolve_target(session, project, request.to)
    memories = _in_scope(session, request, project, target.seq)
    wanted = states_at(session, [m.id for m in memories], target.seq)
    planned = (_plan_one(m, wanted.get(m.id)) for m in memories)
    steps = [s for s in planned if s is not None]
    if not steps:
        raise NothingToRollBack(
            f"nothing to roll back in project {project!r}: no memory in scope changed after "
            f"{request.to!r}",
            target_seq=target.seq,
        )
    return target, steps


def rollback(
    store: Store, *, project: str, request: RollbackRequest, token: str | None = None
) -> Outcome:
    """Restore the project's memories in scope to their state at the target, atomically."""
    if request.dry_run:
        with _collector_paused(), store.db.read() as session:
            target, steps = _plan(session, project, request)
            changes = [s.change for s in steps]
            return Outcome(None, target, changes, _impact(session, project, changes))
    actor = named_actor(request.actor, "actor")
    with _collector_paused(), store.db.write() as session:
        target, steps = _plan(session, project, request)
        changes = [s.change for s in steps]
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
        record_changes(
            session,
            changes=[_apply(s) for s in steps],
            event_type="rolled_back",
            actor=actor,
            token=token,
            rollback_id=record.id,
        )
    indexing.sync(store)
    return Outcome(record, target, changes, impact)


def _reverted(
    session: Session, rollback_id: str
) -> list[tuple[Memory, int | None, dict[str, Any] | None]]:
    """Each memory a rollback changed, with the version it left and the state it replaced."""
    rows = session.exec(
        select(Event.memory_id, Event.version, Event.before)
        .where(Event.rollback_id == rollback_id)
        .order_by(col(Event.seq))
    ).all()
    ids = [mid for mid, _, _ in rows if mid]
    memories = load_memories(session, ids)
    return [
        (memories[mid or ""], version, dict(before) if before is not None else None)
        for mid, version, before in rows
    ]


def undo_rollback(
    store: Store, *, rollback_id: str, actor: str, token: str | None = None
) -> Outcome:
    """Re-apply what a rollback reverted, provided nothing changed those memories since."""
    with _collector_paused(), store.db.write() as session:
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
        reverted = _reverted(session, rollback_id)
        moved = [m.id for m, version, _ in reverted if m.version != version]
        if moved:
            raise StateConflict(
                "these memories changed after the rollback, so undoing it would overwrite "
                f"newer work: {', '.join(moved)}; roll back to a checkpoint instead",
                changed_since=moved,
            )
        record = Rollback(
            id=str(ULID()),
            project=original.project,
            target=f"undo:{rollback_id}",
            target_seq=current_seq(session),
            actor=actor,
            undo_of=rollback_id,
            changed=len(reverted),
        )
        session.add(record)
        planned = (_plan_one(memory, before) for memory, _, before in reverted)
        steps = [s for s in planned if s is not None]
        record_changes(
            session,
            changes=[_apply(s) for s in steps],
            event_type="rollback_undone",
            actor=actor,
            token=token,
            rollback_id=record.id,
        )
        original.undone_by = record.id
        session.add(original)
        target = Target(f"undo:{rollback_id}", original.target_seq)
    indexing.sync(store)
    return Outcome(record, target, [s.change for s in steps])


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
