"""Routes for /v1/handoffs: hand work over, read the inbox, acknowledge and complete."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Header, Query, status

from memory_service.api.deps import StoreDep
from memory_service.schemas.fields import Slug
from memory_service.schemas.handoffs import (
    HandoffCreate,
    HandoffList,
    HandoffPublic,
    HandoffTransition,
    InboxState,
)
from memory_service.services import handoff_states, handoffs

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
    body: HandoffCreate, store: StoreDep, idempotency_key: IdempotencyKeyHeader = None
) -> HandoffPublic:
    """Hand work to another agent: what is completed, what is pending, the risks."""
    return handoffs.create_handoff(store, handoff=body, idempotency_key=idempotency_key)


@router.get("", response_model=HandoffList)
def list_handoffs(
    store: StoreDep,
    to_agent: Annotated[Slug | None, Query(description="The receiving agent (inbox).")] = None,
    from_agent: Annotated[Slug | None, Query(description="The sending agent.")] = None,
    project: Annotated[Slug | None, Query(description="Project slug.")] = None,
    state: Annotated[
        InboxState, Query(description="open, acknowledged, completed, active (not completed), all.")
    ] = "active",
    limit: Annotated[int, Query(ge=1, le=200, description="How many, newest first.")] = 50,
) -> HandoffList:
    """The inbox: handoffs to an agent (or from one), newest first."""
    found = handoffs.list_handoffs(
        store,
        project=project,
        to_agent=to_agent,
        from_agent=from_agent,
        state=state,
        limit=limit,
    )
    return HandoffList(handoffs=found)


@router.get("/{handoff_id}", response_model=HandoffPublic)
def read_handoff(handoff_id: str, store: StoreDep) -> HandoffPublic:
    """A handoff by id, with its references and notes."""
    return handoffs.get_handoff(store, handoff_id=handoff_id)


@router.post("/{handoff_id}/ack", response_model=HandoffPublic)
def acknowledge_handoff(
    handoff_id: str, store: StoreDep, body: TransitionBody = None
) -> HandoffPublic:
    """The receiver takes the handoff: open -> acknowledged, with an optional note."""
    body = body or HandoffTransition()
    return handoff_states.acknowledge_handoff(
        store, handoff_id=handoff_id, actor=body.actor, note=body.note
    )


@router.post("/{handoff_id}/complete", response_model=HandoffPublic)
def complete_handoff(
    handoff_id: str, store: StoreDep, body: TransitionBody = None
) -> HandoffPublic:
    """The pending work is done: open or acknowledged -> completed, with a note."""
    body = body or HandoffTransition()
    return handoff_states.complete_handoff(
        store, handoff_id=handoff_id, actor=body.actor, note=body.note
    )
