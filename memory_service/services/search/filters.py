"""What every search shares: the request's filter, its result type, and the checks and
listing that need no ranking (a project that holds nothing, the newest memories)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from memory_service.errors import ProjectNotFound
from memory_service.models import Memory
from memory_service.schemas.search import ScoreExplain, SearchRequest
from memory_service.store.filters import MemoryFilter, sql_where


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


def ensure_project(session: Session, project: str | None) -> None:
    """Refuse a filter on a project that holds no memories, naming the known ones."""
    if project is None:
        return
    if session.exec(select(Memory.id).where(Memory.project == project).limit(1)).first():
        return
    known = session.exec(select(Memory.project).distinct().order_by(Memory.project)).all()
    raise ProjectNotFound(
        f"project {project!r} has no memories; known projects: "
        + (", ".join(known[:20]) if known else "none yet"),
        project=project,
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


def recent(session: Session, where: MemoryFilter, k: int, dialect: str) -> list[Memory]:
    """The newest memories under the filter."""
    stmt = (
        select(Memory)
        .where(*sql_where(where, dialect))
        .order_by(col(Memory.occurred_at).desc(), col(Memory.pk).desc())
        .limit(k)
    )
    return list(session.exec(stmt).all())
