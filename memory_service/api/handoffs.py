"""Routes for /v1/handoffs: hand work over, read the inbox, acknowledge and complete."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Header, Query, status

from memory_service.api.deps import PrincipalDep, StoreDep
from memory_service.schemas.fields import Slug
from memory_service.schemas.handoffs import (
    HandoffCreate,
    HandoffList,
    HandoffPublic,
    HandoffTransition,
    InboxState,
)
from memory_service.services.access import access
from memory_service.services.access.access import Principal
from memory_service.services.handoffs import handoffs
from memory_service.services.handoffs import states as handoff_states

router = APIRouter(prefix="/v1/handoffs", tags=["handoffs"])

IdempotencyKeyHeader = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=200,
        description="Retries with the same key return the first response's handoff.",
    ),
]
TransitionBody = Annotated[HandoffTransition | None, Body()]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=HandoffPublic)
def create_handoff(
    body: HandoffCreate,
    store: StoreDep,
    principal: PrincipalDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> HandoffPublic:
    """Hand work to another agent: what is completed, what is pending, the risks."""
    access.require_project(principal, body.project)
    sender = access.act_as(principal, body.from_agent, field="from_agent")
    body = body if sender == body.from_agent else body.model_copy(update={"from_agent": sender})
    return handoffs.create_handoff(
        store, handoff=body, idempotency_key=idempotency_key, token=principal.name
    )


@router.get("", response_model=HandoffList)
def list_handoffs(
    store: StoreDep,
    principal: PrincipalDep,
    to_agent: Annotated[Slug | None, Query(description="The receiving agent (inbox).")] = None,
    from_agent: Annotated[Slug | None, Query(description="The sending agent.")] = None,
    project: Annotated[Slug | None, Query(description="Project slug.")] = None,
    state: Annotated[
        InboxState, Query(description="open, acknowledged, completed, active (not completed), all.")
    ] = "active",
    limit: Annotated[int, Query(ge=1, le=200, description="How many, newest first.")] = 50,
) -> HandoffList:
    """The inbox: handoffs to an agent (or from one), newest first."""
    if project:
        access.require_project(principal, project)
    found = handoffs.list_handoffs(
        store,
        projects=access.visible_projects(principal),
        project=project,
        to_agent=to_agent,
        from_agent=from_agent,
        state=state,
        limit=limit,
    )
    return HandoffList(handoffs=found)


def _visible(principal: Principal, store: StoreDep, handoff_id: str) -> HandoffPublic:
    """The handoff, if the token may see its project; a hidden one is as unknown."""
    projects = access.visible_projects(principal)
    return handoffs.get_handoff(store, handoff_id=handoff_id, projects=projects)


def _mover(principal: Principal, store: StoreDep, handoff_id: str, actor: str | None) -> str | None:
    """Who moves the handoff: it must be visible, and the actor the token's own agent."""
    _visible(principal, store, handoff_id)
    return access.act_as(principal, actor, field="actor")


@router.get("/{handoff_id}", response_model=HandoffPublic)
def read_handoff(handoff_id: str, store: StoreDep, principal: PrincipalDep) -> HandoffPublic:
    """A handoff by id, with its references and notes."""
    return _visible(principal, store, handoff_id)


@router.post("/{handoff_id}/ack", response_model=HandoffPublic)
def acknowledge_handoff(
    handoff_id: str, store: StoreDep, principal: PrincipalDep, body: TransitionBody = None
) -> HandoffPublic:
    """The receiver takes the handoff: open -> acknowledged, with an optional note."""
    body = body or HandoffTransition()
    actor = _mover(principal, store, handoff_id, body.actor)
    return handoff_states.acknowledge_handoff(
        store, handoff_id=handoff_id, actor=actor, note=body.note, token=principal.name
    )


@router.post("/{handoff_id}/complete", response_model=HandoffPublic)
def complete_handoff(
    handoff_id: str, store: StoreDep, principal: PrincipalDep, body: TransitionBody = None
) -> HandoffPublic:
    """The pending work is done: open or acknowledged -> completed, with a note."""
    body = body or HandoffTransition()
    actor = _mover(principal, store, handoff_id, body.actor)
    return handoff_states.complete_handoff(
        store, handoff_id=handoff_id, actor=actor, note=body.note, token=principal.name
    )
