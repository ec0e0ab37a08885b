"""Hybrid search: vector and keyword candidates under one filter, ranked by `ranking.fuse`."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlmodel import Session, col, select

from memory_service.errors import InvalidInput, ProjectNotFound
from memory_service.models import Memory
from memory_service.schemas.search import ScoreExplain, SearchRequest
from memory_service.services.neighbours import Place, places
from memory_service.services.ranking import Score, fuse, session_key
from memory_service.services.vector_candidates import (
    Nearest,
    index_projects,
    nearest,
    start_nearest,
)
from memory_service.store import Store
from memory_service.store.filters import MemoryFilter, sql_where
from memory_service.store.keyword import KeywordHit, keyword_search
from memory_service.store.lookups import load_memories

# Reciprocal rank fusion, still used by the as_of search over past states.
RRF_K = 60
VECTOR_WEIGHT = 1.0
KEYWORD_WEIGHT = 1.0
CANDIDATES = 50


@dataclass
class Hit:
    memory: Memory
    score: float
    explain: ScoreExplain | None


def build_filter(request: SearchRequest, projects: tuple[str, ...] | None = None) -> MemoryFilter:
    excluded = ("retracted",) if request.include_superseded else ("retracted", "superseded")
    return MemoryFilter(
        project=request.project,
        projects=projects,
        agent=request.agent,
        kinds=tuple(request.kinds),
        topic=request.topic,
        tags_all=tuple(request.tags_all),
        tags_any=tuple(request.tags_any),
        for_agent=request.for_agent,
        since=request.since,
        until=request.until,
        exclude_statuses=excluded,
    )


def ensure_project(session: Session, project: str | None) -> None:
    """Refuse a filter on a project that holds no memories, naming the known ones."""
    if project is None:
        return
    if session.exec(select(Memory.id).where(Memory.project == project).limit(1)).first():
        return
    known = session.exec(select(Memory.project).distinct().order_by(Memory.project)).all()
    raise ProjectNotFound(
        f"project {project!r} has no memories; known projects: "
        + (", ".join(known[:20]) if known else "none yet"),
        project=project,
    )


def _has_filter(f: MemoryFilter) -> bool:
    return any(
        (
            f.project,
            f.agent,
            f.kinds,
            f.topic,
            f.tags_all,
            f.tags_any,
            f.for_agent,
            f.since,
            f.until,
        )
    )


def recent(session: Session, where: MemoryFilter, k: int, dialect: str) -> list[Memory]:
    """The newest memories under the filter."""
    stmt = (
        select(Memory)
        .where(*sql_where(where, dialect))
        .order_by(col(Memory.occurred_at).desc(), col(Memory.pk).desc())
        .limit(k)
    )
    return list(session.exec(stmt).all())


def search_memories(
    store: Store, *, request: SearchRequest, projects: tuple[str, ...] | None = None
) -> list[Hit]:
    """Rank memories by relevance to the query under the request's filters (and `projects`)."""
    if request.as_of is not None:
        from memory_service.services.search_as_of import search_as_of  # needs this module

        return search_as_of(store, request=request, projects=projects)
    where = build_filter(request, projects)
    dialect = store.db.dialect
    with store.db.read() as session:
        if not request.query.strip():
            if not _has_filter(where):
                raise InvalidInput(
                    "query is empty: give a query, or at least one filter to list by recency"
                )
            listed = recent(session, where, request.k, dialect)
            if not listed:
                ensure_project(session, request.project)
            return [Hit(m, 0.0, None) for m in listed]
        n = max(CANDIDATES, request.k * 3)
        # The model and the index work on their own thread while SQL finds the keyword
        # matches and where they sit.
        asking = (
            start_nearest(store, request.query, where=where, n=n)
            if request.mode != "keyword"
            else None
        )
        keyword = (
            keyword_search(
                session,
                query=request.query,
                where=where,
                n=n,
                dialect=dialect,
                # Hybrid ranking needs the keyword side's best matches, not every match of
                # a word most memories hold; keyword mode keeps "any of the words".
                weighed_only=request.mode == "hybrid",
            )
            if request.mode != "vector"
            else []
        )
        place = places(session, [k.memory_id for k in keyword])
        asked = asking.result() if asking else None
        # `nearest` adds the places of the index's nearest, whose status it checks.
        found = (
            nearest(
                store, session, query=asked.query, where=where, n=n, wide=asked.wide, placed=place
            )
            if asked
            else None
        )
        vector = found.hits if found else []
        # Both lists passed the filter in SQL, in this read's snapshot: an index entry that
        # lags a change is already out, and every candidate is current.
        place.update(places(session, [h.memory_id for h in vector if h.memory_id not in place]))
        candidates = {h.memory_id for h in vector} | {k.memory_id for k in keyword}
        place = {mid: p for mid, p in place.items() if mid in candidates}
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
    place: dict[str, Place],
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
        ranked = sorted(scores, key=lambda i: (-scores[i].fused, i))[: request.k]
        if not unknown:
            return ranked, scores
        uncertain = {i for i in scores if i in unknown or unknown.intersection(adjacent.get(i, ()))}
        exact = sorted((scores[i].fused for i in scores if i not in uncertain), reverse=True)
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
