"""Remember, change, supersede and retract memories: the service functions behind the write API."""

from __future__ import annotations

import hashlib
import json
import os

from sqlmodel import Session, select

from memory_service.errors import (
    InvalidInput,
    PayloadTooLarge,
    StateConflict,
)
from memory_service.models import IdempotencyKey, Memory
from memory_service.schemas.fields import STATUSES_BY_KIND
from memory_service.schemas.memories import MemoryCreate, MemoryCreated, MemoryPublic, MemoryUpdate
from memory_service.services.indexing import indexing
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
from memory_service.services.write_path.limits import check_sizes, check_total_size
from memory_service.services.write_path.secrets import ScanBudget, scrub
from memory_service.services.write_path.supersession import supersede
from memory_service.store import Store
from memory_service.store.memories import load_memories


def _request_hash(dumped: list[dict[str, object]]) -> str:
    body = json.dumps(dumped, sort_keys=True)
    return hashlib.sha256(body.encode()).hexdigest()


def _scoped_key(key: str, token: str | None, items: list[MemoryCreate]) -> str:
    """The key as stored: one client's key names nothing of another token or project, so
    two tenants choosing the same key neither collide nor learn of each other."""
    projects = ",".join(sorted({item.project for item in items}))
    return hashlib.sha256(f"{token or ''}\0{projects}\0{key}".encode()).hexdigest()


def _replay(session: Session, key: str, request_hash: str) -> list[Remembered] | None:
    """The memories a first request with this Idempotency-Key produced, if any."""
    stored = session.get(IdempotencyKey, key)
    if stored is None:
        return None
    if stored.request_hash != request_hash:
        raise StateConflict(
            "this Idempotency-Key was already used with a different request body: "
            "use a new key for a new request"
        )
    by_id = load_memories(session, stored.memory_ids)
    return [Remembered(by_id[i]) for i in stored.memory_ids]


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
    whose content a live memory of its project and kind already holds returns that one."""
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
    request_hash = _request_hash(dumped)
    if idempotency_key:
        idempotency_key = _scoped_key(idempotency_key, token, items)

    def store_all(session: Session) -> tuple[list[Remembered], bool]:
        replayed = _replay(session, idempotency_key, request_hash) if idempotency_key else None
        if replayed is not None:
            return replayed, True
        return _store(session, items, idempotency_key, request_hash, token, deduplicate), False

    # The model embeds the memories while SQL stores them (decisions/0027), and concurrent
    # remembers share one transaction and one fsync (decisions/0026).
    with embedding_early(store, items):
        results, replayed = store.db.write_together(store_all)
        if not replayed:
            _after_commit(store)
    return results


def _store(
    session: Session,
    items: list[MemoryCreate],
    idempotency_key: str | None,
    request_hash: str,
    token: str | None,
    deduplicate: bool,
) -> list[Remembered]:
    results = store_new(session, items, token=token, deduplicate=deduplicate)
    if idempotency_key:
        session.add(
            IdempotencyKey(
                key=idempotency_key,
                memory_ids=[r.memory.id for r in results],
                request_hash=request_hash,
            )
        )
    return results


def _after_commit(store: Store) -> None:
    if store.settings.fault_injection == "crash-after-commit":
        os._exit(70)  # simulate a crash after the SQL commit, before the index write
    indexing.sync(store)


def update_memory(
    store: Store, *, memory_id: str, changes: MemoryUpdate, token: str | None = None
) -> MemoryPublic:
    """Apply changes as a new version; a no-op change makes no version."""
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
            _check_status_change(memory, values["status"])
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
            return to_public(memory)
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
    _after_commit(store)
    return to_public(memory)


def _check_status_change(memory: Memory, status: str | None) -> None:
    if memory.kind == "handoff" and status != memory.status:
        # A handoff's state says what its receiver did; only the receiver's own ack or
        # complete may change it, with their note.
        raise StateConflict(
            f"handoff {memory.id!r} changes state only through POST /v1/handoffs/"
            f"{memory.id}/ack or /complete (agentmem ack / complete), by its receiver",
            state=memory.status,
        )
    allowed = STATUSES_BY_KIND[memory.kind]
    if status not in allowed:
        raise InvalidInput(
            f"status {status!r} is not valid for a {memory.kind}: {', '.join(allowed)}"
        )
    if memory.status == "superseded" and status != "superseded":
        raise StateConflict(
            f"{memory.kind} {memory.id!r} is superseded by {memory.superseded_by!r}: roll back "
            f"the replacement, or record a new {memory.kind} that supersedes it"
        )
    if status == "superseded" and memory.status != "superseded":
        raise InvalidInput(
            f"a {memory.kind} becomes superseded when another names it: POST /v1/memories/"
            f'{memory.id}/supersede with {{"by": "<replacement id>"}} (MCP: supersede), or '
            f"record the replacement with supersedes={memory.id}"
        )


def retract_memory(
    store: Store, *, memory_id: str, actor: str | None = None, token: str | None = None
) -> MemoryPublic:
    """Hide a memory from search and recall; it stays in history and by id."""
    with store.db.write() as session:
        memory = memory_row(session, memory_id)
        if memory.status == "retracted":
            return to_public(memory)
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
    _after_commit(store)
    return to_public(memory)


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
        title = new.title
    _after_commit(store)
    return to_public(old, title)


def get_memory(store: Store, *, memory_id: str) -> tuple[Memory, str | None]:
    """A memory by id, with its replacement's title when it is superseded."""
    with store.db.read() as session:
        memory = memory_row(session, memory_id)
        title = None
        if memory.superseded_by:
            title = session.exec(
                select(Memory.title).where(Memory.id == memory.superseded_by)
            ).first()
        return memory, title


def created_public(remembered: Remembered) -> MemoryCreated:
    """A remembered memory as its writer sees it: public, with what the service noticed."""
    memory = remembered.memory
    out = MemoryCreated(
        **to_public(memory).model_dump(),
        duplicate=remembered.duplicate,
        conflicts=remembered.conflicts,
    )
    if remembered.conflicts:
        ids = ", ".join(c.id for c in remembered.conflicts)
        out.hint = (
            f"topic {memory.topic!r} already has an accepted decision ({ids}). If this one "
            f"replaces it, supersede it by this one (MCP: supersede; REST: POST /v1/memories/"
            f'<that id>/supersede with {{"by": "{memory.id}"}}), and next time record the '
            "replacement with supersedes=<that id>; if both stand, give one another topic. "
            "REST callers may set on_conflict=error to be refused instead of warned."
        )
    return out


def read_memory(store: Store, *, memory_id: str) -> MemoryPublic:
    """A memory by id, whatever its status; a superseded one names its replacement."""
    memory, replacement = get_memory(store, memory_id=memory_id)
    return to_public(memory, replacement)
