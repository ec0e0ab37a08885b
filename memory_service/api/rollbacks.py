"""Routes for rolling a project back to an earlier state, and undoing a rollback."""

from __future__ import annotations

from fastapi import APIRouter

from memory_service.api.deps import PrincipalDep, StoreDep
from memory_service.schemas.rollback import (
    RollbackPublic,
    RollbackRequest,
    RollbackResult,
    UndoRequest,
)
from memory_service.services.access import access
from memory_service.services.history import rollback as rollbacks
from memory_service.services.history.public import rollback_public, rollback_result

router = APIRouter(prefix="/v1", tags=["rollbacks"])


@router.post("/projects/{project}/rollback", response_model=RollbackResult)
def rollback_project(
    project: str, body: RollbackRequest, store: StoreDep, principal: PrincipalDep
) -> RollbackResult:
    """Restore the project (or one agent's or topic's memories) to a checkpoint or time."""
    scope = access.rollback_scope(principal, project, body.agent)
    actor = access.act_as(principal, body.actor, field="actor")
    body = body.model_copy(update={"agent": scope, "actor": actor})
    outcome = rollbacks.rollback(store, project=project, request=body, token=principal.name)
    return rollback_result(project, outcome, dry_run=body.dry_run)


@router.get("/projects/{project}/rollbacks", response_model=list[RollbackPublic])
def read_rollbacks(project: str, store: StoreDep, principal: PrincipalDep) -> list[RollbackPublic]:
    """The project's rollbacks and undos, newest first."""
    access.require_project(principal, project)
    return [rollback_public(r) for r in rollbacks.list_rollbacks(store, project=project)]


@router.post("/rollbacks/{rollback_id}/undo", response_model=RollbackResult)
def undo_rollback(
    rollback_id: str, body: UndoRequest, store: StoreDep, principal: PrincipalDep
) -> RollbackResult:
    """Re-apply what a rollback reverted (refused if those memories changed since)."""
    access.check_undo(principal, rollbacks.get_rollback(store, rollback_id=rollback_id))
    actor = access.named_actor(access.act_as(principal, body.actor, field="actor"), "actor")
    outcome = rollbacks.undo_rollback(
        store, rollback_id=rollback_id, actor=actor, token=principal.name
    )
    assert outcome.rollback is not None
    return rollback_result(outcome.rollback.project, outcome, dry_run=False)
