"""Keep the vector index in step with SQL: outbox drain, start-up checks and reindex."""

from __future__ import annotations

import time
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Session, col, delete, func, select

from memory_service.errors import IndexMismatch
from memory_service.models import IndexState, Memory, Outbox
from memory_service.services.indexing.vector_cache import embed_texts
from memory_service.services.sessions import next_in_session, previous_in_session
from memory_service.services.texts import embedding_text
from memory_service.store import Store
from memory_service.store.memories import load_memories
from memory_service.store.vectors import chroma_metadata

# Outbox rows per drain step: a rollback's thousands of rows take a few index writes.
DRAIN_PAGE = 1024
# First key of the PostgreSQL advisory locks a drain takes on the memories it indexes.
MEMORY_LOCK_SPACE = 7002


def index_memories(store: Store, memories: list[Memory]) -> None:
    """Write these memories' current state into the vector index."""
    live = [m for m in memories if m.status != "retracted"]
    retracted = [m for m in memories if m.status == "retracted"]
    # A changed memory is the context of the next one in its session: re-embed that one too
    # (the embedding cache makes it free when the text it sees did not change).
    seen = {m.id for m in memories}
    live += [
        m
        for m in next_in_session(store, [m for m in memories if m.version > 1])
        if m.id not in seen
    ]
    if live:
        previous = previous_in_session(store, live)
        vectors = embed_texts(store, [embedding_text(m, previous.get(m.id)) for m in live])
        store.vectors.upsert([m.id for m in live], vectors, [chroma_metadata(m) for m in live])
    if retracted:
        store.vectors.delete([m.id for m in retracted], projects={m.project for m in retracted})


def sync(store: Store, *, patience_s: float = 30.0) -> int:
    """Drain the outbox up to its newest row: index what changed, then forget the rows."""
    high = newest_row(store)
    if high is None:
        return 0
    done = 0
    deadline = time.monotonic() + patience_s
    drain = _drain_page_locked if store.db.dialect == "postgresql" else _drain_page
    upto: int | None = None
    while True:
        with store.vectors.drain_lock:
            if not pending(store, high):
                break  # the drain that held the lock meanwhile took this caller's rows
            if upto is None:
                # Rows committed while this drain waited for the lock join it: concurrent
                # writes share one embedding call and one index write (ADR 0026).
                upto = max(high, newest_row(store) or high)
            while True:
                count, left = drain(store, upto)
                done += count
                if not left or count == 0:
                    break
        if not left or time.monotonic() > deadline:
            break
        # Another replica holds the remaining rows and indexes them in a moment; wait
        # without the lock, so this process's other drains go on meanwhile; only for this
        # caller's own rows, not for those that joined it.
        time.sleep(0.02)
        upto = high
    return done


def newest_row(store: Store) -> int | None:
    with store.db.read() as session:
        return session.exec(select(func.max(Outbox.id))).one()


def pending(store: Store, high: int) -> bool:
    with store.db.read() as session:
        return _any_left(session, high)


def _drain_page(store: Store, high: int) -> tuple[int, bool]:
    # SQLite: one process (the drain lock), so reading then deleting is safe.
    with store.db.read() as session:
        rows = session.exec(
            select(Outbox.id, Outbox.memory_id)
            .where(col(Outbox.id) <= high)
            .order_by(col(Outbox.id))
            .limit(DRAIN_PAGE)
        ).all()
        if not rows:
            return 0, False
        ids = list(dict.fromkeys(memory_id for _, memory_id in rows))
        memories = load_memories(session, ids).values()
    # The index gets each memory's state as it is now, so replaying a row is harmless.
    index_memories(store, list(memories))
    with store.db.write() as session:
        session.exec(delete(Outbox).where(col(Outbox.id).in_([row_id for row_id, _ in rows])))
    return len(rows), True


