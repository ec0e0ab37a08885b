"""The web UI's rollbacks: the preview (a dry run) a reviewer confirms by name, and undo.
The only writes of the UI, as POST forms guarded in `forms`; a confirm after the project
changed since its preview is refused. The checkpoints page is in `checkpoint_pages`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query
from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from memory_service.api.deps import PrincipalDep, StoreDep
from memory_service.errors import InvalidInput, NothingToRollBack
from memory_service.schemas.rollback import RollbackRequest
from memory_service.services.access import access
from memory_service.services.decisions import decision_log
from memory_service.services.history import checkpoints, rollback
from memory_service.ui import diffs
from memory_service.ui.forms import check_form
from memory_service.ui.routing import Text, UiRoute, optional, slug
from memory_service.ui.templating import page

router = APIRouter(prefix="/ui", route_class=UiRoute, include_in_schema=False)


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
    linked = decision_log.memories_by_id(store, ids=diffs.linked_ids(outcome.changes))
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
        shown_fields=diffs.shown_fields,
        change_diff=diffs.change_diff,
        actor=actor,
        error=error,
    )


def _request(to: str, agent: str | None, topic: str | None, *, dry_run: bool) -> RollbackRequest:
    try:
        return RollbackRequest(
            to=to, dry_run=dry_run, agent=optional(agent), topic=optional(topic), actor="reviewer"
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
    scope = access.rollback_scope(principal, project, optional(agent))
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
    reason: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """Apply the previewed rollback, unless the project changed since the preview."""
    scope = access.rollback_scope(principal, project, optional(agent))
    target = _request(to, scope, topic, dry_run=True)
    try:
        who = slug("actor", actor)
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
        store,
        project=project,
        request=target.model_copy(
            update={"dry_run": False, "actor": who, "reason": reason.strip() or None}
        ),
        token=principal.name,
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
    who = access.act_as(principal, slug("actor", actor), field="actor")
    if who is None:
        raise InvalidInput("say who undoes the rollback: your name as a slug, e.g. 'qa-lead'")
    done = rollback.undo_rollback(store, rollback_id=rollback_id, actor=who, token=principal.name)
    assert done.rollback is not None
    project = done.rollback.project
    return RedirectResponse(
        f"/ui/projects/{project}/checkpoints?done={done.rollback.id}", status_code=303
    )
