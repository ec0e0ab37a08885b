"""Routes for /v1/memories: remember, list, read, change, supersede and retract."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, status

from memory_service.api.deps import PrincipalDep, StoreDep
from memory_service.errors import MemoryNotFound
from memory_service.schemas.fields import Slug
from memory_service.schemas.history import HistoryResponse
from memory_service.schemas.memories import (
    BatchCreate,
    BatchCreated,
    MemoryCreate,
    MemoryCreated,
    MemoryListQuery,
    MemoryPage,
    MemoryPublic,
    MemoryUpdate,
    SupersedeRequest,
)
from memory_service.services import answers, listing, memories
from memory_service.services.access import access
from memory_service.services.access.access import Principal
from memory_service.services.decisions.lifecycle import LINKED_ONLY
from memory_service.services.history import history
from memory_service.services.history.public import history_response, read_memory_as_of

router = APIRouter(prefix="/v1/memories", tags=["memories"])

IdempotencyKeyHeader = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=200,
        description="Retries with the same key return the first response's memories.",
    ),
]


def _authored(store: StoreDep, principal: Principal, item: MemoryCreate) -> MemoryCreate:
    access.require_project(principal, item.project)
    agent = access.act_as(principal, item.agent, field="agent")
    if item.supersedes and principal.role != "admin":
        _check_supersedes(store, principal, item)
    return item if agent == item.agent else item.model_copy(update={"agent": agent})


def _check_supersedes(store: StoreDep, principal: Principal, item: MemoryCreate) -> None:
    """Superseding a memory changes it, so it needs the right to change that memory; a
    proposal (or rejected one) naming it changes nothing of it, so reading it suffices."""
    try:
        old = answers.read_memory(store, memory_id=item.supersedes or "")
    except MemoryNotFound:
        return  # perhaps made earlier in the same batch: the write path checks it
    if item.kind == "decision" and item.status in LINKED_ONLY:
        access.check_read(principal, old)
    else:
        access.check_supersede(principal, old)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=MemoryCreated)
def create_memory(
    body: MemoryCreate,
    store: StoreDep,
    principal: PrincipalDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> MemoryCreated:
    """Remember a decision, deliverable, handoff or note."""
    item = _authored(store, principal, body)
    [result] = memories.remember_many(
        store, items=[item], idempotency_key=idempotency_key, token=principal.name
    )
    return answers.created_public(result)


@router.post("/batch", status_code=status.HTTP_201_CREATED, response_model=BatchCreated)
def create_memories(
    body: BatchCreate,
    store: StoreDep,
    principal: PrincipalDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> BatchCreated:
    """Remember up to 500 memories in one transaction and one embedding batch; each item
    says whether it was created, a duplicate (nothing stored) or a version."""
    items = [_authored(store, principal, item) for item in body.memories]
    results = memories.remember_many(
        store, items=items, idempotency_key=idempotency_key, token=principal.name
    )
    return answers.batch_created(results)


@router.get("", response_model=MemoryPage)
def list_memories(
    store: StoreDep, principal: PrincipalDep, query: Annotated[MemoryListQuery, Query()]
) -> MemoryPage:
    """Memories by tags, kind, agent, status, topic and time, newest first, page by page."""
    if query.project:
        access.require_project(principal, query.project)
    projects = access.visible_projects(principal)
    return listing.list_memories(store, query=query, projects=projects)


@router.get("/{memory_id}", response_model=MemoryPublic)
def read_memory(
    memory_id: str,
    store: StoreDep,
    principal: PrincipalDep,
    as_of: Annotated[
        str | None,
        Query(max_length=64, description="An event sequence or ISO time: the memory then."),
    ] = None,
) -> MemoryPublic:
    """A memory by id, whatever its status; superseded ones name their replacement."""
    # Checked before the time travel, whose errors would tell that a hidden memory exists.
    public = answers.read_memory(store, memory_id=memory_id)
    access.check_read(principal, public)
    if as_of is None:
        return public
    return read_memory_as_of(store, memory_id=memory_id, as_of=as_of)


@router.get("/{memory_id}/history", response_model=HistoryResponse)
def read_memory_history(
    memory_id: str, store: StoreDep, principal: PrincipalDep
) -> HistoryResponse:
    """Every version of a memory with the event that produced it, its actor and time."""
    access.check_read(principal, answers.read_memory(store, memory_id=memory_id))
    events = history.memory_history(store, memory_id=memory_id)
    return history_response(memory_id, events)


@router.patch("/{memory_id}", response_model=MemoryPublic)
def update_memory(
    memory_id: str, body: MemoryUpdate, store: StoreDep, principal: PrincipalDep
) -> MemoryPublic:
    """Change a memory: the change becomes a new version with its event. A status moves
    only as the decision lifecycle allows (409 naming the current and allowed states);
    accepting a proposal that names supersedes supersedes that decision with it."""
    memory = answers.read_memory(store, memory_id=memory_id)
    changes_status = "status" in body.model_fields_set
    access.check_change(principal, memory, status=body.status if changes_status else None)
    actor = access.act_as(principal, body.actor, field="actor")
    changes = body if actor == body.actor else body.model_copy(update={"actor": actor})
    return memories.update_memory(
        store, memory_id=memory_id, changes=changes, token=principal.name, role=principal.role
    )


@router.post("/{memory_id}/supersede", response_model=MemoryPublic)
def supersede_memory(
    memory_id: str, body: SupersedeRequest, store: StoreDep, principal: PrincipalDep
) -> MemoryPublic:
    """Mark a memory superseded by another of its project and kind, which names it back."""
    access.check_supersede(principal, answers.read_memory(store, memory_id=memory_id))
    # The replacement gains a version (its `supersedes`): a change to it as well.
    access.check_change(principal, answers.read_memory(store, memory_id=body.by))
    actor = access.act_as(principal, body.actor, field="actor")
    return memories.supersede_memory(
        store, memory_id=memory_id, by=body.by, actor=actor, token=principal.name
    )


@router.delete("/{memory_id}", response_model=MemoryPublic)
def retract_memory(
    memory_id: str,
    store: StoreDep,
    principal: PrincipalDep,
    actor: Annotated[Slug | None, Query(description="Who retracts it.")] = None,
) -> MemoryPublic:
    """Retract a memory: hidden from search and recall, kept in history and by id."""
    access.check_change(principal, answers.read_memory(store, memory_id=memory_id))
    actor = access.act_as(principal, actor, field="actor")
    return memories.retract_memory(store, memory_id=memory_id, actor=actor, token=principal.name)
