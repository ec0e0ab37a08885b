"""Search as the store stood at an earlier event sequence.

The live indexes hold only current state, so a time-travel search ranks the memories that
existed then, with their contents then: vectors come from the index for memories unchanged
since, and are computed afresh for the ones that changed; keyword scores are bm25 over the
old texts computed here. Visibility and content are exact; ranking follows the live formula.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from datetime import datetime
from typing import Any

import numpy as np
from sqlmodel import Session, col, func, select

from memory_service.models import Event
from memory_service.schemas.search import ScoreExplain, SearchRequest
from memory_service.services.history.history import memory_from_snapshot, resolve_as_of
from memory_service.services.projects import ensure_project
from memory_service.services.search.filters import Hit, build_filter
from memory_service.services.texts import embedding_text
from memory_service.store import Store
from memory_service.store.filters import MemoryFilter, addressed_to
from memory_service.store.keyword import query_terms

BM25_K1, BM25_B = 1.2, 0.75
_WORD = re.compile(r"[^\W_]+", re.UNICODE)

# Reciprocal rank fusion, over past states: the live indexes hold only the present.
RRF_K = 60
VECTOR_WEIGHT = 1.0
KEYWORD_WEIGHT = 1.0


def _states(session: Session, project: str | None, seq: int) -> dict[str, dict[str, Any]]:
    latest = select(Event.memory_id, func.max(Event.seq).label("seq")).where(
        col(Event.seq) <= seq, col(Event.memory_id).is_not(None)
    )
    if project:
        latest = latest.where(Event.project == project)
    sub = latest.group_by(col(Event.memory_id)).subquery()
    stmt = select(Event.memory_id, Event.after).join(sub, col(Event.seq) == sub.c.seq)
    return {mid: dict(after) for mid, after in session.exec(stmt) if mid and after}


def _changed_since(session: Session, project: str | None, seq: int) -> set[str]:
    stmt = select(Event.memory_id).where(col(Event.seq) > seq).distinct()
    if project:
        stmt = stmt.where(Event.project == project)
    return {mid for mid in session.exec(stmt) if mid}


def _matches(state: dict[str, Any], f: MemoryFilter) -> bool:
    occurred = datetime.fromisoformat(state["occurred_at"])
    tags = set(state.get("tags") or [])
    return not (
        (f.project and state["project"] != f.project)
        or (f.projects is not None and state["project"] not in f.projects)
        or (f.agent and state["agent"] != f.agent)
        or (f.kinds and state["kind"] not in f.kinds)
        or (f.topic and state.get("topic") != f.topic)
        or state["status"] in f.exclude_statuses
        or (f.since and occurred < f.since)
        or (f.until and occurred > f.until)
        or (f.tags_all and not set(f.tags_all) <= tags)
        or (f.tags_any and not set(f.tags_any) & tags)
        or (
            f.for_agent
            and not addressed_to(
                f.for_agent,
                for_agents=state.get("for_agents") or [],
                tags=state.get("tags") or [],
                author=state["agent"],
            )
        )
    )


def _bm25(texts: dict[str, str], terms: list[str]) -> dict[str, float]:
    docs = {mid: Counter(t.lower() for t in _tokens(text)) for mid, text in texts.items()}
    if not docs or not terms:
        return {}
    avg = sum(sum(c.values()) for c in docs.values()) / len(docs) or 1.0
    df = {t: sum(1 for c in docs.values() if t in c) for t in terms}
    scores: dict[str, float] = {}
    for mid, counts in docs.items():
        length = sum(counts.values())
        score = 0.0
        for t in terms:
            tf = counts.get(t, 0)
            if tf:
                idf = math.log(1 + (len(docs) - df[t] + 0.5) / (df[t] + 0.5))
                score += (
                    idf * tf * (BM25_K1 + 1) / (tf + BM25_K1 * (1 - BM25_B + BM25_B * length / avg))
                )
        if score > 0:
            scores[mid] = score
    return scores


def _tokens(text: str) -> list[str]:
    return _WORD.findall(text)


def _vectors(store: Store, states: dict[str, dict[str, Any]], changed: set[str]) -> dict[str, Any]:
    unchanged = [mid for mid in states if mid not in changed]
    vectors: dict[str, Any] = {}
    if unchanged:
        vectors.update(store.vectors.embeddings(unchanged))
    fresh = [mid for mid in states if mid not in vectors]
    if fresh:
        texts = [embedding_text(memory_from_snapshot(states[mid])) for mid in fresh]
        vectors.update(zip(fresh, store.embedder.embed(texts), strict=True))
    return vectors


def search_as_of(
    store: Store, *, request: SearchRequest, projects: tuple[str, ...] | None = None
) -> list[Hit]:
    """Rank memories by the query as the store stood at `request.as_of`."""
    assert request.as_of is not None
    where = build_filter(request, projects)
    with store.db.read() as session:
        ensure_project(session, request.project)
        seq = resolve_as_of(session, request.as_of)
        states = {
            mid: s
            for mid, s in _states(session, request.project, seq).items()
            if _matches(s, where)
        }
        changed = _changed_since(session, request.project, seq)
    if not request.query.strip():
        newest = sorted(states.values(), key=lambda s: s["occurred_at"], reverse=True)
        return [Hit(memory_from_snapshot(s), 0.0, None) for s in newest[: request.k]]
    vectors = _vectors(store, states, changed)
    ids = [mid for mid in states if mid in vectors]
    query = np.asarray(store.embedder.embed_query(request.query))
    matrix = np.asarray([vectors[mid] for mid in ids]) if ids else np.zeros((0, query.size))
    distance = dict(zip(ids, (1.0 - matrix @ query).tolist(), strict=True))
    by_vector = sorted(ids, key=lambda mid: distance[mid])
    texts = {mid: embedding_text(memory_from_snapshot(s)) for mid, s in states.items()}
    keyword = _bm25(texts, query_terms(request.query))
    by_keyword = sorted(keyword, key=lambda mid: keyword[mid], reverse=True)
    scores: dict[str, ScoreExplain] = {}
    for rank, mid in enumerate(by_vector, start=1):
        part = VECTOR_WEIGHT / (RRF_K + rank)
        scores[mid] = ScoreExplain(
            vector_rank=rank,
            vector_distance=distance[mid],
            keyword_rank=None,
            keyword_bm25=None,
            vector_part=part,
            keyword_part=0.0,
            fused=part,
        )
    for rank, mid in enumerate(by_keyword, start=1):
        part = KEYWORD_WEIGHT / (RRF_K + rank)
        entry = scores[mid]  # every state has a vector, so every keyword hit is here
        entry.keyword_rank, entry.keyword_bm25, entry.keyword_part = rank, keyword[mid], part
        entry.fused = entry.vector_part + part
    ranked = sorted(scores, key=lambda mid: scores[mid].fused, reverse=True)[: request.k]
    return [
        Hit(
            memory_from_snapshot(states[mid]),
            scores[mid].fused,
            scores[mid] if request.explain else None,
        )
        for mid in ranked
    ]
