"""The web UI at /ui: server-rendered pages over the same services as the JSON API.

Every page is a GET with its filters in the query string, so any view can be shared as a
link; the only writes (confirm a rollback, undo one) are POST forms guarded in `forms`.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from memory_service.api.deps import PrincipalDep, StoreDep
from memory_service.api.errors import STATUS
from memory_service.errors import (
    DomainError,
    InvalidInput,
    NothingToRollBack,
    RollbackTargetUnknown,
)
from memory_service.schemas.fields import DECISION_STATUSES, check_slug
from memory_service.schemas.history import RollbackRequest
from memory_service.services import (
    access,
    checkpoints,
    decision_log,
    handoffs,
    history,
    rollback,
)
from memory_service.services.decision_log import LogFilter
from memory_service.services.projects import list_projects
from memory_service.ui import views
from memory_service.ui.forms import check_form
from memory_service.ui.templating import page

PAGE_SIZE = 100
Text = Annotated[str | None, Query(max_length=200)]


class UiRoute(APIRoute):
    """A route whose refusals are HTML pages that say what to fix, not JSON bodies."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except DomainError as exc:
                status = STATUS.get(type(exc), 400)
                return page(request, "error.html", status, status=status, message=exc.message)
            except RequestValidationError as exc:
                message = "; ".join(
                    f"{'.'.join(str(p) for p in e['loc'][1:])}: {e['msg']}" for e in exc.errors()
                )
                return page(request, "error.html", 422, status=422, message=message)

        return guarded


router = APIRouter(prefix="/ui", route_class=UiRoute, include_in_schema=False)


def _opt(value: str | None) -> str | None:
    """A query or form value, with the empty string of an unset field as None."""
    return value.strip() if value and value.strip() else None


def _canonical(request: Request) -> Response | None:
    """A redirect to the same page without empty query values (what a bare form sends)."""
    params = request.query_params.multi_items()
    kept = [(k, v) for k, v in params if v.strip()]
    if len(kept) == len(params):
        return None
    url = request.url.replace(query=urlencode(kept))
    return RedirectResponse(str(url), status_code=303)


