"""Routes for a project's checkpoints and the changes made since one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from memory_service.api.deps import PrincipalDep, StoreDep
from memory_service.schemas.checkpoints import (
    CHANGES_PAGE,
    CHANGES_PAGE_MAX,
    ChangesResponse,
    CheckpointCreate,
    CheckpointPublic,
)
from memory_service.services.access import access
from memory_service.services.history import checkpoints
from memory_service.services.history.history import MAX_SEQ
from memory_service.services.history.public import changes_response, checkpoint_public

router = APIRouter(prefix="/v1/projects/{project}", tags=["checkpoints"])


@router.post("/checkpoints", status_code=status.HTTP_201_CREATED, response_model=CheckpointPublic)
def create_checkpoint(
    project: str, body: CheckpointCreate, store: StoreDep, principal: PrincipalDep
) -> CheckpointPublic:
    """Mark the project's current state; known_good=true when QA passed."""
    access.require_project(principal, project)
    agent = access.act_as(principal, body.agent, field="agent")
    body = body if agent == body.agent else body.model_copy(update={"agent": agent})
    return checkpoint_public(checkpoints.create_checkpoint(store, project=project, body=body))


@router.get("/checkpoints", response_model=list[CheckpointPublic])
def read_checkpoints(
    project: str, store: StoreDep, principal: PrincipalDep
) -> list[CheckpointPublic]:
    """The project's checkpoints, newest first."""
    access.require_project(principal, project)
    return [checkpoint_public(c) for c in checkpoints.list_checkpoints(store, project=project)]


@router.get("/changes", response_model=ChangesResponse)
def read_changes(
    project: str,
    store: StoreDep,
    principal: PrincipalDep,
    since: Annotated[
        str,
        Query(
            min_length=1,
            max_length=64,
            description="A checkpoint id, 'last-known-good', an ISO time or an event sequence.",
        ),
    ] = checkpoints.LAST_KNOWN_GOOD,
    after: Annotated[
        int | None,
        Query(
            ge=0,
            le=MAX_SEQ,
            description="The previous page's `next_after`: only changes after this sequence.",
        ),
    ] = None,
    limit: Annotated[
        int,
        Query(ge=1, le=CHANGES_PAGE_MAX, description="How many changes, oldest first."),
    ] = CHANGES_PAGE,
) -> ChangesResponse:
    """What changed after a checkpoint (default: the last known-good one), a page at a time."""
    access.require_project(principal, project)
    page = checkpoints.changes_page(store, project=project, since=since, after=after, limit=limit)
    return changes_response(project, page)
