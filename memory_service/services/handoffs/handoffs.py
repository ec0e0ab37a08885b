"""Handoffs: work passed between agents, stored as memories of kind `handoff`.

Creating, reading and listing live here; the state changes (acknowledge, complete) live
in `handoff_states`.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import ValidationError
from sqlmodel import Session

from memory_service.errors import MemoryNotFound
from memory_service.models import Memory
from memory_service.schemas.handoffs import (
    HandoffCreate,
    HandoffNote,
    HandoffPublic,
    InboxState,
    RefSummary,
)
from memory_service.schemas.memories import MemoryCreate
from memory_service.services.access.access import named_actor
from memory_service.services.memories import remember_many
from memory_service.services.projects import ensure_project
from memory_service.services.write_path.secrets import scrub
from memory_service.store import Store
from memory_service.store.filters import MemoryFilter, addressed_to
from memory_service.store.memories import load_memories, memory_by_id, newest_memories

ALL_STATES = ("open", "acknowledged", "completed")
STATES: dict[str, tuple[str, ...]] = {
    "open": ("open",),
    "acknowledged": ("acknowledged",),
    "completed": ("completed",),
    "active": ("open", "acknowledged"),
    "all": ALL_STATES,
}


def _receiver(memory: Memory, viewer: str | None) -> str:
    """Who the handoff is for: its named receiver, else the viewer when the addressing rule
    says it is the viewer's (a handoff remembered with the receiver's name as a tag)."""
    if memory.for_agents:
        return memory.for_agents[0]
    if viewer and addressed_to(viewer, for_agents=[], tags=memory.tags, author=memory.agent):
        return viewer
    return ""


def _public(memory: Memory, refs: dict[str, Memory], viewer: str | None) -> HandoffPublic:
    return HandoffPublic(
        id=memory.id,
        project=memory.project,
        from_agent=memory.agent,
        to_agent=_receiver(memory, viewer),
        title=memory.title,
        summary=memory.content,
        state=memory.status,  # type: ignore[arg-type]
        completed=memory.completed,
        pending=memory.pending,
        risks=memory.risks,
        refs=memory.refs,
        references=[
            RefSummary(id=r.id, kind=r.kind, title=r.title, status=r.status)
            for r in (refs.get(i) for i in memory.refs)
            if r is not None
        ],
        notes=_notes(memory.meta.get("notes")),
        topic=memory.topic,
        tags=memory.tags,
        session=memory.session,
        created_at=memory.recorded_at,
        updated_at=memory.updated_at,
        version=memory.version,
    )


def _notes(stored: object) -> list[HandoffNote]:
    """The handoff's ack and complete notes; an entry that is not one (written before notes
    were protected) is left out rather than failing every list that shows the handoff."""
    if not isinstance(stored, list):
        return []
    notes = []
    for entry in stored:
        try:
            notes.append(HandoffNote.model_validate(entry))
        except ValidationError:
            continue
    return notes


def public_handoffs(
    session: Session, memories: Sequence[Memory], *, viewer: str | None = None
) -> list[HandoffPublic]:
    """The handoffs as callers see them; `viewer`, the agent whose inbox lists them."""
    ids = {i for m in memories for i in m.refs}
    refs = load_memories(session, ids)
    return [_public(m, refs, viewer) for m in memories]


def create_handoff(
    store: Store,
    *,
    handoff: HandoffCreate,
    idempotency_key: str | None = None,
    token: str | None = None,
) -> HandoffPublic:
    """Record a handoff from one agent to another; it starts open. It is made like every
    memory (memories.remember_many), but never merged with an earlier handoff of the same
    summary: each handoff is its own piece of work."""
    # Scanned as the caller wrote it, so a refusal names the handoff's own fields.
    handoff = scrub(handoff, policy=store.settings.secrets)
    sender = named_actor(handoff.from_agent, "from_agent")
    item = MemoryCreate(
        project=handoff.project,
        agent=sender,
        kind="handoff",
        title=(handoff.title or "").strip() or None,
        content=handoff.summary,
        topic=handoff.topic,
        tags=handoff.tags,
        for_agents=[handoff.to_agent],
        session=handoff.session,
        refs=handoff.refs,
        completed=handoff.completed,
        pending=handoff.pending,
        risks=handoff.risks,
    )
    [made] = remember_many(
        store, items=[item], idempotency_key=idempotency_key, token=token, deduplicate=False
    )
    with store.db.read() as session:
        return public_handoffs(session, [made.memory])[0]


def get_handoff_row(
    session: Session, handoff_id: str, projects: tuple[str, ...] | None = None
) -> Memory:
    """The handoff's row, or MemoryNotFound naming what the id is instead (when the caller
    may see its project: `projects`, None for every one)."""
    memory = memory_by_id(session, handoff_id)
    if memory is None or (projects is not None and memory.project not in projects):
        raise MemoryNotFound(f"no handoff has id {handoff_id!r}", id=handoff_id)
    if memory.kind != "handoff":
        raise MemoryNotFound(
            f"memory {handoff_id!r} is a {memory.kind}, not a handoff: pass a handoff id "
            "(see the inbox)",
            id=handoff_id,
        )
    return memory


def get_handoff(
    store: Store, *, handoff_id: str, projects: tuple[str, ...] | None = None
) -> HandoffPublic:
    """A handoff by id, whatever its state, with its references (among `projects`)."""
    with store.db.read() as session:
        return public_handoffs(session, [get_handoff_row(session, handoff_id, projects)])[0]


def list_handoffs(
    store: Store,
    *,
    project: str | None = None,
    to_agent: str | None = None,
    from_agent: str | None = None,
    state: InboxState = "active",
    limit: int = 50,
    projects: tuple[str, ...] | None = None,
) -> list[HandoffPublic]:
    """Handoffs by receiver, sender, project and state, newest first (the inbox)."""
    wanted = STATES[state]
    where = MemoryFilter(
        project=project,
        projects=projects,
        agent=from_agent,
        kinds=("handoff",),
        for_agent=to_agent,
        exclude_statuses=("retracted", *(s for s in ALL_STATES if s not in wanted)),
    )
    with store.db.read() as session:
        ensure_project(session, project)
        rows = newest_memories(session, where, limit, store.db.dialect)
        return public_handoffs(session, rows, viewer=to_agent)
