"""Checkpoints: named points in a project's event sequence, and the changes since one."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from memory_service.schemas.fields import Slug

# A page of changes: enough for a session's worth by default, bounded so one answer stays small.
CHANGES_PAGE = 100
CHANGES_PAGE_MAX = 1000


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
    """One page of the changes after the target, oldest first."""

    project: str
    since: TargetPublic
    changes: list[ChangePublic]
    next_after: int | None = Field(
        default=None,
        description="More changes follow: pass this as `after` for the next page (null: none).",
    )
