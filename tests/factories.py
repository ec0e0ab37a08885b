"""Request bodies for tests, with sensible defaults a test overrides by keyword."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import select

from memory_service.models import Memory
from memory_service.schemas.memories import MemoryCreate
from memory_service.services.memories import remember_many
from memory_service.services.write_path.changes import record_change, snapshot
from memory_service.store import Store


def memory_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "project": "shop",
        "agent": "backend-architect",
        "kind": "note",
        "content": "The checkout service talks to the payment gateway over gRPC.",
    }
    body.update(overrides)
    return body


def decision_body(**overrides: Any) -> dict[str, Any]:
    body = memory_body(
        kind="decision",
        title="Use PostgreSQL for orders",
        content="Orders are stored in PostgreSQL with one table per aggregate.",
        reasoning="We need transactions across order lines and mature tooling.",
        topic="database-schema",
    )
    body.update(overrides)
    return body


def remember(client: TestClient, **overrides: Any) -> dict[str, Any]:
    """POST a memory and return the stored one, failing loudly on any error."""
    response = client.post("/v1/memories", json=memory_body(**overrides))
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def search(client: TestClient, query: str, **filters: Any) -> list[dict[str, Any]]:
    response = client.post("/v1/search", json={"query": query, **filters})
    assert response.status_code == 200, response.text
    return response.json()["results"]  # type: ignore[no-any-return]


def result_ids(results: list[dict[str, Any]]) -> list[str]:
    return [r["memory"]["id"] for r in results]


def edit_unindexed(store: Store, memory_id: str, content: str) -> None:
    """A change through the one write path, left in the outbox (not drained)."""
    with store.db.write() as session:
        memory = session.exec(select(Memory).where(Memory.id == memory_id)).one()
        before = snapshot(memory)
        memory.content = content
        record_change(
            session, memory=memory, event_type="updated", actor="t", token=None, before=before
        )


def note(content: str, session: str | None = None, **fields: Any) -> MemoryCreate:
    """A note of agent "a" in project "p", for tests that call the services directly."""
    return MemoryCreate(
        **{"project": "p", "agent": "a", "kind": "note", "content": content, "session": session}
        | fields
    )


def remember_notes(store: Store, contents: list[str]) -> list[Memory]:
    """Remember these contents as notes (see `note`), through the service; stored in order."""
    return [r.memory for r in remember_many(store, items=[note(c) for c in contents])]
