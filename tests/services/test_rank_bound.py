"""Ranking with the vector side's bound reads fewer stored vectors and ranks the same.

Scores are compared for equality, so the vectors come from an embedder that is exact on
every CPU (tests/support/exact_embedder.py), not from the served model's kernels.
"""

from __future__ import annotations

import dataclasses

import pytest

from memory_service.api.app import open_store
from memory_service.schemas.search import SearchRequest
from memory_service.services import memories
from memory_service.services.search import search as search_module
from memory_service.services.search.filters import build_filter
from memory_service.services.search.search import _rank
from memory_service.services.search.vector_candidates import index_projects, nearest
from memory_service.services.sessions import session_places
from memory_service.settings import Settings
from memory_service.store.embedding.embedder import Embedder
from memory_service.store.keyword import keyword_search
from tests.factories import note
from tests.support.exact_embedder import ExactEmbedder

TOPICS = ["payment gateway", "order table", "session store", "search index", "audit log"]
QUERIES = [
    "why did the payment gateway time out?",
    "which index does the order table have",
    "session store eviction",
    "audit log retention at the gateway",
    "who changed the search index",
]


@pytest.fixture(scope="module")
def exact_embedder() -> ExactEmbedder:
    return ExactEmbedder()


def test_the_bound_ranks_exactly_like_reading_every_vector(
    settings: Settings, exact_embedder: ExactEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    embedder: Embedder = exact_embedder
    store = open_store(settings, embedder)
    items = [
        note(
            f"The {TOPICS[i % 5]} changed in step {i}: {TOPICS[(i * 3) % 5]} follows.",
            f"run-{i // 6}",
        )
        for i in range(120)
    ]
    memories.remember_many(store, items=items)
    reads = {"bound": 0, "all": 0}
    original = search_module._stored_similarity
    for query in QUERIES:
        request = SearchRequest(query=query, project="p", k=5, mode="hybrid")
        where = build_filter(request)
        with store.db.read() as session:
            keyword = keyword_search(
                session, query=query, where=where, n=50, dialect="sqlite", weighed_only=True
            )
            found = nearest(store, session, query=embedder.embed_query(query), where=where, n=15)
            place = session_places(
                session,
                list(
                    dict.fromkeys(
                        [h.memory_id for h in found.hits] + [k.memory_id for k in keyword]
                    )
                ),
            )
        results = {}
        for label, given in (("bound", found), ("all", dataclasses.replace(found, bound=None))):

            def counted(*args: object, label: str = label) -> dict[str, float]:
                reads[label] += len(args[2])  # type: ignore[arg-type]
                return original(*args)  # type: ignore[arg-type]

            monkeypatch.setattr(search_module, "_stored_similarity", counted)
            ranked, scores = _rank(store, request, given, keyword, place, index_projects(where))
            results[label] = [(i, scores[i].fused) for i in ranked]
        assert found.bound is not None
        assert results["bound"] == results["all"]
    # The bound left fewer stored vectors to read than reading every one of them.
    assert reads["bound"] < reads["all"], reads
