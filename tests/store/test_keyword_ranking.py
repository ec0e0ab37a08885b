"""The SQLite keyword side: terms in most memories carry no weight; FTS5 ranks first."""

from __future__ import annotations

import pytest

from memory_service.api.app import open_store
from memory_service.schemas.search import SearchRequest
from memory_service.services import memories
from memory_service.services.search.search import search_memories
from memory_service.settings import Settings
from memory_service.store import Store
from memory_service.store.embedding.embedder import Embedder
from memory_service.store.filters import MemoryFilter
from memory_service.store.keyword import (
    _fts5_search,
    fts5_expression,
    keyword_search,
    query_terms,
    quoted,
)
from memory_service.store.term_frequencies import weighed_terms
from tests.factories import remember_notes

CONTENTS = [f"The service changed its retry policy (change {i})." for i in range(9)] + [
    "The payment gateway changed its timeout.",
    "The payment gateway signs every callback.",
]


def _store(settings: Settings, embedder: Embedder) -> Store:
    store = open_store(settings, embedder)
    remember_notes(store, CONTENTS)
    return store


def test_terms_in_more_than_half_of_the_memories_are_not_weighed(
    settings: Settings, embedder: Embedder
) -> None:
    store = _store(settings, embedder)
    with store.db.read() as session:
        terms = query_terms("what changed in the payment gateway")
        assert terms == ["changed", "payment", "gateway"]
        assert weighed_terms(session, terms, [quoted(t) for t in terms]) == ["payment", "gateway"]
        # None weighed (or found): all are kept, their scores' proportions still rank.
        common = query_terms("service changed nowhere")
        assert weighed_terms(session, common, [quoted(t) for t in common]) == common


def test_weighed_terms_give_the_best_matches_of_all_terms(
    settings: Settings, embedder: Embedder
) -> None:
    store = _store(settings, embedder)
    where = MemoryFilter(project="p")
    query = "changed gateway"
    with store.db.read() as session:
        every = keyword_search(session, query=query, where=where, n=50, dialect="sqlite")
        two = keyword_search(
            session, query=query, where=where, n=2, dialect="sqlite", weighed_only=True
        )
        # Fewer rows match the weighed term than asked for: all terms rank them then.
        five = keyword_search(
            session, query=query, where=where, n=5, dialect="sqlite", weighed_only=True
        )
    assert len(every) == len(CONTENTS)  # any of the words, as keyword mode promises
    assert [h.memory_id for h in two] == [h.memory_id for h in every[:2]]
    for weighed, full in zip(two, every, strict=False):
        assert weighed.bm25 == pytest.approx(full.bm25, rel=1e-4)
    assert five == every[:5]
    hybrid = search_memories(
        store, request=SearchRequest(query="what changed in the gateway", project="p", k=2)
    )
    assert {h.memory.content for h in hybrid} == set(CONTENTS[-2:])


def test_ranking_inside_fts5_first_gives_the_full_querys_answer(
    settings: Settings, embedder: Embedder
) -> None:
    store = open_store(settings, embedder)
    written = remember_notes(
        store,
        [f"Gateway gateway gateway outage number {i}." for i in range(6)]
        + ["The gateway was patched.", "A gateway for refunds.", "Nothing relevant."],
    )
    # The best keyword matches are retracted: ranked inside FTS5 first, too few pass.
    for m in written[:6]:
        memories.retract_memory(store, memory_id=m.id)
    where = MemoryFilter(project="p")
    with store.db.read() as session:
        for query, n in [("gateway", 2), ("gateway outage", 3), ("refunds gateway", 1)]:
            hits = keyword_search(session, query=query, where=where, n=n, dialect="sqlite")
            expression = fts5_expression(query_terms(query), ("p",))
            every = _fts5_search(session, match=expression, where=where, n=n, best_of=None)
            assert hits == every
            assert len(hits) == min(n, 2)