def _slug(name: str, value: str | None) -> str | None:
    value = _opt(value)
    if value is None:
        return None
    try:
        return check_slug(value)
    except ValueError as exc:
        raise InvalidInput(f"{name}: {exc}") from exc


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
    if redirect := _canonical(request):
        return redirect
    access.require_project(principal, project)
    wanted = LogFilter(
        status=_opt(status), topic=_opt(topic), tag=_opt(tag), agent=_opt(agent), query=_opt(q)
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
    if redirect := _canonical(request):
        return redirect
    access.require_project(principal, project)
    receiver = _opt(agent)
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


@router.get("/projects/{project}/checkpoints")
def checkpoints_page(
    request: Request, project: str, store: StoreDep, principal: PrincipalDep, done: Text = None
) -> Response:
    """Checkpoints and rollbacks on one timeline, each checkpoint with a rollback preview."""
    access.require_project(principal, project)
    marks = checkpoints.list_checkpoints(store, project=project)
    rollbacks = rollback.list_rollbacks(store, project=project)
    try:
        _, since = checkpoints.changes_since(
            store, project=project, since=checkpoints.LAST_KNOWN_GOOD
        )
        changes_since: int | None = len(since)
    except RollbackTargetUnknown:  # no known-good checkpoint yet
        changes_since = None
    return page(
        request,
        "checkpoints.html",
        project=project,
        section="checkpoints",
        entries=views.timeline(marks, rollbacks),
        changes_since=changes_since,
        done=_opt(done),
    )


def _preview(
    request: Request,
    store: StoreDep,
    project: str,
    target: RollbackRequest,
    *,
    actor: str = "",
    error: str | None = None,
) -> Response:
    # Read before the dry run: a change between the two makes the confirm refuse, never apply
    # a plan the reviewer did not see.
    seen = decision_log.last_event(store, project=project)
    try:
        outcome = rollback.rollback(store, project=project, request=target)
    except NothingToRollBack as exc:
        return page(
            request,
            "rollback.html",
            project=project,
            section="checkpoints",
            target=target,
            nothing=exc.message,
        )
    linked = decision_log.memories_by_id(store, ids=views.linked_ids(outcome.changes))
    return page(
        request,
        "rollback.html",
        422 if error else 200,
        project=project,
        section="checkpoints",
        target=target,
        outcome=outcome,
        seen=seen,
        titles={m.id: m.title for m in linked},
        field_text=views.field_text,
        shown_fields=views.shown_fields,
        diff=views.diff,
        actor=actor,
        error=error,
    )


def _request(to: str, agent: str | None, topic: str | None, *, dry_run: bool) -> RollbackRequest:
    try:
        return RollbackRequest(
            to=to, dry_run=dry_run, agent=_opt(agent), topic=_opt(topic), actor="reviewer"
        )
    except ValidationError as exc:
        problems = "; ".join(f"{e['loc'][0]}: {e['msg']}" for e in exc.errors())
        raise InvalidInput(problems.replace("Value error, ", "")) from exc


@router.get("/projects/{project}/rollback")
def rollback_preview(
    request: Request,
    project: str,
    store: StoreDep,
    principal: PrincipalDep,
    to: Annotated[str, Query(max_length=64)] = checkpoints.LAST_KNOWN_GOOD,
    agent: Text = None,
    topic: Text = None,
) -> Response:
    """What a rollback would change (the dry-run diff) and what it affects, before confirming."""
    scope = access.rollback_scope(principal, project, _opt(agent))
    return _preview(request, store, project, _request(to, scope, topic, dry_run=True))


@router.post("/projects/{project}/rollback", dependencies=[Depends(check_form)])
def rollback_confirm(
    request: Request,
    project: str,
    store: StoreDep,
    principal: PrincipalDep,
    to: Annotated[str, Form(max_length=64)],
    seen: Annotated[int, Form()],
    actor: Annotated[str, Form(max_length=64)] = "",
    agent: Annotated[str, Form(max_length=64)] = "",
    topic: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Apply the previewed rollback, unless the project changed since the preview."""
    scope = access.rollback_scope(principal, project, _opt(agent))
    target = _request(to, scope, topic, dry_run=True)
    try:
        who = _slug("actor", actor)
    except InvalidInput as exc:
        return _preview(request, store, project, target, actor=actor, error=exc.message)
    if who is None:
        error = "say who confirms the rollback: your name as a slug, e.g. 'qa-lead'"
        return _preview(request, store, project, target, actor=actor, error=error)
    if decision_log.last_event(store, project=project) != seen:
        error = "the project changed since this preview: check the new diff, then confirm again"
        return _preview(request, store, project, target, actor=who, error=error)
    who = access.act_as(principal, who, field="actor") or who
    done = rollback.rollback(
        store, project=project, request=target.model_copy(update={"dry_run": False, "actor": who})
    )
    rollback_id = done.rollback.id if done.rollback else ""
    return RedirectResponse(
        f"/ui/projects/{project}/checkpoints?done={rollback_id}", status_code=303
    )


@router.post("/rollbacks/{rollback_id}/undo", dependencies=[Depends(check_form)])
def undo_confirm(
    rollback_id: str,
    store: StoreDep,
    principal: PrincipalDep,
    actor: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Re-apply what a rollback reverted."""
    access.check_undo(principal, rollback.get_rollback(store, rollback_id=rollback_id))
    who = access.act_as(principal, _slug("actor", actor), field="actor")
    if who is None:
        raise InvalidInput("say who undoes the rollback: your name as a slug, e.g. 'qa-lead'")
    done = rollback.undo_rollback(store, rollback_id=rollback_id, actor=who)
    assert done.rollback is not None
    project = done.rollback.project
    return RedirectResponse(
        f"/ui/projects/{project}/checkpoints?done={done.rollback.id}", status_code=303
    )
