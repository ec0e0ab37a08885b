"""Handoffs as callers write and read them: work passed from one agent to another."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    ValidationError,
    field_validator,
    model_validator,
)

from memory_service.schemas.fields import Slug, Tags, Topic, WorkItems, with_missing_actor

HandoffState = Literal["open", "acknowledged", "completed"]
InboxState = Literal["open", "acknowledged", "completed", "active", "all"]


class HandoffCreate(BaseModel):
    """Work handed from one agent to another: what is done, what is left, what to watch."""

    model_config = ConfigDict(extra="forbid")

    project: Slug = Field(description="Project slug.")
    from_agent: Slug | None = Field(
        default=None, description="The agent handing the work over; the token's agent if absent."
    )
    to_agent: Slug = Field(description="The agent receiving it.")
    summary: str = Field(min_length=1, max_length=8000, description="What is being handed over.")
    title: str | None = Field(
        default=None, max_length=300, description="Short title; the summary's first line."
    )
    completed: WorkItems = Field(default_factory=list, description="What is done.")
    pending: WorkItems = Field(default_factory=list, description="What is left to do.")
    risks: WorkItems = Field(default_factory=list, description="Constraints and risks.")
    refs: list[str] = Field(
        default_factory=list, description="Ids of the decisions and deliverables it builds on."
    )
    topic: Topic = Field(default=None, description="Topic slug, e.g. 'orders-api'.")
    tags: Tags = Field(default_factory=list, description="Tags; normalised to lowercase slugs.")
    session: str | None = Field(default=None, max_length=128, description="The agent run.")

    @model_validator(mode="wrap")
    @classmethod
    def _name_missing_sender(
        cls, data: Any, handler: ModelWrapValidatorHandler[HandoffCreate]
    ) -> HandoffCreate:
        try:
            return handler(data)
        except ValidationError as exc:
            raise with_missing_actor(exc, data, "from_agent") from None

    @field_validator("summary")
    @classmethod
    def _summary_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("summary is empty: say what is being handed over")
        return value.strip()

    @field_validator("refs")
    @classmethod
    def _unique_refs(cls, values: list[str]) -> list[str]:
        return list(dict.fromkeys(v.strip() for v in values if v.strip()))


class HandoffTransition(BaseModel):
    """Who acknowledges or completes a handoff, and an optional note kept in its history."""

    model_config = ConfigDict(extra="forbid")

    actor: Slug | None = Field(
        default=None, description="Who does it; the receiving agent if absent."
    )
    note: str | None = Field(default=None, max_length=4000, description="A note for the history.")


class HandoffNote(BaseModel):
    """A note left when the handoff changed state."""

    state: HandoffState
    actor: str
    at: datetime
    note: str | None = None


class RefSummary(BaseModel):
    """A memory a handoff refers to, as much as a reader needs to decide to open it."""

    id: str
    kind: str
    title: str
    status: str


class HandoffPublic(BaseModel):
    """A handoff as the service returns it."""

    id: str
    project: str
    from_agent: str
    to_agent: str
    title: str
    summary: str
    state: HandoffState
    completed: list[str]
    pending: list[str]
    risks: list[str]
    refs: list[str]
    references: list[RefSummary] = Field(description="The referenced memories, in refs order.")
    notes: list[HandoffNote] = Field(description="Notes left on acknowledge and complete.")
    topic: str | None
    tags: list[str]
    session: str | None
    created_at: datetime
    updated_at: datetime
    version: int


class HandoffList(BaseModel):
    handoffs: list[HandoffPublic]
