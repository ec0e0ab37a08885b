"""The web UI at /ui: server-rendered pages over the same services as the JSON API.

Every page is a GET with its filters in the query string, so any view can be shared as a
link. This module holds the pages of projects, decisions, memories and handoffs; the
rollback pages, whose writes are POST forms guarded in `forms`, are in `rollback_pages`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from memory_service.api.deps import PrincipalDep, StoreDep
from memory_service.errors import (
    InvalidInput,
)
from memory_service.schemas.fields import DECISION_STATUSES
from memory_service.services.access import access
from memory_service.services.decisions import decision_log
from memory_service.services.decisions.decision_log import LogFilter
from memory_service.services.handoffs import handoffs
from memory_service.services.history import history
from memory_service.services.projects import list_projects
from memory_service.ui import views
from memory_service.ui.routing import Text, UiRoute, canonical, optional
from memory_service.ui.templating import page

PAGE_SIZE = 100

router = APIRouter(prefix="/ui", route_class=UiRoute, include_in_schema=False)


@router.get("")
def projects_page(request: Request, store: StoreDep, principal: PrincipalDep) -> Response:
    """Every project (the token may use) with its counts and last activity."""
    visible = list_projects(store, projects=access.visible_projects(principal))
    return page(request, "projects.html", projects=visible)


@router.get("/projects/{project}")
def project_home(project: str) -> Response:
    """A project opens on its decision log."""
    return RedirectResponse(f"/ui/projects/{project}/decisions", status_code=307)


@router.get("/projects/{project}/decisions")
def decisions_page(
    request: Request,
    project: str,
    store: StoreDep,
    principal: PrincipalDep,
    q: Annotated[str | None, Query(max_length=500)] = None,
    status: Text = None,
    topic: Text = None,
    tag: Text = None,
    agent: Text = None,
    page_no: Annotated[int, Query(alias="page", ge=1, le=10_000)] = 1,
) -> Response:
    """The decision log: a timeline by month, filters, and hybrid search."""
    if redirect := canonical(request):
        return redirect
    access.require_project(principal, project)
    wanted = LogFilter(
        status=optional(status),
        topic=optional(topic),
        tag=optional(tag),
        agent=optional(agent),
        query=optional(q),
    )
    if wanted.status and wanted.status not in DECISION_STATUSES:
        raise InvalidInput(f"status must be one of {', '.join(DECISION_STATUSES)}")
    log = decision_log.decision_log(
        store, project=project, wanted=wanted, offset=(page_no - 1) * PAGE_SIZE, limit=PAGE_SIZE
    )
    params = {"q": wanted.query, "status": wanted.status, "topic": wanted.topic}
    params |= {"tag": wanted.tag, "agent": wanted.agent}
    return page(
        request,
        "decisions.html",
        project=project,
        section="decisions",
        log=log,
        months=[] if log.ranked else views.by_month(log.decisions),
        params=params,
        page_no=page_no,
        pages=max(1, -(-log.total // PAGE_SIZE)),
        statuses=DECISION_STATUSES,
    )


@router.get("/projects/{project}/decisions/{memory_id}")
@router.get("/projects/{project}/memories/{memory_id}")
def memory_page(
    request: Request,
    project: str,
    memory_id: str,
    store: StoreDep,
    principal: PrincipalDep,
    from_version: Annotated[int | None, Query(alias="from", ge=1)] = None,
    to_version: Annotated[int | None, Query(alias="to", ge=1)] = None,
) -> Response:
    """A decision (or any memory): its record, supersession chain, versions and references."""
    access.require_project(principal, project)
    memory = decision_log.get_in_project(store, project=project, memory_id=memory_id)
    events = history.memory_history(store, memory_id=memory_id)
    versions = {e.version: e for e in events if e.version and e.after}
    newest = max(versions)
    to_v = to_version if to_version in versions else newest
    from_v = from_version if from_version in versions else max(1, to_v - 1)
    compared = views.diff(
        views.version_text(versions[from_v].after or {}),
        views.version_text(versions[to_v].after or {}),
    )
    return page(
        request,
        "memory.html",
        project=project,
        section="decisions" if memory.kind == "decision" else "handoffs",
        memory=memory,
        chain=decision_log.supersession_chain(store, memory=memory),
        events=events,
        changed={e.seq: history.changed_fields(e.before, e.after) for e in events},
        from_v=from_v,
        to_v=to_v,
        compared=compared,
        referenced_by=decision_log.referencing(store, memory_id=memory_id),
        builds_on=decision_log.memories_by_id(store, ids=memory.refs),
    )


@router.get("/projects/{project}/handoffs")
def handoffs_page(
    request: Request, project: str, store: StoreDep, principal: PrincipalDep, agent: Text = None
) -> Response:
    """The handoff board: open, acknowledged and completed, by receiving agent."""
    if redirect := canonical(request):
        return redirect
    access.require_project(principal, project)
    receiver = optional(agent)
    every = handoffs.list_handoffs(store, project=project, state="all", limit=1000)
    shown = [h for h in every if receiver is None or h.to_agent == receiver]
    return page(
        request,
        "handoffs.html",
        project=project,
        section="handoffs",
        columns=views.board(shown),
        agents=sorted({h.to_agent for h in every}),
        agent=receiver,
        total=len(shown),
    )
