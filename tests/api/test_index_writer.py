"""A remember is answered once durable in SQL and indexed in the background; a search
after it still finds it (decisions/0076)."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient

from memory_service.services import memories
from tests.factories import memory_body, remember, result_ids, search

SLOW_S = 1.5


@pytest.fixture
def slow_index(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """Every index write takes SLOW_S longer; the event is set once one has finished."""
    store = client.app.state.store  # type: ignore[attr-defined]
    upsert, written = store.vectors.upsert, threading.Event()

    def slow(*args: Any, **kwargs: Any) -> None:
        time.sleep(SLOW_S)
        upsert(*args, **kwargs)
        written.set()

    monkeypatch.setattr(store.vectors, "upsert", slow)
    return written


def test_a_remember_is_answered_before_its_index_write(
    client: TestClient, slow_index: threading.Event
) -> None:
    began = time.monotonic()
    stored = remember(client, content="Kafka topics are partitioned by tenant id.")
    assert time.monotonic() - began < SLOW_S
    store = client.app.state.store  # type: ignore[attr-defined]
    assert stored["id"] not in store.vectors.embeddings([stored["id"]])
    assert slow_index.wait(10)  # the index writer wrote it after the answer


def test_a_search_right_after_a_remember_finds_it_by_meaning(
    client: TestClient, slow_index: threading.Event
) -> None:
    remember(client, content="Payroll runs on the 25th of each month.")
    target = remember(client, content="Kafka topics are partitioned by tenant id.")
    # Vector mode: no keyword in common, so only the index can find it.
    hits = search(client, "message broker sharding per customer", mode="vector", k=1)
    assert result_ids(hits) == [target["id"]]
    assert slow_index.is_set()


def test_readiness_reports_the_index_lag_without_turning_unready(
    client: TestClient, slow_index: threading.Event
) -> None:
    remember(client, content="Kafka topics are partitioned by tenant id.")
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["outbox"] == 1
    assert slow_index.wait(10)
    deadline = time.monotonic() + 10
    while client.get("/readyz").json()["outbox"] != 0:
        assert time.monotonic() < deadline
        time.sleep(0.05)


def test_a_batch_indexes_before_it_answers(client: TestClient, slow_index: threading.Event) -> None:
    bodies = [memory_body(content=f"Runbook step {i}: restart the worker.") for i in range(3)]
    response = client.post("/v1/memories/batch", json={"memories": bodies})
    assert response.status_code == 201, response.text
    ids = [m["id"] for m in response.json()["memories"]]
    store = client.app.state.store  # type: ignore[attr-defined]
    assert sorted(store.vectors.embeddings(ids)) == sorted(ids)


def test_a_writer_far_ahead_of_the_index_waits_for_it(
    client: TestClient, slow_index: threading.Event, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(memories, "MAX_UNINDEXED", 0)
    stored = remember(client, content="Kafka topics are partitioned by tenant id.")
    store = client.app.state.store  # type: ignore[attr-defined]
    assert stored["id"] in store.vectors.embeddings([stored["id"]])
