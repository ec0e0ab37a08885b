"""What every search shares: the request's filter, its result type, and the checks and
listing that need no ranking (a project that holds nothing, the newest memories)."""

from __future__ import annotations

from dataclasses import dataclass

from memory_service.models import Memory
from memory_service.schemas.search import ScoreExplain, SearchRequest
from memory_service.store.filters import MemoryFilter


@dataclass
class Hit:
    memory: Memory
    score: float
    explain: ScoreExplain | None


def build_filter(request: SearchRequest, projects: tuple[str, ...] | None = None) -> MemoryFilter:
    excluded = ("retracted",) if request.include_superseded else ("retracted", "superseded")
    return MemoryFilter(
        project=request.project,
        projects=projects,
        agent=request.agent,
        kinds=tuple(request.kinds),
        topic=request.topic,
        tags_all=tuple(request.tags_all),
        tags_any=tuple(request.tags_any),
        for_agent=request.for_agent,
        since=request.since,
        until=request.until,
        exclude_statuses=excluded,
    )


def has_filter(f: MemoryFilter) -> bool:
    return any(
        (
            f.project,
            f.agent,
            f.kinds,
            f.topic,
            f.tags_all,
            f.tags_any,
            f.for_agent,
            f.since,
            f.until,
        )
    )
