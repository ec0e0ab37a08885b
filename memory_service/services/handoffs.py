"""Handoffs: work passed between agents, stored as memories of kind `handoff`.

A handoff moves open -> acknowledged -> completed (or open -> completed); each move is
an event through the one write path, and its note is kept in the memory's metadata so
that the history shows who moved it, when and why.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

from sqlmodel import Session, col, select
from ulid import ULID

from memory_service.errors import InvalidInput, MemoryNotFound, StateConflict
from memory_service.models import IdempotencyKey, Memory, utcnow
from memory_service.schemas.handoffs import (
    HandoffCreate,
    HandoffNote,
    HandoffPublic,
    InboxState,
    RefSummary,
)
from memory_service.services import indexing
from memory_service.services.changes import record_change, snapshot
from memory_service.services.memories import content_hash, default_title
from memory_service.services.search import ensure_project
from memory_service.store import Store
from memory_service.store.filters import MemoryFilter, sql_where

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


def _with_refs(session: Session, memories: Sequence[Memory]) -> list[HandoffPublic]:
    ids = {i for m in memories for i in m.refs}
    rows = session.exec(select(Memory).where(col(Memory.id).in_(ids))).all() if ids else []
    refs = {r.id: r for r in rows}
    return [_public(m, refs) for m in memories]


def _check_refs(session: Session, project: str, refs: list[str]) -> None:
    if not refs:
        return
    rows = session.exec(select(Memory).where(col(Memory.id).in_(refs))).all()
    found = {r.id: r for r in rows}
    missing = [r for r in refs if r not in found]
    if missing:
        raise InvalidInput(
            f"refs name unknown memory ids: {', '.join(missing)}; refer to existing memories",
            missing=missing,
        )
    foreign = [r.id for r in rows if r.project != project]
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
    stored = session.get(IdempotencyKey, key)
    if stored is None:
        return None
    if stored.request_hash != request_hash:
        raise StateConflict(
            "this Idempotency-Key was already used with a different request body: "
            "use a new key for a new request",
            idempotency_key=key,
        )
    return session.exec(select(Memory).where(Memory.id == stored.memory_ids[0])).one()


def create_handoff(
    store: Store, *, handoff: HandoffCreate, idempotency_key: str | None = None
) -> HandoffPublic:
    """Record a handoff from one agent to another; it starts open."""
    request_hash = _request_hash(handoff)
    with store.db.write() as session:
        replayed = _replay(session, idempotency_key, request_hash) if idempotency_key else None
        if replayed is not None:
            return _with_refs(session, [replayed])[0]
        _check_refs(session, handoff.project, handoff.refs)
        now = utcnow()
        memory = Memory(
            id=str(ULID()),
            project=handoff.project,
            agent=handoff.from_agent,
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
        record_change(
            session, memory=memory, event_type="created", actor=handoff.from_agent, before=None
        )
        if idempotency_key:
            session.add(
                IdempotencyKey(
                    key=idempotency_key, memory_ids=[memory.id], request_hash=request_hash
                )
            )
        public = _with_refs(session, [memory])[0]
    indexing.sync(store)
    return public


def _get(session: Session, handoff_id: str) -> Memory:
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
        return _with_refs(session, [_get(session, handoff_id)])[0]


def list_handoffs(
    store: Store,
    *,
    project: str | None = None,
    to_agent: str | None = None,
    from_agent: str | None = None,
    state: InboxState = "active",
    limit: int = 50,
) -> list[HandoffPublic]:
    """Handoffs by receiver, sender, project and state, newest first (the inbox)."""
    wanted = STATES[state]
    where = MemoryFilter(
        project=project,
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
        return _with_refs(session, rows)


def _refusal(handoff_id: str, state: str, to_state: str) -> str:
    if state == "retracted":
        return f"handoff {handoff_id!r} was retracted; there is nothing to mark {to_state}"
    if state == to_state:
        return f"handoff {handoff_id!r} is already {state}" + (
            "; complete it when its pending work is done" if state == "acknowledged" else ""
        )
    return (
        f"handoff {handoff_id!r} is already {state}, so it cannot be {to_state} any more; "
        "record a new handoff for new work"
    )


def _transition(
    store: Store,
    *,
    handoff_id: str,
    to_state: str,
    allowed_from: tuple[str, ...],
    actor: str | None,
    note: str | None,
) -> HandoffPublic:
    with store.db.write() as session:
        memory = _get(session, handoff_id)
        receiver = memory.for_agents[0] if memory.for_agents else memory.agent
        actor = actor or receiver
        if memory.status not in allowed_from:
            raise StateConflict(_refusal(handoff_id, memory.status, to_state), state=memory.status)
        # Acknowledging says "I have it": only the receiver can; the sender may also
        # complete a handoff that became moot.
        permitted = (receiver,) if to_state == "acknowledged" else (receiver, memory.agent)
        if actor not in permitted:
            raise StateConflict(
                f"handoff {handoff_id!r} is addressed to {receiver!r}; {actor!r} cannot "
                f"mark it {to_state}: act as {receiver!r} (agentmem --agent {receiver})",
                receiver=receiver,
                actor=actor,
            )
        before = snapshot(memory)
        entry = HandoffNote(state=to_state, actor=actor, at=utcnow(), note=note)  # type: ignore[arg-type]
        notes = [*memory.meta.get("notes", []), entry.model_dump(mode="json")]
        memory.meta = {**memory.meta, "notes": notes}
        memory.status = to_state
        record_change(session, memory=memory, event_type=to_state, actor=actor, before=before)
        public = _with_refs(session, [memory])[0]
    indexing.sync(store)
    return public


def acknowledge_handoff(
    store: Store, *, handoff_id: str, actor: str | None = None, note: str | None = None
) -> HandoffPublic:
    """The receiver confirms it has taken the handoff (open -> acknowledged)."""
    return _transition(
        store,
        handoff_id=handoff_id,
        to_state="acknowledged",
        allowed_from=("open",),
        actor=actor,
        note=note,
    )


def complete_handoff(
    store: Store, *, handoff_id: str, actor: str | None = None, note: str | None = None
) -> HandoffPublic:
    """Close a handoff whose pending work is done (open or acknowledged -> completed)."""
    return _transition(
        store,
        handoff_id=handoff_id,
        to_state="completed",
        allowed_from=("open", "acknowledged"),
        actor=actor,
        note=note,
    )
