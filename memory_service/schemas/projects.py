"""Projects as callers see them: derived from the memories they hold."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class ProjectSummary(BaseModel):
    project: str
    memories: int
    decisions: int
    deliverables: int
    handoffs: int
    notes: int
    last_activity: datetime | None
