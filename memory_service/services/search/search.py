"""Hybrid search: vector and keyword candidates under one filter, ranked by `ranking.fuse`."""

from __future__ import annotations

import time
from concurrent.futures import Future
from dataclasses import dataclass

import numpy as np

from memory_service.errors import InvalidInput
from memory_service.observability import metrics
from memory_service.schemas.search import SearchRequest, SearchResponse, SearchResult
from memory_service.services.indexing.background import settle
from memory_service.services.projects import ensure_project
from memory_service.services.search.as_of import search_as_of
from memory_service.services.search.filters import (
    Hit,
    build_filter,
    has_filter,
)
from memory_service.services.search.ranking import Score, fuse, relevant, session_key
from memory_service.services.search.vector_candidates import (
    EmbeddedQuery,
    Nearest,
    index_projects,
    nearest,
    start_nearest,
)
from memory_service.services.sessions import SessionPlace, session_places
from memory_service.services.views import replacement_titles, to_public
from memory_service.store import Store
from memory_service.store.filters import MemoryFilter
from memory_service.store.keyword import KeywordHit, keyword_search
from memory_service.store.memories import load_memories, newest_memories

CANDIDATES = 50


@dataclass(frozen=True)
class Started:
    """A search whose vector side (the query's embedding and the index's nearest) is
    under way on the model's thread: `search_memories(..., started=...)` finishes it."""

    request: SearchRequest
    projects: tuple[str, ...] | None
    asking: Future[EmbeddedQuery]
    began: float

    def serves(self, request: SearchRequest, projects: tuple[str, ...] | None) -> bool:
        """Whether this vector side was begun for this very search."""
        return self.request == request and self.projects == projects


def start_search(
    store: Store, *, request: SearchRequest, projects: tuple[str, ...] | None = None
) -> Started | None:
    """Begin the vector side of a search now, so the caller can read SQL meanwhile (None
    when the search has none: keyword mode, a listing, or a search as of a past time)."""
    if request.mode == "keyword" or not request.query.strip() or request.as_of is not None:
        return None
    settle(store)  # the index holds every write acknowledged before this search
    where = build_filter(request, projects)
    began = time.perf_counter()
    return Started(request, projects, _ask(store, request, where), began)


def _ask(store: Store, request: SearchRequest, where: MemoryFilter) -> Future[EmbeddedQuery]:
    return start_nearest(store, request.query, where=where, n=_candidates(request))


def _candidates(request: SearchRequest) -> int:
    return max(CANDIDATES, request.k * 3)


def search_response(
    store: Store, *, request: SearchRequest, projects: tuple[str, ...] | None = None
) -> SearchResponse:
    """`search_memories` as callers see it: each memory public, with the title of the
    decision that replaced it when it was superseded."""
    hits = search_memories(store, request=request, projects=projects)
    with store.db.read() as session:
        titles = replacement_titles(session, [h.memory for h in hits])
    return SearchResponse(
        results=[
            SearchResult(
                memory=to_public(h.memory, titles.get(h.memory.superseded_by or "")),
                score=h.score,
                explain=h.explain,
            )
            for h in hits
        ]
    )


