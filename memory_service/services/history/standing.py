"""Where a project stands for an agent starting a session: its newest known-good checkpoint,
the newest rollback since, and how many changes were made after the later of the two."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from memory_service.models import Checkpoint, Event, Rollback
from memory_service.services.history.checkpoints import count_changes_since, last_known_good


@dataclass(frozen=True)
class Standing:
    checkpoint: Checkpoint | None
    # The newest rollback that finished after the checkpoint (or at all, without one).
    rollback: Rollback | None
    # Changes after the rollback when there is one, else after the checkpoint.
    changes: int | None


def _newest_rollback(session: Session, project: str) -> tuple[Rollback, int] | None:
    """The project's newest rollback or undo with the sequence of its last event."""
    rollback = session.exec(
        select(Rollback)
        .where(Rollback.project == project)
        .order_by(col(Rollback.created_at).desc(), col(Rollback.id).desc())
        .limit(1)
    ).first()
    if rollback is None:
        return None
    last = session.exec(select(func.max(Event.seq)).where(Event.rollback_id == rollback.id)).one()
    return rollback, int(last or rollback.target_seq)


def standing(session: Session, project: str) -> Standing:
    """The checkpoint, the rollback since, and the count of changes since the later one:
    after a rollback, "changes since" starts again from the state it restored."""
    checkpoint = last_known_good(session, project)
    newest = _newest_rollback(session, project)
    if newest is not None and (checkpoint is None or newest[1] > checkpoint.seq):
        rollback, end = newest
        return Standing(checkpoint, rollback, count_changes_since(session, project, end))
    if checkpoint is None:
        return Standing(None, None, None)
    return Standing(checkpoint, None, count_changes_since(session, project, checkpoint.seq))
