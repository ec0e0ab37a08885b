"""Models of memories as callers write and read them."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    ValidationError,
    model_validator,
)

from memory_service.schemas.fields import (
    STATUSES_BY_KIND,
    Kind,
    MemoryId,
    Metadata,
    Slug,
    SlugList,
    Tags,
    Topic,
    UTCTime,
    WorkItems,
    with_missing_actor,
)


class DecisionOption(BaseModel):
    """One option a decision considered, with its pros and cons."""

    name: str = Field(min_length=1, max_length=300)
    description: str | None = None
    pros: list[str] = Field(default_factory=list)
    cons: list[str] = Field(default_factory=list)


class Consequences(BaseModel):
    """What the decision makes easier (good) and harder (bad)."""

    good: list[str] = Field(default_factory=list)
    bad: list[str] = Field(default_factory=list)


class DecisionFields(BaseModel):
    """MADR fields a decision may carry beside its content and reasoning."""

    context: str | None = Field(default=None, description="The problem the decision answers.")
    options: list[DecisionOption] | None = Field(default=None, description="Options considered.")
    outcome: str | None = Field(default=None, description="The chosen option.")
    consequences: Consequences | None = None
    decision_makers: SlugList | None = None


class MemoryBase(DecisionFields):
    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(
        default=None, max_length=300, description="Short title; defaults to the first line."
    )
    content: str = Field(min_length=1, description="The memory itself (at most 32 KB).")
    reasoning: str | None = Field(default=None, description="Why; required for decisions.")
    topic: Topic = Field(default=None, description="Topic slug, e.g. 'database-schema'.")
    tags: Tags = Field(default_factory=list, description="Tags; normalised to lowercase slugs.")
    for_agents: SlugList = Field(default_factory=list, description="Agents this is meant for.")
    session: str | None = Field(default=None, max_length=128, description="The agent run.")
    refs: list[str] = Field(default_factory=list, description="Ids of memories it builds on.")
    metadata: Metadata = Field(default_factory=dict, description="Free JSON object.")
    occurred_at: UTCTime | None = Field(default=None, description="When it happened; now.")


class MemoryCreate(MemoryBase):
    """A memory to remember."""

    project: Slug = Field(description="Project slug.")
    agent: Slug | None = Field(
        default=None, description="The authoring agent's slug; defaults to the token's agent."
    )
    kind: Kind = "note"
    status: str | None = Field(default=None, description="Defaults by kind (decision: accepted).")
    supersedes: str | None = Field(
        default=None,
        description="Id of the memory this replaces, of the same kind (decision by decision, "
        "note by note, deliverable by deliverable); a proposal naming it is a candidate "
        "replacement, which supersedes it once a reviewer accepts it.",
    )
    on_conflict: Literal["warn", "error"] = Field(
        default="warn",
        description="What to do when the topic already has an accepted decision.",
    )
    completed: WorkItems = Field(default_factory=list, description="A handoff's finished work.")
    pending: WorkItems = Field(default_factory=list, description="A handoff's work left to do.")
    risks: WorkItems = Field(default_factory=list, description="A handoff's risks.")

    @model_validator(mode="wrap")
    @classmethod
    def _name_missing_agent(
        cls, data: Any, handler: ModelWrapValidatorHandler[MemoryCreate]
    ) -> MemoryCreate:
        try:
            return handler(data)
        except ValidationError as exc:
            raise with_missing_actor(exc, data, "agent") from None

    @model_validator(mode="after")
    def _check_kind_rules(self) -> MemoryCreate:
        if not self.content.strip():
            raise ValueError("content is empty: give the memory some text")
        if self.kind == "decision" and not (self.reasoning and self.reasoning.strip()):
            raise ValueError("reasoning is required for a decision: say why it was decided")
        if self.status is not None and self.status not in STATUSES_BY_KIND[self.kind]:
            allowed = ", ".join(STATUSES_BY_KIND[self.kind])
            raise ValueError(f"status {self.status!r} is not valid for a {self.kind}: {allowed}")
        if self.supersedes is not None and self.kind == "handoff":
            raise ValueError(
                "a handoff supersedes nothing: complete or retract the earlier handoff, and "
                "cite it in refs"
            )
        if self.kind != "handoff" and (self.completed or self.pending or self.risks):
            raise ValueError("completed, pending and risks belong to a handoff: set kind=handoff")
        if self.kind == "handoff" and "notes" in self.metadata:
            raise ValueError(
                "metadata.notes of a handoff are written by its receiver's ack and complete: "
                "leave them out (use another metadata key for your own notes)"
            )
        return self


class MemoryUpdate(DecisionFields):
    """Fields to change; each change makes a new version."""

    model_config = ConfigDict(extra="forbid")

    actor: Slug | None = Field(default=None, description="Who changes it; the author if absent.")
    title: str | None = Field(default=None, max_length=300)
    content: str | None = Field(default=None, min_length=1)
    reasoning: str | None = None
    topic: Topic = None
    tags: Tags | None = None
    for_agents: SlugList | None = None
    status: str | None = None
    refs: list[str] | None = None
    metadata: Metadata | None = None
    occurred_at: UTCTime | None = None


class ConflictRef(BaseModel):
    id: str
    title: str


class MemoryPublic(BaseModel):
    """A memory as the service returns it."""

    id: str
    project: str
    agent: str
    kind: str
    title: str
    content: str
    reasoning: str | None
    topic: str | None
    tags: list[str]
    for_agents: list[str]
    session: str | None
    status: str
    supersedes: str | None
    superseded_by: str | None
    superseded_by_title: str | None = None
    candidates: list[str] | None = Field(
        default=None,
        description="Proposals naming it in supersedes (candidate replacements, superseding "
        "it once accepted); given by id and in write answers, null in lists and search.",
    )
    refs: list[str]
    metadata: dict[str, Any]
    context: str | None
    options: list[DecisionOption]
    outcome: str | None
    consequences: Consequences
    decision_makers: list[str]
    completed: list[str]
    pending: list[str]
    risks: list[str]
    occurred_at: datetime
    recorded_at: datetime
    updated_at: datetime
    version: int


# What a remember did with an item (decisions/0067).
WriteResult = Literal["created", "duplicate", "version"]


class MemoryCreated(MemoryPublic):
    """The stored memory, plus what the service noticed while storing it."""

    # Not `outcome`: that is a decision's chosen option (MADR).
    result: WriteResult = Field(
        default="created",
        description="created; duplicate: already stored, nothing written; version: your "
        "memory of the same content, with the other fields sent as its new version.",
    )
    duplicate: bool = Field(default=False, description="result is duplicate.")
    conflicts: list[ConflictRef] = Field(default_factory=list)
    hint: str | None = None


class BatchCreate(BaseModel):
    """Up to 500 memories remembered in one request, with one embedding batch."""

    model_config = ConfigDict(extra="forbid")

    memories: list[MemoryCreate] = Field(min_length=1)


class BatchCreated(BaseModel):
    """Each item's memory in order, and how many items had each result: the items stored
    (created and versions) are those sent less the duplicates named."""

    memories: list[MemoryCreated]
    created: int = 0
    versions: int = 0
    duplicates: int = 0


# Every status a memory can have, whatever its kind; `retracted` is any kind's.
MemoryStatus = Literal[
    "proposed",
    "accepted",
    "rejected",
    "deprecated",
    "superseded",
    "open",
    "acknowledged",
    "completed",
    "active",
    "retracted",
]


class MemoryListQuery(BaseModel):
    """GET /v1/memories: memories by their fields, newest first, a page at a time."""

    model_config = ConfigDict(extra="forbid")

    project: Slug | None = Field(
        default=None, description="Project slug; every project the token may use if absent."
    )
    tags: Tags = Field(default_factory=list, description="Every one of these tags (repeat).")
    tags_any: Tags = Field(default_factory=list, description="At least one of these tags.")
    kind: list[Kind] = Field(default_factory=list, description="Any of these kinds (repeat).")
    agent: Slug | None = Field(default=None, description="Written by this agent.")
    for_agent: Slug | None = Field(
        default=None,
        description="Addressed to this agent: in for_agents, or tagged with it by another.",
    )
    status: list[MemoryStatus] = Field(
        default_factory=list,
        description="Any of these statuses (repeat). Absent: the live ones, i.e. every "
        "status but retracted and superseded; status=superseded lists the replaced ones.",
    )
    topic: Topic = Field(default=None, description="Topic slug.")
    since: UTCTime | None = Field(default=None, description="occurred_at at or after (ISO).")
    limit: int = Field(default=50, ge=1, le=200, description="Memories per page.")
    cursor: str | None = Field(
        default=None,
        max_length=200,
        description="The previous page's next_cursor; absent for the first page.",
    )


class MemoryPage(BaseModel):
    """One page of a listing; pass next_cursor as cursor for the next (null: the last)."""

    memories: list[MemoryPublic]
    next_cursor: str | None = None


class SupersedeRequest(BaseModel):
    """Mark a memory superseded by another of its project and kind."""

    model_config = ConfigDict(extra="forbid")

    by: MemoryId = Field(
        min_length=1, max_length=64, description="Id of the memory that replaces it."
    )
    actor: Slug | None = Field(default=None, description="Who supersedes it; the token's agent.")
