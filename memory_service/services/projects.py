"""Projects: derived from the memories they hold."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, select

from memory_service.errors import ProjectNotFound
from memory_service.models import Memory
from memory_service.schemas.projects import ProjectSummary
from memory_service.store import Store


def list_projects(store: Store, *, projects: tuple[str, ...] | None = None) -> list[ProjectSummary]:
    """Projects (all, or those named) with counts by kind and last activity."""
    m = Memory.__table__.c  # type: ignore[attr-defined]
    live = m.status != "retracted"

    def of_kind(kind: str) -> sa.ColumnElement[int]:
        return sa.func.sum(sa.case((sa.and_(live, m.kind == kind), 1), else_=0))

    stmt = (
        sa.select(
            m.project,
            sa.func.sum(sa.case((live, 1), else_=0)),
            of_kind("decision"),
            of_kind("deliverable"),
            of_kind("handoff"),
            of_kind("note"),
            sa.func.max(m.updated_at),
        )
        .group_by(m.project)
        .order_by(m.project)
    )
    if projects is not None:
        stmt = stmt.where(m.project.in_(projects))
    with store.db.read() as session:
        rows = session.execute(stmt).all()
    return [
        ProjectSummary(
            project=r[0],
            memories=int(r[1] or 0),
            decisions=int(r[2] or 0),
            deliverables=int(r[3] or 0),
            handoffs=int(r[4] or 0),
            notes=int(r[5] or 0),
            last_activity=r[6],
        )
        for r in rows
    ]


def ensure_project(session: Session, project: str | None) -> None:
    """Refuse a filter on a project that holds no memories. Other projects are not named:
    the caller may not see them (GET /v1/projects lists those it may)."""
    if project is None:
        return
    if session.exec(select(Memory.id).where(Memory.project == project).limit(1)).first():
        return
    raise ProjectNotFound(
        f"project {project!r} has no memories: check its spelling (GET /v1/projects lists "
        "the projects you may use)",
        project=project,
    )
