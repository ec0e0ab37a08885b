"""Handoffs: work passed between agents, stored as memories of kind `handoff`.

Creating, reading and listing live here; the state changes (acknowledge, complete) live
in `handoff_states`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

from sqlmodel import Session, col, select
from ulid import ULID

from memory_service.errors import InvalidInput, MemoryNotFound
from memory_service.models import IdempotencyKey, Memory, utcnow
from memory_service.schemas.handoffs import (
    HandoffCreate,
    HandoffNote,
    HandoffPublic,
    InboxState,
    RefSummary,
)
from memory_service.services.access.access import required
from memory_service.services.indexing import indexing
from memory_service.services.memories import replayed_ids
from memory_service.services.search.filters import ensure_project
from memory_service.services.texts import default_title
from memory_service.services.write_path.changes import record_change
from memory_service.services.write_path.creation import content_hash
from memory_service.services.write_path.secrets import scrub
from memory_service.store import Store
from memory_service.store.filters import MemoryFilter, sql_where
from memory_service.store.lookups import load_memories

ALL_STATES = ("open", "acknowledged", "completed")
STATES: dict[str, tuple[str, ...]] = {
    "open": ("open",),
    "acknowledged": ("acknowledged",),
    "completed": ("completed",),
    "active": ("open", "acknowledged"),
    "all": ALL_STATES,
}


def _public(memory: Memory, refs: dict[str, Memory]) -> HandoffPublic:
    return HandoffPublic(
        id=memory.id,
        project=memory.project,
        from_agent=memory.agent,
        to_agent=memory.for_agents[0] if memory.for_agents else "",
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
        notes=[HandoffNote.model_validate(n) for n in memory.meta.get("notes", [])],
        topic=memory.topic,
        tags=memory.tags,
        session=memory.session,
        created_at=memory.recorded_at,
        updated_at=memory.updated_at,
        version=memory.version,
    )


def public_handoffs(session: Session, memories: Sequence[Memory]) -> list[HandoffPublic]:
    ids = {i for m in memories for i in m.refs}
    refs = load_memories(session, ids)
    return [_public(m, refs) for m in memories]


def _check_refs(session: Session, project: str, refs: list[str]) -> None:
    if not refs:
        return
    found = load_memories(session, refs)
    missing = [r for r in refs if r not in found]
    if missing:
        raise InvalidInput(
            f"refs name unknown memory ids: {', '.join(missing)}; refer to existing memories",
            missing=missing,
        )
    foreign = [r.id for r in found.values() if r.project != project]
    if foreign:
        raise InvalidInput(
            f"refs {', '.join(foreign)} belong to another project; a handoff of project "
            f"{project!r} may refer only to that project's memories",
            foreign=foreign,
        )


def _request_hash(handoff: HandoffCreate) -> str:
    body = json.dumps(handoff.model_dump(mode="json"), sort_keys=True)
    return hashlib.sha256(f"handoff\0{body}".encode()).hexdigest()


def _replay(session: Session, key: str, request_hash: str) -> Memory | None:
    ids = replayed_ids(session, key, request_hash)
    if ids is None:
        return None
    return session.exec(select(Memory).where(Memory.id == ids[0])).one()


def create_handoff(
    store: Store, *, handoff: HandoffCreate, idempotency_key: str | None = None
) -> HandoffPublic:
    """Record a handoff from one agent to another; it starts open."""
    handoff = scrub(handoff, policy=store.settings.secrets)
    sender = required(handoff.from_agent, "from_agent")
    request_hash = _request_hash(handoff)
    with store.db.write() as session:
        replayed = _replay(session, idempotency_key, request_hash) if idempotency_key else None
        if replayed is not None:
            return public_handoffs(session, [replayed])[0]
        _check_refs(session, handoff.project, handoff.refs)
        now = utcnow()
        memory = Memory(
            id=str(ULID()),
            project=handoff.project,
            agent=sender,
            kind="handoff",
            title=(handoff.title or "").strip() or default_title(handoff.summary),
            content=handoff.summary,
            topic=handoff.topic,
            tags=handoff.tags,
            for_agents=[handoff.to_agent],
            session=handoff.session,
            status="open",
            refs=handoff.refs,
            completed=handoff.completed,
            pending=handoff.pending,
            risks=handoff.risks,
            occurred_at=now,
            recorded_at=now,
            content_hash=content_hash(handoff.project, "handoff", handoff.summary),
        )
        record_change(session, memory=memory, event_type="created", actor=sender, before=None)
        if idempotency_key:
            session.add(
                IdempotencyKey(
                    key=idempotency_key, memory_ids=[memory.id], request_hash=request_hash
                )
            )
        public = public_handoffs(session, [memory])[0]
    indexing.sync(store)
    return public


def get_handoff_row(session: Session, handoff_id: str) -> Memory:
    """The handoff's row, or MemoryNotFound naming what the id is instead."""
    memory = session.exec(select(Memory).where(Memory.id == handoff_id)).first()
    if memory is None:
        raise MemoryNotFound(f"no handoff has id {handoff_id!r}", id=handoff_id)
    if memory.kind != "handoff":
        raise MemoryNotFound(
            f"memory {handoff_id!r} is a {memory.kind}, not a handoff: pass a handoff id "
            "(see the inbox)",
            id=handoff_id,
        )
    return memory


def get_handoff(store: Store, *, handoff_id: str) -> HandoffPublic:
    """A handoff by id, whatever its state, with its references."""
    with store.db.read() as session:
        return public_handoffs(session, [get_handoff_row(session, handoff_id)])[0]


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
        rows = session.exec(
            select(Memory)
            .where(*sql_where(where, store.db.dialect))
            .order_by(col(Memory.occurred_at).desc(), col(Memory.pk).desc())
            .limit(limit)
        ).all()
        return public_handoffs(session, rows)
