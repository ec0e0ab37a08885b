"""Handoffs read back whatever their stored notes hold."""

from __future__ import annotations

from memory_service.api.app import open_store
from memory_service.schemas.handoffs import HandoffCreate
from memory_service.services.handoffs import handoffs
from memory_service.services.write_path.changes import record_change, snapshot
from memory_service.services.write_path.creation import memory_row
from memory_service.settings import Settings
from memory_service.store.embedding.embedder import Embedder


def test_a_handoff_with_malformed_stored_notes_still_lists(
    settings: Settings, embedder: Embedder
) -> None:
    store = open_store(settings, embedder)
    made = handoffs.create_handoff(
        store,
        handoff=HandoffCreate(
            project="p", from_agent="a", to_agent="b", summary="Orders API is ready"
        ),
    )
    # Notes as a store written before they were protected may hold them.
    with store.db.write() as session:
        memory = memory_row(session, made.id)
        before = snapshot(memory)
        memory.meta = {"notes": [{"state": "acknowledged"}, "not a note", 7]}
        record_change(
            session, memory=memory, event_type="updated", actor="t", token=None, before=before
        )
    [listed] = handoffs.list_handoffs(store, project="p", to_agent="b")
    assert (listed.id, listed.notes) == (made.id, [])
