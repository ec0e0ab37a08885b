"""Rollback to an earlier state of a project, written as revert events, and its undo."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select
from ulid import ULID

from memory_service.errors import RollbackNotFound, StateConflict
from memory_service.models import Event, Memory, Rollback
from memory_service.observability import metrics
from memory_service.schemas.rollback import ImpactItem, KeptItem, PlannedChange, RollbackRequest
from memory_service.services.access.access import named_actor
from memory_service.services.decisions.chains import chains_kept
from memory_service.services.history.checkpoints import Target
from memory_service.services.history.history import current_seq
from memory_service.services.history.rollback_plan import apply_step, impact, plan, plan_one
from memory_service.services.indexing import indexing
from memory_service.services.write_path.changes import record_changes
from memory_service.services.write_path.secrets import scrub
from memory_service.store import Store
from memory_service.store.memories import load_memories

SCOPE = (
    "roll back the memories on both sides of each replacement together (without an agent or "
    "topic scope, or with keep_addressed=false), or to another target"
)
UNDO_INSTEAD = "roll back to a checkpoint instead"


@dataclass
class Outcome:
    rollback: Rollback | None
    target: Target
    changes: list[PlannedChange]
    impact: list[ImpactItem] = field(default_factory=list)
    kept: list[KeptItem] = field(default_factory=list)


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


def rollback(
    store: Store, *, project: str, request: RollbackRequest, token: str | None = None
) -> Outcome:
    """Restore the project's memories in scope to their state at the target, atomically."""
    if request.dry_run:
        with _collector_paused(), store.db.read() as session:
            target, steps, kept = plan(session, project, request)
            changes = [s.change for s in steps]
            return Outcome(None, target, changes, impact(session, project, changes), kept)
    actor = named_actor(request.actor, "actor")
    with _collector_paused(), store.db.write() as session:
        target, steps, kept = plan(session, project, request)
        changes = [s.change for s in steps]
        impacted = impact(session, project, changes)
        record = Rollback(
            id=str(ULID()),
            project=project,
            target=request.to,
            target_seq=target.seq,
            actor=actor,
            agent=request.agent,
            topic=request.topic,
            reason=scrub(request.reason, policy=store.settings.secrets, field="reason"),
            changed=len(changes),
        )
        session.add(record)
        # Restoring history is no transition of the lifecycle, but keeps its invariants.
        with chains_kept(session, project, doing=f"rolling back to {request.to!r}", todo=SCOPE):
            record_changes(
                session,
                changes=[apply_step(s) for s in steps],
                event_type="rolled_back",
                actor=actor,
                token=token,
                rollback_id=record.id,
            )
    metrics.count_rollback("rollback")
    indexing.sync(store)
    return Outcome(record, target, changes, impacted, kept)


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
        planned = (plan_one(memory, before) for memory, _, before in reverted)
        steps = [s for s in planned if s is not None]
        doing = f"undoing rollback {rollback_id!r}"
        with chains_kept(session, original.project, doing=doing, todo=UNDO_INSTEAD):
            record_changes(
                session,
                changes=[apply_step(s) for s in steps],
                event_type="rollback_undone",
                actor=actor,
                token=token,
                rollback_id=record.id,
            )
        original.undone_by = record.id
        session.add(original)
        target = Target(f"undo:{rollback_id}", original.target_seq)
    metrics.count_rollback("undo")
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


def rollback_changes(store: Store, *, rollback_id: str) -> list[Event]:
    """The events a rollback (or its undo) wrote, one per memory it changed, in order."""
    with store.db.read() as session:
        stmt = select(Event).where(Event.rollback_id == rollback_id).order_by(col(Event.seq))
        return list(session.exec(stmt).all())
