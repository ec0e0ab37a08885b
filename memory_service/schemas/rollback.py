"""Rollback and its undo: what to roll back to, the planned changes, their impact."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from memory_service.schemas.checkpoints import TargetPublic
from memory_service.schemas.fields import Slug, Topic


class RollbackRequest(BaseModel):
    """Restore a project (or one agent's or topic's memories) to an earlier state."""

    model_config = ConfigDict(extra="forbid")

    to: str = Field(
        min_length=1,
        max_length=64,
        description="A checkpoint id, 'last-known-good', an ISO time, a time ago such as "
        "'2 hours ago', or an event sequence.",
    )
    dry_run: bool = Field(default=False, description="Only show the diff and its impact.")
    agent: Slug | None = Field(default=None, description="Only memories authored by this agent.")
    topic: Topic = Field(default=None, description="Only memories on this topic.")
    actor: Slug | None = Field(default=None, description="Who rolls back; the token's agent.")
    reason: str | None = Field(
        default=None,
        max_length=1000,
        description="Why: e.g. the QA failure it answers. Kept with the rollback and shown "
        "in recall, the web UI and the audit.",
    )
    keep_addressed: bool = Field(
        default=True,
        description="Keep what other agents addressed to the actor (QA reports, handoffs "
        "to it): the evidence a rollback is usually about.",
    )


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


class KeptItem(BaseModel):
    """A memory in scope that the rollback leaves as it is, and why."""

    memory_id: str
    kind: str
    title: str
    why: Literal["addressed-to-you", "changed-by-others"]
    by: list[str] = Field(description="The agents whose work keeps it.")


class RollbackResult(BaseModel):
    id: str | None = Field(description="The rollback's id (none for a dry run).")
    project: str
    dry_run: bool
    target: TargetPublic
    undo_of: str | None = None
    reason: str | None = None
    changes: list[PlannedChange]
    impact: list[ImpactItem]
    kept: list[KeptItem] = Field(
        default_factory=list, description="Memories in scope left as they are, and why."
    )


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
    reason: str | None = None
    changed: int
    created_at: datetime
