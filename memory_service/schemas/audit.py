"""The audit log as GET /v1/audit returns it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class AuditEntryPublic(BaseModel):
    """One action: a change to a memory, a checkpoint, or a token created or revoked."""

    at: datetime
    action: str = Field(description="The event type (created, rolled_back ...), "
                        "checkpoint_created, token_created or token_revoked.")  # fmt: skip
    actor: str = Field(description="The agent the action was taken as.")
    principal: str | None = Field(
        description="The token that was used (its name); null in open local mode or the CLI."
    )
    project: str | None = None
    memory_id: str | None = None
    target: str | None = Field(default=None, description="The checkpoint id or token name.")
    details: dict[str, Any] = Field(default_factory=dict)


class AuditLog(BaseModel):
    entries: list[AuditEntryPublic] = Field(description="Newest first.")