def _drain_page_locked(store: Store, high: int) -> tuple[int, bool]:
    # PostgreSQL, many replicas: each takes rows nobody else holds, and only the memories
    # it can lock, so two replicas never index one memory at once (an older state could
    # otherwise land last). The locks last until the rows are deleted.
    with store.db.transaction() as session:
        rows = session.exec(
            select(Outbox)
            .where(col(Outbox.id) <= high)
            .order_by(col(Outbox.id))
            .limit(DRAIN_PAGE)
            .with_for_update(skip_locked=True)
        ).all()
        mine = _claim(session, list(dict.fromkeys(r.memory_id for r in rows)))
        taken = [r.id for r in rows if r.memory_id in mine]
        if taken:
            memories = load_memories(session, mine).values()
            index_memories(store, list(memories))
            session.exec(delete(Outbox).where(col(Outbox.id).in_(taken)))
        return len(taken), bool(rows) or _any_left(session, high)


def _claim(session: Session, memory_ids: list[str]) -> set[str]:
    """Those of these memories that no other drain holds, locked until this one commits."""
    if not memory_ids:
        return set()
    # One statement for the page: a rollback's thousands of rows took a round trip each.
    memory_id = sa.func.unnest(sa.bindparam("ids", type_=ARRAY(sa.Text))).column_valued()
    lock = sa.func.pg_try_advisory_xact_lock(MEMORY_LOCK_SPACE, sa.func.hashtext(memory_id))
    found = session.execute(sa.select(memory_id).where(lock), {"ids": memory_ids})
    return set(found.scalars())


def _any_left(session: Session, high: int) -> bool:
    return (
        session.exec(select(Outbox.id).where(col(Outbox.id) <= high).limit(1)).first() is not None
    )


def outbox_size(store: Store) -> int:
    with store.db.read() as session:
        return int(session.exec(select(func.count()).select_from(Outbox)).one())


def _state(store: Store) -> dict[str, str]:
    with store.db.read() as session:
        return {row.key: row.value for row in session.exec(select(IndexState))}


def _record_model(store: Store) -> None:
    with store.db.write() as session:
        for key, value in (
            ("embedding_model", store.embedder.model_id),
            ("embedding_dimension", str(store.embedder.dimension)),
        ):
            row = session.get(IndexState, key) or IndexState(key=key, value=value)
            row.value = value
            session.add(row)


def check_model(store: Store) -> None:
    """Stop when the index was built with another model; record the model on first use."""
    state = _state(store)
    if not state:
        _record_model(store)
        return
    recorded = (state.get("embedding_model"), state.get("embedding_dimension"))
    current = (store.embedder.model_id, str(store.embedder.dimension))
    if recorded != current:
        raise IndexMismatch(
            f"the vector index was built with {recorded[0]} ({recorded[1]} dimensions) but "
            f"this service embeds with {current[0]} ({current[1]} dimensions; "
            "MEMORY_EMBEDDING_MODEL, MEMORY_EMBEDDING_PRECISION and the model's quantisation "
            "scheme): run `memory-service reindex` to rebuild the index with it"
        )


def reindex(store: Store, *, progress: Callable[[int, int], None] | None = None) -> int:
    """Rebuild the whole vector index from SQL with the configured model."""
    store.vectors.recreate()
    with store.db.read() as session:
        # Outbox rows up to here are covered by the rebuild; later ones still need a drain.
        covered = session.exec(select(func.max(Outbox.id))).one() or 0
        total = int(
            session.exec(
                select(func.count()).select_from(Memory).where(Memory.status != "retracted")
            ).one()
        )
    done, last_pk = 0, 0
    while True:
        with store.db.read() as session:
            page = session.exec(
                select(Memory)
                .where(col(Memory.pk) > last_pk, Memory.status != "retracted")
                .order_by(col(Memory.pk))
                .limit(DRAIN_PAGE)
            ).all()
        if not page:
            break
        index_memories(store, list(page))
        last_pk = page[-1].pk or last_pk
        done += len(page)
        if progress:
            progress(done, total)
    # Not under the writers' lock: a drain holding these rows may itself wait for it.
    with store.db.transaction() as session:
        session.exec(delete(Outbox).where(col(Outbox.id) <= covered))
    _record_model(store)
    return done
