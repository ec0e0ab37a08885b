"""The web UI's checkpoints page (checkpoints and rollbacks on one timeline) and the page of
one rollback: what it went back to, why, and each memory it changed."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from memory_service.api.deps import PrincipalDep, StoreDep
from memory_service.errors import RollbackNotFound, RollbackTargetUnknown
from memory_service.services.access import access
from memory_service.services.history import checkpoints, rollback
from memory_service.ui import views
from memory_service.ui.routing import Text, UiRoute, optional
from memory_service.ui.templating import page

router = APIRouter(prefix="/ui", route_class=UiRoute, include_in_schema=False)


@router.get("/projects/{project}/checkpoints")
def checkpoints_page(
    request: Request, project: str, store: StoreDep, principal: PrincipalDep, done: Text = None
) -> Response:
    """Checkpoints and rollbacks on one timeline, each checkpoint with a rollback preview."""
    access.require_project(principal, project)
    marks = checkpoints.list_checkpoints(store, project=project)
    rollbacks = rollback.list_rollbacks(store, project=project)
    try:
        good, since = checkpoints.changes_since(
            store, project=project, since=checkpoints.LAST_KNOWN_GOOD
        )
    except RollbackTargetUnknown:  # no known-good checkpoint yet
        good, since = None, []
    finished = optional(done)
    return page(
        request,
        "checkpoints.html",
        project=project,
        section="checkpoints",
        entries=views.timeline(marks, rollbacks),
        titles=views.rollback_titles(rollbacks, marks),
        good=good.checkpoint if good else None,
        changes_since=len(since),
        memories_since=len({e.memory_id for e in since if e.memory_id}),
        done=next((r for r in rollbacks if r.id == finished), None),
        plural=views.plural,
    )


@router.get("/projects/{project}/rollbacks/{rollback_id}")
def rollback_page(
    request: Request, project: str, rollback_id: str, store: StoreDep, principal: PrincipalDep
) -> Response:
    """One rollback (or undo): its target, reason and scope, and each memory it changed."""
    access.require_project(principal, project)
    record = rollback.get_rollback(store, rollback_id=rollback_id)
    if record.project != project:
        # Another project's rollback is refused like an unknown one: that project may be hidden.
        raise RollbackNotFound(
            f"project {project!r} has no rollback with id {rollback_id!r}: open it from "
            "the checkpoints page",
            id=rollback_id,
        )
    marks = checkpoints.list_checkpoints(store, project=project)
    titles = views.rollback_titles(rollback.list_rollbacks(store, project=project), marks)
    return page(
        request,
        "rollback_done.html",
        project=project,
        section="checkpoints",
        record=record,
        title=titles.get(record.id, "Rollback"),
        titles=titles,
        events=rollback.rollback_changes(store, rollback_id=rollback_id),
        plural=views.plural,
    )
