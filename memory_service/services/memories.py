"""Remember, change, supersede and retract memories: the service functions behind the write API.

A status change is a move of the lifecycle (decisions/lifecycle.py, decisions/0066): its
`role` is the caller's (agent or reviewer; None for a trusted caller inside the service).
"""

from __future__ import annotations

import os
from contextlib import nullcontext

from sqlmodel import Session

from memory_service.errors import PayloadTooLarge, StateConflict
from memory_service.models import IdempotencyKey
from memory_service.schemas.memories import (
    MemoryCreate,
    MemoryPublic,
    MemoryUpdate,
)
from memory_service.services.answers import public_by_id
from memory_service.services.indexing import indexing
from memory_service.services.indexing.background import settle
from memory_service.services.indexing.early_embedding import embedding_early
from memory_service.services.views import to_public
from memory_service.services.write_path.changes import record_change, snapshot
from memory_service.services.write_path.creation import (
    Remembered,
    check_refs,
    content_hash,
    memory_row,
    store_new,
)
from memory_service.services.write_path.idempotency import replay, request_hash_of, scoped_key
from memory_service.services.write_path.limits import check_sizes, check_total_size
from memory_service.services.write_path.secrets import ScanBudget, scrub
from memory_service.services.write_path.status import (
    accept_candidate,
    check_retract,
    check_status_change,
)
from memory_service.services.write_path.supersession import supersede
from memory_service.store import Store
from memory_service.store.group_commit import Joint

# Single remembers answered ahead of the index writer, at most: past this, each waits for it.
MAX_UNINDEXED = 256
# What a remember's unit of work gives back: its results, and whether they were replayed.
_Stored = tuple[list[Remembered], bool]


def remember_many(
    store: Store,
    *,
    items: list[MemoryCreate],
    idempotency_key: str | None = None,
    token: str | None = None,
    deduplicate: bool = True,
) -> list[Remembered]:
    """Store memories in one transaction, then bring the vector index up to date: the one
    way every new memory is made (remember, batch, handoff). With `deduplicate`, an item
    whose content a live memory of its project and kind already holds is a replay of it, a
    version of it, or a new memory (decisions/0067)."""
    check_sizes(store, items)
    policy, budget = store.settings.secrets, ScanBudget(store.settings.max_scan_chars)
    items = [
        scrub(item, policy=policy, field=f"memories.{i}" if len(items) > 1 else "", budget=budget)
        for i, item in enumerate(items)
    ]
    # Dumped once: the byte budget and the idempotency hash both read the same JSON.
    dumped = [item.model_dump(mode="json") for item in items]
    for index, fields in enumerate(dumped):
        check_total_size(store, fields, index=index)
    request_hash = request_hash_of(dumped)
    if idempotency_key:
        idempotency_key = scoped_key(idempotency_key, token, items)

    def store_all(session: Session) -> _Stored:
        replayed = replay(session, idempotency_key, request_hash) if idempotency_key else None
        if replayed is not None:
            return replayed, True
        limit = store.settings.max_memory_bytes
        stored = _store(session, items, idempotency_key, request_hash, token, deduplicate, limit)
        return stored, False

    # The model embeds a batch's memories while SQL stores them (decisions/0027), and
    # concurrent remembers share one transaction and one fsync (decisions/0026). A single
    # memory is answered once committed, and the index writer embeds it with the others that
    # came meanwhile, so it is not embedded early; a batch, its own batching already,
    # indexes before it answers (decisions/0076).
    background = len(items) == 1 and store.indexer is not None
    joint = _joint(store, items, token, deduplicate) if not idempotency_key else None
    with nullcontext() if background else embedding_early(store, items):
        results, replayed = store.db.write_together(store_all, joint=joint)
        if not replayed:
            _after_commit(store, background=background)
    return results


def _joint(
    store: Store, items: list[MemoryCreate], token: str | None, deduplicate: bool
) -> Joint | None:
    """How a single remember is stored together with the others waiting for the same
    transaction: as one batch (decisions/0077)."""
    if len(items) != 1:
        return None
    limit = store.settings.max_memory_bytes

    def together(session: Session, alone: list[MemoryCreate]) -> list[_Stored]:
        stored = store_new(session, alone, token=token, deduplicate=deduplicate, max_bytes=limit)
        return [([r], False) for r in stored]

    return Joint(("remember", token, deduplicate, limit), together, items[0])


