"""The vector index follows SQL: outbox drain, model check and reindex."""

from __future__ import annotations

import shutil
import threading
from types import TracebackType

import pytest
from chromadb.api.shared_system_client import SharedSystemClient
from fastapi.testclient import TestClient
from sqlmodel import select

from memory_service.api.app import create_app, open_store
from memory_service.errors import IndexMismatch
from memory_service.models import Event, IndexState, Outbox
from memory_service.schemas.memories import MemoryCreate
from memory_service.services import memories
from memory_service.services.indexing import indexing
from memory_service.settings import Settings
from memory_service.store.embedding.embedder import Embedder
from tests.factories import edit_unindexed, remember, result_ids, search
from tests.support.service import IN_PROCESS_URL


def test_every_write_appends_an_event_and_leaves_no_outbox(
    client: TestClient, settings: Settings, embedder: Embedder
) -> None:
    stored = remember(client)
    client.patch(f"/v1/memories/{stored['id']}", json={"title": "gRPC to the gateway"})
    client.delete(f"/v1/memories/{stored['id']}")
    store = client.app.state.store  # type: ignore[attr-defined]
    with store.db.read() as session:
        events = session.exec(select(Event).order_by(Event.seq)).all()
        assert session.exec(select(Outbox)).all() == []
    assert [e.type for e in events] == ["created", "updated", "retracted"]
    assert [e.version for e in events] == [1, 2, 3]
    assert events[1].before["title"] == stored["title"]
    assert events[1].after["title"] == "gRPC to the gateway"
    assert store.vectors.all_ids() == set()


def test_startup_drains_an_outbox_left_by_a_crash(settings: Settings, embedder: Embedder) -> None:
    with TestClient(create_app(settings, embedder=embedder), base_url=IN_PROCESS_URL) as c:
        stored = remember(c, content="Feature flags live in LaunchDarkly.")
        store = c.app.state.store  # type: ignore[attr-defined]
        # The state a crash between the SQL commit and the Chroma write leaves behind.
        store.vectors.delete([stored["id"]])
        with store.db.write() as session:
            session.add(Outbox(memory_id=stored["id"]))
    with TestClient(create_app(settings, embedder=embedder), base_url=IN_PROCESS_URL) as c:
        assert result_ids(search(c, "where are feature toggles kept", project="shop")) == [
            stored["id"]
        ]
        assert c.get("/readyz").json()["outbox"] == 0


def test_a_different_model_at_startup_says_to_reindex(
    settings: Settings, embedder: Embedder
) -> None:
    store = open_store(settings, embedder)
    with store.db.write() as session:
        row = session.get(IndexState, "embedding_model")
        assert row is not None
        row.value = "some-other-model"
        session.add(row)
    with pytest.raises(IndexMismatch, match="run `memory-service reindex`"):
        open_store(settings, embedder)


def test_reindex_rebuilds_a_lost_index_from_sql(settings: Settings, embedder: Embedder) -> None:
    with TestClient(create_app(settings, embedder=embedder), base_url=IN_PROCESS_URL) as c:
        kept = [remember(c, content=f"Module {i} is owned by team {i}.")["id"] for i in range(5)]
        gone = remember(c, content="Obsolete note.")
        c.delete(f"/v1/memories/{gone['id']}")
    shutil.rmtree(settings.chroma_path)
    SharedSystemClient.clear_system_cache()  # as a fresh `memory-service reindex` process
    store = open_store(settings, embedder)
    assert store.vectors.count() == 0
    seen: list[tuple[int, int]] = []
    assert indexing.reindex(store, progress=lambda d, t: seen.append((d, t))) == 5
    assert seen[-1] == (5, 5)
    assert store.vectors.all_ids() == set(kept)


class _WatchedLock:
    """The drain lock, telling the test when a caller has to wait for it."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.waiting = threading.Event()

    def __enter__(self) -> None:
        if not self.lock.acquire(blocking=False):
            self.waiting.set()
            self.lock.acquire()

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.lock.release()


def test_a_drain_also_takes_the_rows_committed_while_it_waited_for_the_lock(
    settings: Settings, embedder: Embedder
) -> None:
    store = open_store(settings, embedder)
    items = [
        MemoryCreate(project="p", agent="a", kind="note", content=f"note {i}") for i in range(3)
    ]
    ids = [r.memory.id for r in memories.remember_many(store, items=items)]
    edit_unindexed(store, ids[0], "the ledger is reconciled hourly")
    lock = _WatchedLock()
    store.vectors.drain_lock = lock  # type: ignore[assignment]
    drained: list[int] = []
    with lock:  # another drain is running
        waiter = threading.Thread(target=lambda: drained.append(indexing.sync(store)))
        waiter.start()
        assert lock.waiting.wait(timeout=30)
        edit_unindexed(store, ids[1], "invoices are numbered per tenant")
        edit_unindexed(store, ids[2], "shards are rebalanced weekly")
    waiter.join(timeout=60)
    # One drain for the three writes: the two that committed meanwhile joined it.
    assert drained == [3]
    assert indexing.sync(store) == 0
    assert indexing.outbox_size(store) == 0
    store.db.dispose()
