"""Checkpoints: named markers in a project's event sequence, and what changed since."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, func, select
from ulid import ULID

from memory_service.errors import RollbackTargetUnknown
from memory_service.models import Checkpoint, Event
from memory_service.schemas.checkpoints import CheckpointCreate
from memory_service.services.access.access import named_actor
from memory_service.services.history.history import (
    current_seq,
    event_seq,
    parse_time,
    seq_at_time,
)
from memory_service.services.projects import ensure_project
from memory_service.services.write_path.secrets import scrub
from memory_service.store import Store

LAST_KNOWN_GOOD = "last-known-good"


@dataclass
class Target:
    """A rollback or `since` target resolved to an event sequence."""

    spec: str
    seq: int
    checkpoint: Checkpoint | None = None


@dataclass
class ChangesPage:
    """Events after a target, oldest first; `next_after` is the cursor when more follow."""

    target: Target
    events: list[Event]
    next_after: int | None


def create_checkpoint(store: Store, *, project: str, body: CheckpointCreate) -> Checkpoint:
    """Mark the project's current state (the newest event sequence) with a label."""
    body = scrub(body, policy=store.settings.secrets)
    agent = named_actor(body.agent, "agent")
    with store.db.write() as session:
        ensure_project(session, project)
        checkpoint = Checkpoint(
            id=str(ULID()),
            project=project,
            label=body.label,
            agent=agent,
            known_good=body.known_good,
            note=body.note,
            seq=current_seq(session),
        )
        session.add(checkpoint)
    return checkpoint


def list_checkpoints(store: Store, *, project: str) -> list[Checkpoint]:
    """The project's checkpoints, newest first."""
    with store.db.read() as session:
        ensure_project(session, project)
        stmt = (
            select(Checkpoint)
            .where(Checkpoint.project == project)
            .order_by(col(Checkpoint.seq).desc(), col(Checkpoint.created_at).desc())
        )
        return list(session.exec(stmt).all())


def last_known_good(session: Session, project: str) -> Checkpoint | None:
    stmt = (
        select(Checkpoint)
        .where(Checkpoint.project == project, col(Checkpoint.known_good).is_(True))
        .order_by(col(Checkpoint.seq).desc(), col(Checkpoint.created_at).desc())
        .limit(1)
    )
    return session.exec(stmt).first()


def resolve_target(session: Session, project: str, spec: str) -> Target:
    """A checkpoint id, 'last-known-good', an ISO time or a sequence number, as a Target."""
    text = spec.strip()
    if text == LAST_KNOWN_GOOD:
        checkpoint = last_known_good(session, project)
        if checkpoint is None:
            raise RollbackTargetUnknown(
                f"project {project!r} has no known-good checkpoint: mark one with "
                "known_good=true when QA passes, or give a checkpoint id or a time"
            )
        return Target(text, checkpoint.seq, checkpoint)
    checkpoint = session.get(Checkpoint, text)
    # Another project's checkpoint is refused as an unknown one: its project may be hidden.
    if checkpoint is not None and checkpoint.project == project:
        return Target(text, checkpoint.seq, checkpoint)
    seq = event_seq(text, "target")
    if seq is not None:
        return Target(text, seq)
    when = parse_time(text)
    if when is None:
        raise RollbackTargetUnknown(
            f"{spec!r} is not a checkpoint of project {project!r}, 'last-known-good', an ISO "
            "time, a time ago (e.g. '2 hours ago') or an event sequence: list checkpoints with GET "
            f"/v1/projects/{project}/checkpoints"
        )
    return Target(text, seq_at_time(session, when))


def changes_since(store: Store, *, project: str, since: str) -> tuple[Target, list[Event]]:
    """The project's events after the target, oldest first."""
    with store.db.read() as session:
        ensure_project(session, project)
        target = resolve_target(session, project, since)
        events = session.exec(
            select(Event)
            .where(Event.project == project, col(Event.seq) > target.seq)
            .order_by(col(Event.seq))
        ).all()
    return target, list(events)


def changes_page(
    store: Store, *, project: str, since: str, after: int | None = None, limit: int
) -> ChangesPage:
    """Up to `limit` of the project's events after the target and after `after`, oldest first."""
    with store.db.read() as session:
        ensure_project(session, project)
        target = resolve_target(session, project, since)
        start = max(target.seq, after or 0)
        # One row beyond the page tells whether another page follows, without a count.
        events = session.exec(
            select(Event)
            .where(Event.project == project, col(Event.seq) > start)
            .order_by(col(Event.seq))
            .limit(limit + 1)
        ).all()
    page = list(events[:limit])
    more = len(events) > limit
    return ChangesPage(target, page, page[-1].seq if more and page else None)


def count_changes_since(session: Session, project: str, seq: int) -> int:
    stmt = select(func.count()).where(Event.project == project, col(Event.seq) > seq)
    return int(session.exec(stmt).one())
