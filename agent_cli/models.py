"""The service's responses as the client reads them; unknown fields are kept, not refused.

These mirror the service's public models without importing them: `agent_cli` is a
client of the HTTP API and must work against any service that speaks it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Model(BaseModel):
    model_config = ConfigDict(extra="allow")


class Memory(Model):
    id: str
    project: str
    agent: str
    kind: str
    title: str
    content: str
    reasoning: str | None = None
    topic: str | None = None
    tags: list[str] = Field(default_factory=list)
    for_agents: list[str] = Field(default_factory=list)
    status: str
    supersedes: str | None = None
    superseded_by: str | None = None
    superseded_by_title: str | None = None
    refs: list[str] = Field(default_factory=list)
    metadata: dict[str, Any] = Field(default_factory=dict)
    completed: list[str] = Field(default_factory=list)
    pending: list[str] = Field(default_factory=list)
    risks: list[str] = Field(default_factory=list)
    occurred_at: datetime
    updated_at: datetime
    version: int


class ConflictRef(Model):
    id: str
    title: str


class Created(Memory):
    duplicate: bool = False
    conflicts: list[ConflictRef] = Field(default_factory=list)
    hint: str | None = None


class RefSummary(Model):
    id: str
    kind: str
    title: str
    status: str


class HandoffNote(Model):
    state: str
    actor: str
    at: datetime
    note: str | None = None


class Handoff(Model):
    id: str
    project: str
    from_agent: str
    to_agent: str
    title: str
    summary: str
    state: str
    completed: list[str] = Field(default_factory=list)
    pending: list[str] = Field(default_factory=list)
    risks: list[str] = Field(default_factory=list)
    refs: list[str] = Field(default_factory=list)
    references: list[RefSummary] = Field(default_factory=list)
    notes: list[HandoffNote] = Field(default_factory=list)
    created_at: datetime
    updated_at: datetime
    version: int


class SearchResult(Model):
    memory: Memory
    score: float


class Recall(Model):
    agent: str
    project: str
    budget_tokens: int
    used_tokens: int
    omitted: int
    sections: dict[str, list[Memory]]
    markdown: str | None = None


class Version(Model):
    seq: int
    version: int
    event: str
    actor: str
    at: datetime
    rollback_id: str | None = None
    changed_fields: list[str] = Field(default_factory=list)
    memory: Memory


class History(Model):
    memory_id: str
    versions: list[Version]


class Checkpoint(Model):
    id: str
    project: str
    label: str
    agent: str
    known_good: bool
    note: str | None = None
    seq: int
    created_at: datetime


class Target(Model):
    spec: str
    seq: int
    checkpoint: Checkpoint | None = None


class PlannedChange(Model):
    memory_id: str
    kind: str
    title: str
    action: str
    fields: dict[str, dict[str, Any]] = Field(default_factory=dict)


class ImpactItem(Model):
    memory_id: str
    kind: str
    title: str
    status: str
    references: list[str] = Field(default_factory=list)
    reverted: bool = False


class RollbackResult(Model):
    id: str | None = None
    project: str
    dry_run: bool
    target: Target
    undo_of: str | None = None
    changes: list[PlannedChange] = Field(default_factory=list)
    impact: list[ImpactItem] = Field(default_factory=list)


class RollbackRecord(Model):
    id: str
    project: str
    target: str
    actor: str
    undo_of: str | None = None
    undone_by: str | None = None
    changed: int = 0
    created_at: datetime


class NewMemory(BaseModel):
    """A memory to remember, as POST /v1/memories takes it."""

    model_config = ConfigDict(extra="forbid")

    project: str
    agent: str
    kind: str = "note"
    content: str
    title: str | None = None
    reasoning: str | None = None
    topic: str | None = None
    tags: list[str] = Field(default_factory=list)
    for_agents: list[str] = Field(default_factory=list)
    refs: list[str] = Field(default_factory=list)
    supersedes: str | None = None
    status: str | None = None
    on_conflict: str | None = None


class NewHandoff(BaseModel):
    """A handoff, as POST /v1/handoffs takes it."""

    model_config = ConfigDict(extra="forbid")

    project: str
    from_agent: str
    to_agent: str
    summary: str
    title: str | None = None
    completed: list[str] = Field(default_factory=list)
    pending: list[str] = Field(default_factory=list)
    risks: list[str] = Field(default_factory=list)
    refs: list[str] = Field(default_factory=list)


class AdrFile(Model):
    """One file of a decision-record folder (GET/POST /v1/projects/{project}/adr)."""

    name: str
    content: str


class AdrExport(Model):
    project: str
    files: list[AdrFile]


class AdrFileResult(Model):
    name: str
    result: str
    memory_id: str | None = None
    number: int | None = None


class AdrImportResult(Model):
    project: str
    created: int
    updated: int
    unchanged: int
    skipped: int
    files: list[AdrFileResult]
