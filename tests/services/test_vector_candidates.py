"""Vector candidates: the exact nearest memories under a filter, from per-project collections."""

from __future__ import annotations

import numpy as np
from fastapi.testclient import TestClient
from sqlmodel import select

from memory_service.models import Memory
from memory_service.services.indexing import indexing
from memory_service.services.indexing.background import settle
from memory_service.services.search.vector_candidates import nearest
from memory_service.services.write_path.changes import record_change, snapshot
from memory_service.store import Store
from memory_service.store.filters import MemoryFilter
from tests.factories import remember

TOPICS = ["caching", "billing", "search", "deploys", "auth", "queues"]


def _fill(client: TestClient) -> None:
    for i in range(36):
        for project in ("p", "other"):
            remember(
                client,
                project=project,
                agent=f"agent-{i % 3}",
                content=f"Note {i} about {TOPICS[i % 6]}: the {TOPICS[i % 6]} setup changed.",
            )
    # Remembers are indexed by the index writer after they are acknowledged (decisions/0076).
    settle(client.app.state.store)  # type: ignore[attr-defined]


def _supersede_nearest(store: Store, query: list[float], count: int) -> set[str]:
    """Mark at least `count` memories of project p nearest to `query` superseded (in SQL and,
    through the outbox, in the index)."""
    with store.db.read() as session:
        hits = nearest(store, session, query=query, where=MemoryFilter(project="p"), n=count).hits
    with store.db.write() as session:
        for hit in hits:
            memory = session.exec(select(Memory).where(Memory.id == hit.memory_id)).one()
            before = snapshot(memory)
            memory.status = "superseded"
            record_change(
                session, memory=memory, event_type="updated", actor="t", token=None, before=before
            )
    return {h.memory_id for h in hits}


def _brute_force(store: Store, query: list[float], where: MemoryFilter, n: int) -> list[str]:
    with store.db.read() as session:
        rows = session.exec(select(Memory)).all()
    keep = [
        m
        for m in rows
        if m.project == where.project
        and m.status not in where.exclude_statuses
        and (where.agent is None or m.agent == where.agent)
    ]
    vectors = store.vectors.embeddings([m.id for m in keep])
    q = np.asarray(query)
    ranked = sorted(keep, key=lambda m: -float(np.dot(vectors[m.id], q)))
    return [m.id for m in ranked[:n]]


def test_nearest_is_exact_when_superseded_memories_crowd_the_top(client: TestClient) -> None:
    _fill(client)
    store: Store = client.app.state.store  # type: ignore[attr-defined]
    query = store.embedder.embed_query("how is caching set up?")
    hidden = _supersede_nearest(store, query, 15)  # more than the spare neighbours
    indexing.sync(store)
    where = MemoryFilter(project="p")
    with store.db.read() as session:
        got = nearest(store, session, query=query, where=where, n=8).hits
    ids = [h.memory_id for h in got]
    assert not hidden & set(ids)
    assert ids[:8] == _brute_force(store, query, where, 8)


def test_nearest_under_a_narrower_filter_stays_in_the_project(client: TestClient) -> None:
    _fill(client)
    store: Store = client.app.state.store  # type: ignore[attr-defined]
    query = store.embedder.embed_query("billing changes")
    where = MemoryFilter(project="p", agent="agent-1")
    with store.db.read() as session:
        got = nearest(store, session, query=query, where=where, n=5).hits
    assert [h.memory_id for h in got] == _brute_force(store, query, where, 5)
    with store.db.read() as session:
        projects = set(
            session.exec(
                select(Memory.project).where(Memory.id.in_([h.memory_id for h in got]))  # type: ignore[attr-defined]
            ).all()
        )
    assert projects == {"p"}
