"""Two replicas drain one outbox at once on PostgreSQL while a third keeps writing."""

from __future__ import annotations

import random
import threading
from pathlib import Path

import numpy as np
import pytest
from sqlmodel import col, func, select

from memory_service.api.app import open_store
from memory_service.models import Memory, Outbox
from memory_service.schemas.memories import MemoryCreate
from memory_service.services import memories
from memory_service.services.indexing import indexing
from memory_service.services.write_path.changes import record_change, snapshot
from memory_service.settings import Settings
from memory_service.store import Store
from memory_service.store.embedding.embedder import Embedder
from tests.factories import edit_unindexed
from tests.support.model import SAME_TEXT
from tests.support.servers import ChromaServer, PostgresServer, fresh_collection

WORDS = "ledger invoice tenant cache shard replica queue retry schema index vector".split()


def _change(store: Store, rng: random.Random, ids: list[str], n: int) -> None:
    """`n` changes through the one write path, without draining the outbox."""
    for _ in range(n):
        with store.db.write() as session:
            memory = session.exec(select(Memory).where(Memory.id == rng.choice(ids))).one()
            before = snapshot(memory)
            if memory.status == "retracted" or rng.random() < 0.7:
                memory.content = " ".join(rng.choice(WORDS) for _ in range(10))
                memory.tags = [rng.choice(WORDS)]
                memory.status = "active"
            else:
                memory.status = "retracted"
            record_change(
                session, memory=memory, event_type="updated", actor="t", token=None, before=before
            )


def _replicas(
    tmp_path: Path, embedder: Embedder, postgres: PostgresServer, chroma_server: ChromaServer
) -> tuple[Store, Store]:
    settings = Settings(
        data_dir=tmp_path / "data",
        database_url=postgres.fresh_database(),
        chroma_url=chroma_server.url,
        chroma_collection=fresh_collection(),
    )
    # Two replicas: each its own engine, Chroma client and drain lock.
    return open_store(settings, embedder), open_store(settings, embedder)


def test_concurrent_drains_split_the_rows_and_leave_the_index_equal_to_sql(
    tmp_path: Path,
    embedder: Embedder,
    postgres: PostgresServer,
    chroma_server: ChromaServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Pages smaller than the queue, so there is more than one page to split.
    monkeypatch.setattr(indexing, "DRAIN_PAGE", 200)
    first, second = _replicas(tmp_path, embedder, postgres, chroma_server)
    rng = random.Random(7)
    items = [
        MemoryCreate(project="p", agent="a", kind="note", content=f"note {i} about caches")
        for i in range(200)
    ]
    ids = [r.memory.id for r in memories.remember_many(first, items=items)]
    _change(first, rng, ids, 600)
    with first.db.read() as session:
        queued = int(session.exec(select(func.count()).select_from(Outbox)).one())
    assert queued == 600

    done: dict[str, int] = {}
    threads = [
        threading.Thread(target=lambda s=s, name=name: done.__setitem__(name, indexing.sync(s)))
        for name, s in (("first", first), ("second", second))
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # Every queued row was indexed and deleted by exactly one of them, and both worked.
    assert done["first"] + done["second"] == queued
    assert done["first"] > 0 and done["second"] > 0

    with first.db.read() as session:
        assert session.exec(select(func.count()).select_from(Outbox)).one() == 0
        rows = session.exec(select(Memory).order_by(col(Memory.pk))).all()
    live = [m for m in rows if m.status != "retracted"]
    assert first.vectors.all_ids() == {m.id for m in live}
    stored = first.vectors.embeddings([m.id for m in live])
    fresh = embedder.embed([indexing.embedding_text(m) for m in live])
    similarity = [float(np.dot(stored[m.id], v)) for m, v in zip(live, fresh, strict=True)]
    # Each stored vector is its current text's, whatever it was embedded with.
    assert 1.0 - min(similarity) <= SAME_TEXT
    for store in (first, second):
        store.db.dispose()


def test_a_slow_drain_never_lands_an_older_state_last(
    tmp_path: Path, embedder: Embedder, postgres: PostgresServer, chroma_server: ChromaServer
) -> None:
    first, second = _replicas(tmp_path, embedder, postgres, chroma_server)
    [made] = memories.remember_many(
        first, items=[MemoryCreate(project="p", agent="a", kind="note", content="version one")]
    )
    memory_id = made.memory.id
    edit_unindexed(first, memory_id, "the ledger is reconciled hourly")  # queued, not drained
    # Replica one reads that state and stalls before its index write...
    stalled, release = threading.Event(), threading.Event()
    upsert = first.vectors.upsert

    def slow_upsert(*args: object, **kwargs: object) -> None:
        stalled.set()
        release.wait(30)
        upsert(*args, **kwargs)  # type: ignore[arg-type]

    first.vectors.upsert = slow_upsert  # type: ignore[method-assign]
    one = threading.Thread(target=indexing.sync, args=(first,))
    one.start()
    assert stalled.wait(30)
    # ...while the memory changes again and replica two drains.
    edit_unindexed(first, memory_id, "invoices are numbered per tenant and year")
    two = threading.Thread(target=indexing.sync, args=(second,))
    two.start()
    two.join(timeout=1.0)
    release.set()
    one.join()
    two.join()
    indexing.sync(second)
    with first.db.read() as session:
        current = session.exec(select(Memory).where(Memory.id == memory_id)).one()
        assert session.exec(select(func.count()).select_from(Outbox)).one() == 0
    [vector] = embedder.embed([indexing.embedding_text(current)])
    stored = second.vectors.embeddings([memory_id])[memory_id]
    [older] = embedder.embed(["the ledger is reconciled hourly"])
    assert 1.0 - float(np.dot(stored, vector)) <= SAME_TEXT, "the index holds an older version"
    assert float(np.dot(stored, older)) < 0.9
    for store in (first, second):
        store.db.dispose()
