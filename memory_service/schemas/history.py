"""A memory's versions as the event log recorded them."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

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
