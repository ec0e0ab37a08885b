"""A search whose vector side was begun early (recall begins it before its SQL) ranks as
the same search begun at once, and a vector side begun for another search is not used."""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from memory_service.api.app import open_store
from memory_service.models import Memory
from memory_service.schemas.memories import MemoryCreate
from memory_service.schemas.search import SearchRequest
from memory_service.services import memories
from memory_service.services.search.search import search_memories, start_search
from memory_service.settings import Settings
from memory_service.store import Store
from memory_service.store.embedding.embedder import Embedder
from tests.factories import memory_body

CACHE = "The cache layer expires product pages after a minute."
TEXTS = [
    "The payment gateway retries a declined card twice.",
    CACHE,
    "Orders are written to PostgreSQL in one transaction.",
    "The search index is rebuilt every night from the catalogue.",
]


def _ids(store: Store, request: SearchRequest, **kwargs: Any) -> list[str]:
    return [h.memory.id for h in search_memories(store, request=request, **kwargs)]


def test_a_search_begun_early_ranks_as_one_begun_at_once(
    settings: Settings, embedder: Embedder
) -> None:
    store = open_store(settings, embedder)
    items = [MemoryCreate.model_validate(memory_body(content=t)) for t in TEXTS]
    memories.remember_many(store, items=items)
    with store.db.read() as session:
        id_of = {m.content: m.id for m in session.exec(select(Memory))}
    cache = SearchRequest(query="how long are pages cached?", project="shop", k=3, mode="vector")
    payments = SearchRequest(
        query="what happens when a card is declined?", project="shop", k=3, mode="vector"
    )
    at_once = _ids(store, cache)
    assert at_once[0] == id_of[CACHE]
    assert _ids(store, cache, started=start_search(store, request=cache)) == at_once
    # Begun for another query or scope, the vector side is not taken: the search asks again.
    assert _ids(store, cache, started=start_search(store, request=payments)) == at_once
    elsewhere = start_search(store, request=cache, projects=("elsewhere",))
    assert _ids(store, cache, started=elsewhere) == at_once
