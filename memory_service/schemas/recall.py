"""Session-start recall: what an agent asks for and the sections it gets back."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from memory_service.schemas.checkpoints import CheckpointPublic
from memory_service.schemas.fields import Slug, Tags
from memory_service.schemas.memories import MemoryPublic
from memory_service.schemas.rollback import RollbackPublic


class RecallRequest(BaseModel):
    """What an agent needs at session start, fitted to a token budget."""

    model_config = ConfigDict(extra="forbid")

    agent: Slug | None = Field(
        default=None, description="Whose session it is; the token's agent if absent."
    )
    project: Slug
    query: str | None = Field(default=None, max_length=4000)
    tags: Tags = Field(
        default_factory=list,
        description="Relevant memories only with every one of these tags (the other "
        "sections are chosen by who they are addressed to, not by tags).",
    )
    budget_tokens: int = Field(default=1500, ge=50, le=100_000)
    format: Literal["json", "markdown"] = "json"


class RecallSections(BaseModel):
    handoffs: list[MemoryPublic] = Field(description="Open handoffs addressed to the agent.")
    references: list[MemoryPublic] = Field(
        default_factory=list, description="Decisions and deliverables the open handoffs cite."
    )
    decisions: list[MemoryPublic] = Field(description="Current decisions of the project.")
    deliverables: list[MemoryPublic] = Field(description="Deliverables meant for the agent.")
    relevant: list[MemoryPublic] = Field(description="Most relevant to the query, or recent.")


class RecallResponse(BaseModel):
    agent: str
    project: str
    budget_tokens: int
    used_tokens: int
    omitted: int = Field(description="Memories left out to fit the budget.")
    last_known_good: CheckpointPublic | None = Field(
        default=None, description="The project's newest known-good checkpoint."
    )
    last_rollback: RollbackPublic | None = Field(
        default=None, description="The newest rollback, when it came after that checkpoint."
    )
    changes_since_known_good: int | None = Field(
        default=None,
        description="Events recorded in the project after that checkpoint, or after the "
        "newest rollback when one came later (counting starts again from what it restored).",
    )
    sections: RecallSections
    markdown: str | None = None
