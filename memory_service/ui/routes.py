"""The web UI at /ui: server-rendered pages over the same services as the JSON API.

Every page is a GET with its filters in the query string, so any view can be shared as a
link. This module holds the pages of projects, the decision log and handoffs; a memory's
own page is in `memory_pages`, checkpoints in `checkpoint_pages`, and the rollback pages,
whose writes are POST forms guarded in `forms`, in `rollback_pages`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from memory_service.api.deps import PrincipalDep, StoreDep
from memory_service.errors import InvalidInput
from memory_service.schemas.fields import DECISION_STATUSES
from memory_service.services.access import access
from memory_service.services.decisions import decision_log
from memory_service.services.decisions.decision_log import SEARCH_LIMIT, LogFilter
from memory_service.services.handoffs import handoffs
from memory_service.services.projects import list_projects
from memory_service.store.keyword import query_terms
from memory_service.ui import excerpts, views
from memory_service.ui.routing import Text, UiRoute, canonical, optional
from memory_service.ui.templating import page, query

PAGE_SIZE = 100
# Ranked results are read closely, one excerpt each: fewer to a page than the timeline.
RESULTS_PAGE_SIZE = 20

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
    """The decision log: a timeline by month and filters, or search results by relevance."""
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
    size = RESULTS_PAGE_SIZE if wanted.query else PAGE_SIZE
    log = decision_log.decision_log(
        store, project=project, wanted=wanted, offset=(page_no - 1) * size, limit=size
    )
    terms = query_terms(wanted.query or "")
    params = {"q": wanted.query, "status": wanted.status, "topic": wanted.topic}
    params |= {"tag": wanted.tag, "agent": wanted.agent}
    topics = {m.topic for m in log.decisions if m.topic}
    summary = views.log_summary(
        found=log.total,
        of=log.facets.total,
        project=project,
        wanted=wanted,
        capped=log.ranked and log.total >= SEARCH_LIMIT,
    )
    return page(
        request,
        "decisions.html",
        project=project,
        section="decisions",
        log=log,
        summary=summary,
        months=[] if log.ranked else views.by_month(log.decisions),
        excerpts={m.id: excerpts.excerpt(m, terms) for m in log.decisions} if log.ranked else {},
        topic_urls={t: query(params, topic=t, page=None) for t in topics},
        terms=terms,
        params=params,
        page_no=page_no,
        first=(page_no - 1) * size + 1,
        pages=max(1, -(-log.total // size)),
        statuses=DECISION_STATUSES,
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
    superseded = decision_log.memories_by_id(store, ids=views.replaced_refs(shown))
    newer = decision_log.memories_by_id(
        store, ids=[m.superseded_by for m in superseded if m.superseded_by]
    )
    return page(
        request,
        "handoffs.html",
        project=project,
        section="handoffs",
        columns=views.board(shown),
        agents=sorted({h.to_agent for h in every}),
        agent=receiver,
        total=len(shown),
        replaced=views.replacements(superseded, {m.id: m.title for m in newer}),
    )
