"""Who did what: the event log, checkpoints and token management, newest first."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, or_, select

from memory_service.models import AuditEntry, Checkpoint, Event, Rollback
from memory_service.schemas.audit import AuditEntryPublic
from memory_service.store import Store


def audit_log(
    store: Store,
    *,
    project: str | None = None,
    actor: str | None = None,
    since: datetime | None = None,
    limit: int = 100,
) -> list[AuditEntryPublic]:
    """The newest `limit` actions, filtered by project, by actor or token, and by time."""
    events = select(Event).order_by(col(Event.seq).desc()).limit(limit)
    checkpoints = select(Checkpoint).order_by(col(Checkpoint.created_at).desc()).limit(limit)
    tokens = select(AuditEntry).order_by(col(AuditEntry.id).desc()).limit(limit)
    rollbacks = select(Rollback).order_by(col(Rollback.created_at).desc()).limit(limit)
    if project:
        events = events.where(Event.project == project)
        checkpoints = checkpoints.where(Checkpoint.project == project)
        rollbacks = rollbacks.where(Rollback.project == project)
    if actor:
        events = events.where(or_(Event.actor == actor, Event.principal == actor))
        checkpoints = checkpoints.where(Checkpoint.agent == actor)
        tokens = tokens.where(AuditEntry.actor == actor)
        rollbacks = rollbacks.where(Rollback.actor == actor)
    if since:
        events = events.where(col(Event.at) >= since)
        checkpoints = checkpoints.where(col(Checkpoint.created_at) >= since)
        rollbacks = rollbacks.where(col(Rollback.created_at) >= since)
        tokens = tokens.where(col(AuditEntry.at) >= since)
    with store.db.read() as session:
        entries = [
            AuditEntryPublic(
                at=e.at,
                action=e.type,
                actor=e.actor,
                principal=e.principal,
                project=e.project,
                memory_id=e.memory_id,
                details={"seq": e.seq, "version": e.version, "rollback_id": e.rollback_id},
            )
            for e in session.exec(events).all()
        ]
        entries += [
            AuditEntryPublic(
                at=c.created_at,
                action="checkpoint_created",
                actor=c.agent,
                principal=None,
                project=c.project,
                target=c.id,
                details={"label": c.label, "known_good": c.known_good, "seq": c.seq},
            )
            for c in session.exec(checkpoints).all()
        ]
        entries += [
            AuditEntryPublic(
                at=r.created_at,
                action="rollback_undone" if r.undo_of else "rolled_back",
                actor=r.actor,
                principal=None,
                project=r.project,
                target=r.id,
                details={
                    "to": r.target,
                    "reason": r.reason,
                    "changed": r.changed,
                    "undo_of": r.undo_of,
                },
            )
            for r in session.exec(rollbacks).all()
        ]
        if not project:  # tokens belong to no project
            entries += [
                AuditEntryPublic(
                    at=t.at,
                    action=t.action,
                    actor=t.actor,
                    principal=None,
                    target=t.target,
                    details=t.details,
                )
                for t in session.exec(tokens).all()
            ]
    entries.sort(key=lambda a: a.at, reverse=True)
    return entries[:limit]
