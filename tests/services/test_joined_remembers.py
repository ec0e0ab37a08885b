"""Single remembers that wait for the same transaction are stored in one call, as a batch
is; one refused among them is refused alone and the others are stored."""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import pytest
from sqlmodel import Session, select

from memory_service.api.app import open_store
from memory_service.errors import DecisionConflict
from memory_service.models import Memory
from memory_service.schemas.memories import MemoryCreate
from memory_service.services import memories
from memory_service.services.write_path.creation import Remembered
from memory_service.settings import Settings
from memory_service.store import Store
from memory_service.store.embedding.embedder import Embedder
from tests.factories import decision_body, memory_body


def _remember_while_held(
    store: Store, bodies: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> tuple[list[Future[list[Remembered]]], list[int]]:
    """Each body remembered by a caller of its own, all queued behind one held transaction;
    and how many items each call of the write path stored."""
    calls: list[int] = []
    stored = memories.store_new

    def counted(session: Session, items: list[MemoryCreate], **kwargs: Any) -> Any:
        calls.append(len(items))
        return stored(session, items, **kwargs)

    monkeypatch.setattr(memories, "store_new", counted)
    running, gate = threading.Event(), threading.Event()

    def hold(_: Session) -> None:
        running.set()
        gate.wait(timeout=30)

    with ThreadPoolExecutor(max_workers=len(bodies) + 1) as pool:
        held = pool.submit(store.db.write_together, hold)
        assert running.wait(timeout=30)
        futures = []
        for n, body in enumerate(bodies, start=1):
            item = MemoryCreate.model_validate(body)
            futures.append(pool.submit(memories.remember_many, store, items=[item]))
            deadline = time.monotonic() + 30
            while len(store.db._group._queue) < n:  # noqa: SLF001 - waiting for them to queue
                assert time.monotonic() < deadline, "remembers never queued"
                time.sleep(0.005)
        gate.set()
        held.result()
    return futures, calls


def test_waiting_single_remembers_are_stored_in_one_call(
    settings: Settings, embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = open_store(settings, embedder)
    bodies = [memory_body(content=f"The {part} retries three times.") for part in "abc"]
    bodies.append(memory_body(content="The a retries three times."))  # a resend of the first
    futures, calls = _remember_while_held(store, bodies, monkeypatch)
    results = [f.result()[0] for f in futures]
    assert calls == [4]  # one call for the four, not four calls
    assert [r.result for r in results] == ["created", "created", "created", "duplicate"]
    assert results[3].memory.id == results[0].memory.id
    with store.db.read() as session:
        stored = session.exec(select(Memory.content)).all()
    assert sorted(stored) == sorted(b["content"] for b in bodies[:3])


def test_one_refused_remember_is_refused_alone(
    settings: Settings, embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = open_store(settings, embedder)
    memories.remember_many(store, items=[MemoryCreate.model_validate(decision_body())])
    bodies = [
        memory_body(content="The ledger is append-only."),
        # The same topic as the stored decision, asked to be refused on a conflict.
        decision_body(title="Use MySQL", content="Orders go to MySQL.", on_conflict="error"),
        memory_body(content="The ledger is replicated."),
    ]
    futures, calls = _remember_while_held(store, bodies, monkeypatch)
    assert calls == [3, 1, 1, 1]  # tried together, then each alone
    assert futures[0].result()[0].result == "created"
    with pytest.raises(DecisionConflict, match="already has an accepted decision"):
        futures[1].result()
    assert futures[2].result()[0].result == "created"
    with store.db.read() as session:
        titles = session.exec(select(Memory.title).where(Memory.kind == "decision")).all()
    assert titles == ["Use PostgreSQL for orders"]
