"""A memory's neighbours in its session: the live memory just before and just after it."""

from __future__ import annotations

from memory_service.api.app import open_store
from memory_service.services import memories
from memory_service.services.sessions import next_in_session, previous_in_session
from memory_service.settings import Settings
from memory_service.store.embedding.embedder import Embedder
from tests.factories import note


def test_neighbours_skip_retracted_memories_and_other_sessions(
    settings: Settings, embedder: Embedder
) -> None:
    store = open_store(settings, embedder)
    written = memories.remember_many(
        store,
        items=[
            note(content, session)
            for content, session in [
                ("a1 first", "s1"),
                ("b1 first", "s2"),
                ("a2 retracted", "s1"),
                ("a3 third", "s1"),
                ("none has no session", None),
                ("b2 second", "s2"),
                ("a4 last", "s1"),
            ]
        ],
    )
    a1, b1, a2, a3, alone, b2, a4 = (r.memory for r in written)
    memories.retract_memory(store, memory_id=a2.id)
    changed = [a1, a3, a4, b1, b2, alone]

    previous = previous_in_session(store, changed)
    after = next_in_session(store, [a1, a2, a4, b1, alone])

    assert {k: v.id for k, v in previous.items()} == {a3.id: a1.id, a4.id: a3.id, b2.id: b1.id}
    assert sorted(m.id for m in after) == sorted([a3.id, b2.id])
    store.db.dispose()