def _store(
    session: Session,
    items: list[MemoryCreate],
    idempotency_key: str | None,
    request_hash: str,
    token: str | None,
    deduplicate: bool,
    max_bytes: int,
) -> list[Remembered]:
    # A version a resend makes is bounded like a PATCH: the whole memory, not the item alone.
    results = store_new(session, items, token=token, deduplicate=deduplicate, max_bytes=max_bytes)
    if idempotency_key:
        session.add(
            IdempotencyKey(
                key=idempotency_key,
                memory_ids=[r.memory.id for r in results],
                request_hash=request_hash,
            )
        )
    return results


def _after_commit(store: Store, *, background: bool = False) -> None:
    if store.settings.fault_injection == "crash-after-commit":
        os._exit(70)  # simulate a crash after the SQL commit, before the index write
    if background and store.indexer is not None:
        store.indexer.nudge()
        if store.indexer.behind() > MAX_UNINDEXED:
            settle(store)  # the index writer is far behind: this writer waits for it
    else:
        indexing.sync(store)


def update_memory(
    store: Store,
    *,
    memory_id: str,
    changes: MemoryUpdate,
    token: str | None = None,
    role: str | None = None,
) -> MemoryPublic:
    """Apply changes as a new version; a no-op change makes no version. Accepting a
    proposal that names `supersedes` supersedes that decision in the same transaction."""
    budget = ScanBudget(store.settings.max_scan_chars)
    changes = scrub(changes, policy=store.settings.secrets, budget=budget)
    with store.db.write() as session:
        memory = memory_row(session, memory_id)
        if memory.status == "retracted":
            raise StateConflict(
                f"memory {memory_id!r} is retracted; roll back or undo to restore it first"
            )
        values = changes.model_dump(exclude_unset=True, exclude={"actor"})
        changed = changes.model_dump(mode="json", exclude_unset=True, exclude={"actor"})
        check_total_size(store, to_public(memory).model_dump(mode="json") | changed)
        if "status" in values:
            check_status_change(session, memory, values["status"], role=role)
        if "metadata" in values:
            if memory.kind == "handoff":
                # The notes are the receiver's record of ack and complete: kept, never edited.
                values["metadata"] = {
                    **values["metadata"],
                    "notes": memory.meta.get("notes", []),
                }
            values["meta"] = values.pop("metadata")
        if "content" in values:
            if len(values["content"].encode()) > store.settings.max_content_bytes:
                raise PayloadTooLarge(
                    f"content is over the {store.settings.max_content_bytes}-byte limit"
                )
            memory.content_hash = content_hash(memory.project, memory.kind, values["content"])
        if "refs" in values:
            check_refs(session, memory.project, values["refs"])
        before = snapshot(memory)
        for name, value in values.items():
            setattr(memory, name, value)
        if snapshot(memory) == before:
            return public_by_id(session, memory)
        event_type = "status_changed" if set(values) == {"status"} else "updated"
        actor = changes.actor or memory.agent
        record_change(
            session,
            memory=memory,
            event_type=event_type,
            actor=actor,
            token=token,
            before=before,
        )
        accept_candidate(session, memory, actor=actor, token=token)
        public = public_by_id(session, memory)
    _after_commit(store)
    return public


def retract_memory(
    store: Store, *, memory_id: str, actor: str | None = None, token: str | None = None
) -> MemoryPublic:
    """Hide a memory from search and recall; it stays in history and by id."""
    with store.db.write() as session:
        memory = memory_row(session, memory_id)
        if memory.status == "retracted":
            return public_by_id(session, memory)
        check_retract(session, memory)
        before = snapshot(memory)
        memory.status = "retracted"
        record_change(
            session,
            memory=memory,
            event_type="retracted",
            actor=actor or memory.agent,
            token=token,
            before=before,
        )
        public = public_by_id(session, memory)
    _after_commit(store)
    return public


def supersede_memory(
    store: Store, *, memory_id: str, by: str, actor: str | None = None, token: str | None = None
) -> MemoryPublic:
    """Mark a memory superseded by another of its project and kind, which then names it in
    `supersedes`; asked again for the same pair, it changes nothing."""
    with store.db.write() as session:
        old = memory_row(session, memory_id)
        new = memory_row(session, by)
        if old.superseded_by != new.id or new.supersedes != old.id:
            supersede(session, old=old, new=new, actor=actor or new.agent, token=token)
        public = public_by_id(session, old, new.title)
    _after_commit(store)
    return public
