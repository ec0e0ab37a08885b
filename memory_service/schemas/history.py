"""Models of versions, checkpoints, changes and rollbacks."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from memory_service.schemas.fields import Slug, Topic
from memory_service.schemas.memories import MemoryPublic


class VersionPublic(BaseModel):
    """One immutable version of a memory and the event that produced it."""

    seq: int
    version: int
    event: str
    actor: str
    at: datetime
    rollback_id: str | None
    changed_fields: list[str] = Field(description="Fields that differ from the version before.")
    memory: MemoryPublic


class HistoryResponse(BaseModel):
    memory_id: str
    versions: list[VersionPublic]


class CheckpointCreate(BaseModel):
    """A marker at the project's current state; known_good when QA passed."""

    model_config = ConfigDict(extra="forbid")

    label: str = Field(min_length=1, max_length=200, description="e.g. 'qa-passed-sprint-3'.")
    agent: Slug | None = Field(
        default=None, description="Who marks it (e.g. 'qa-engineer'); the token's agent if absent."
    )
    known_good: bool = Field(default=False, description="QA passed at this point.")
    note: str | None = Field(default=None, max_length=4000)


class CheckpointPublic(BaseModel):
    id: str
    project: str
    label: str
    agent: str
    known_good: bool
    note: str | None
    seq: int
    created_at: datetime


class TargetPublic(BaseModel):
    """Where a rollback or a change list starts from, resolved to an event sequence."""

    spec: str
    seq: int
    checkpoint: CheckpointPublic | None = None


class ChangePublic(BaseModel):
    """One event after the target."""

    seq: int
    memory_id: str | None
    kind: str | None
    title: str | None
    event: str
    actor: str
    at: datetime
    rollback_id: str | None


class ChangesResponse(BaseModel):
    project: str
    since: TargetPublic
    changes: list[ChangePublic]


class RollbackRequest(BaseModel):
    """Restore a project (or one agent's or topic's memories) to an earlier state."""

    model_config = ConfigDict(extra="forbid")

    to: str = Field(
        min_length=1,
        max_length=64,
        description="A checkpoint id, 'last-known-good', an ISO time or an event sequence.",
    )
    dry_run: bool = Field(default=False, description="Only show the diff and its impact.")
    agent: Slug | None = Field(default=None, description="Only memories authored by this agent.")
    topic: Topic = Field(default=None, description="Only memories on this topic.")
    actor: Slug | None = Field(default=None, description="Who rolls back; the token's agent.")


class UndoRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    actor: Slug | None = Field(
        default=None, description="Who undoes the rollback; the token's agent if absent."
    )


class FieldChange(BaseModel):
    before: Any
    after: Any


class PlannedChange(BaseModel):
    """What a rollback (or its undo) does to one memory."""

    memory_id: str
    kind: str
    title: str
    action: Literal["retract", "restore"]
    fields: dict[str, FieldChange]


class ImpactItem(BaseModel):
    """A deliverable or handoff that builds on a decision the rollback reverts."""

    memory_id: str
    kind: str
    title: str
    status: str
    references: list[str]
    reverted: bool = Field(description="The rollback reverts this memory too.")


class RollbackResult(BaseModel):
    id: str | None = Field(description="The rollback's id (none for a dry run).")
    project: str
    dry_run: bool
    target: TargetPublic
    undo_of: str | None = None
    changes: list[PlannedChange]
    impact: list[ImpactItem]


class RollbackPublic(BaseModel):
    id: str
    project: str
    target: str
    target_seq: int
    actor: str
    agent: str | None
    topic: str | None
    undo_of: str | None
    undone_by: str | None
    changed: int
    created_at: datetime