def search_memories(
    store: Store,
    *,
    request: SearchRequest,
    projects: tuple[str, ...] | None = None,
    started: Started | None = None,
) -> list[Hit]:
    """Rank memories by relevance to the query under the request's filters (and `projects`);
    `started`, when given, is this request's vector side begun by `start_search`."""
    if request.as_of is not None:
        return search_as_of(store, request=request, projects=projects)
    if started is not None and not started.serves(request, projects):
        started = None  # begun for another search: this one asks for its own
    where = build_filter(request, projects)
    dialect = store.db.dialect
    if started is None and request.mode != "keyword" and request.query.strip():
        settle(store)  # the index holds every write acknowledged before this search
    with store.db.read() as session:
        if not request.query.strip():
            if not has_filter(where):
                raise InvalidInput(
                    "query is empty: give a query, or at least one filter to list by recency"
                )
            listed = newest_memories(session, where, request.k, dialect)
            if not listed:
                ensure_project(session, request.project)
            return [Hit(m, 0.0, None) for m in listed]
        n = _candidates(request)
        # The model and the index work on their own thread while SQL finds the keyword
        # matches and where they sit.
        began = started.began if started else time.perf_counter()
        asking = started.asking if started else None
        if asking is None and request.mode != "keyword":
            asking = _ask(store, request, where)
        if asking:
            metrics.search_stage_until("vector", asking, began)
        keyword: list[KeywordHit] = []
        if request.mode != "vector":
            with metrics.search_stage("keyword"):
                keyword = keyword_search(
                    session,
                    query=request.query,
                    where=where,
                    n=n,
                    dialect=dialect,
                    # Hybrid ranking needs the keyword side's best matches, not every match
                    # of a word most memories hold; keyword mode keeps "any of the words".
                    weighed_only=request.mode == "hybrid",
                )
        place = session_places(session, [k.memory_id for k in keyword])
        embedded = asking.result() if asking else None
        # `nearest` adds the places of the index's nearest, whose status it checks.
        found = None
        if embedded:
            with metrics.search_stage("vector_check"):
                found = nearest(
                    store,
                    session,
                    query=embedded.query,
                    where=where,
                    n=n,
                    unfiltered=embedded.unfiltered,
                    placed=place,
                )
        vector = found.hits if found else []
        # Both lists passed the filter in SQL, in this read's snapshot: an index entry that
        # lags a change is already out, and every candidate is current.
        place.update(
            session_places(session, [h.memory_id for h in vector if h.memory_id not in place])
        )
        candidates = {h.memory_id for h in vector} | {k.memory_id for k in keyword}
        place = {mid: p for mid, p in place.items() if mid in candidates}
        with metrics.search_stage("ranking"):
            ranked, scores = _rank(store, request, found, keyword, place, index_projects(where))
        by_id = load_memories(session, ranked)
        if not by_id:
            # Only now: a project that holds no memories at all is a mistake worth naming.
            ensure_project(session, request.project)
    return [
        Hit(by_id[i], scores[i].fused, scores[i].explain() if request.explain else None)
        for i in ranked
        if i in by_id
    ]


def _rank(
    store: Store,
    request: SearchRequest,
    found: Nearest | None,
    keyword: list[KeywordHit],
    place: dict[str, SessionPlace],
    projects: tuple[str, ...] | None,
) -> tuple[list[str], dict[str, Score]]:
    """The best k candidates, and every candidate's score.

    A keyword match the vector side missed is no more similar than `found.bound`. Scored
    with that bound as its similarity, its score, and the neighbour lift it gives, can only
    fall once its stored vector is read. The k-th best of the scores that are exact already
    is a floor: a candidate below it cannot reach the top k, so only the vectors of
    uncertain candidates above it are read (decisions/0028). Most searches read none."""
    vector = found.hits if found else []
    similarity = {h.memory_id: 1.0 - h.distance for h in vector}
    hybrid = request.mode == "hybrid"
    unknown = {k.memory_id for k in keyword if k.memory_id not in similarity} if hybrid else set()
    bound = found.bound if found else None
    if bound is None and unknown:
        similarity.update(_stored_similarity(store, request, unknown, projects))
        unknown = set()
    least = store.settings.search_min_score if request.min_score is None else request.min_score
    adjacent = {mid: p.adjacent for mid, p in place.items()}
    session_of = {mid: session_key(p.project, p.session, mid) for mid, p in place.items()}
    while True:
        scores = fuse(
            vector=vector,
            keyword=keyword,
            similarity=similarity | dict.fromkeys(unknown, bound or 0.0),
            session_of=session_of,
            adjacent=adjacent if hybrid else None,
            mode=request.mode,
        )
        eligible = relevant(scores, adjacent, least)
        ranked = sorted(eligible, key=lambda i: (-scores[i].fused, i))[: request.k]
        if not unknown:
            return ranked, scores
        uncertain = {i for i in scores if i in unknown or unknown.intersection(adjacent.get(i, ()))}
        exact = sorted(
            (scores[i].fused for i in eligible if i not in uncertain),
            reverse=True,
        )
        floor = exact[request.k - 1] if len(exact) >= request.k else float("-inf")
        above = [i for i in uncertain if scores[i].fused >= floor]
        need = {u for i in above for u in (i, *adjacent.get(i, ())) if u in unknown}
        if not need:
            return ranked, scores
        similarity.update(_stored_similarity(store, request, need, projects))
        unknown -= need


def _stored_similarity(
    store: Store, request: SearchRequest, ids: set[str], projects: tuple[str, ...] | None
) -> dict[str, float]:
    """Cosine similarity of the query to these memories' stored vectors (those indexed)."""
    query = np.asarray(store.embedder.embed_query(request.query), dtype=np.float32)
    stored = store.vectors.embeddings(sorted(ids), projects=projects)
    if not stored:
        return {}
    cosines = np.stack(list(stored.values())) @ query
    return dict(zip(stored, cosines.tolist(), strict=True))
