"""The history capability's answers as callers see them: checkpoints, the changes since
one, a memory's versions and a rollback's result, as public models."""

from __future__ import annotations

from collections.abc import Sequence

from memory_service.models import Checkpoint, Event, Rollback
from memory_service.schemas.checkpoints import (
    ChangePublic,
    ChangesResponse,
    CheckpointPublic,
    TargetPublic,
)
from memory_service.schemas.history import HistoryResponse, VersionPublic
from memory_service.schemas.memories import MemoryPublic
from memory_service.schemas.rollback import RollbackPublic, RollbackResult
from memory_service.services.history.checkpoints import ChangesPage, Target
from memory_service.services.history.history import (
    changed_fields,
    memory_as_of,
    memory_from_snapshot,
)
from memory_service.services.history.rollback import Outcome
from memory_service.services.views import to_public
from memory_service.store import Store


def checkpoint_public(checkpoint: Checkpoint) -> CheckpointPublic:
    return CheckpointPublic.model_validate(checkpoint, from_attributes=True)


def target_public(target: Target) -> TargetPublic:
    return TargetPublic(
        spec=target.spec,
        seq=target.seq,
        checkpoint=checkpoint_public(target.checkpoint) if target.checkpoint else None,
    )


def changes_response(project: str, page: ChangesPage) -> ChangesResponse:
    """A page of the events after a checkpoint, each with the kind and title of what it changed."""
    changes = []
    for e in page.events:
        after = memory_from_snapshot(e.after) if e.after else None
        changes.append(
            ChangePublic(
                seq=e.seq or 0,
                memory_id=e.memory_id,
                kind=after.kind if after else None,
                title=after.title if after else None,
                event=e.type,
                actor=e.actor,
                at=e.at,
                rollback_id=e.rollback_id,
            )
        )
    return ChangesResponse(
        project=project,
        since=target_public(page.target),
        changes=changes,
        next_after=page.next_after,
    )


def history_response(memory_id: str, events: Sequence[Event]) -> HistoryResponse:
    """Every version of a memory with the event that produced it."""
    return HistoryResponse(
        memory_id=memory_id,
        versions=[
            VersionPublic(
                seq=e.seq or 0,
                version=e.version or 0,
                event=e.type,
                actor=e.actor,
                at=e.at,
                rollback_id=e.rollback_id,
                changed_fields=changed_fields(e.before, e.after),
                memory=to_public(memory_from_snapshot(e.after or {})),
            )
            for e in events
        ],
    )


def rollback_result(project: str, outcome: Outcome, *, dry_run: bool) -> RollbackResult:
    """A rollback, its dry run or its undo: the target, the changes and their impact."""
    record = outcome.rollback
    return RollbackResult(
        id=record.id if record else None,
        project=project,
        dry_run=dry_run,
        target=target_public(outcome.target),
        undo_of=record.undo_of if record else None,
        reason=record.reason if record else None,
        changes=outcome.changes,
        impact=outcome.impact,
        kept=outcome.kept,
    )


def rollback_public(rollback: Rollback) -> RollbackPublic:
    return RollbackPublic.model_validate(rollback, from_attributes=True)


def read_memory_as_of(store: Store, *, memory_id: str, as_of: str) -> MemoryPublic:
    """A memory as it stood at `as_of` (an event sequence or an ISO time)."""
    memory, replacement = memory_as_of(store, memory_id=memory_id, as_of=as_of)
    return to_public(memory, replacement)
