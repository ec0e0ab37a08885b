"""Hybrid ranking: cosine similarity, normalised keyword relevance and a same-session lift.

A candidate's hybrid score is

    vector * similarity + keyword * relevance + session * best relevance in its session
    + neighbour * best of those scores among the memories just before and after it

where `relevance` is the keyword score divided by the best keyword score of the query (so
1.0 for the best match), "its session" is the memories sharing its project and session (a
memory without a session is a session of its own) and its neighbours are the candidates
written just before and after it in that session (an answer next to its question). The
weights were tuned on half of the LoCoMo conversations and checked on the other half: see
decisions/0020 and 0024.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Literal

from memory_service.schemas.search import ScoreExplain
from memory_service.store.keyword import KeywordHit
from memory_service.store.vectors import VectorHit

Mode = Literal["hybrid", "vector", "keyword"]


@dataclass(frozen=True)
class Weights:
    vector: float = 1.0
    keyword: float = 0.3
    session: float = 0.6
    neighbour: float = 0.1


HYBRID = Weights()


def keyword_relevance(keyword: list[KeywordHit]) -> dict[str, float]:
    """Each keyword hit's score as a share of the best one's (1.0 for the best)."""
    # Both stores report "lower is better" (FTS5 bm25 and negated ts_rank are negative).
    raw = {k.memory_id: -k.bm25 for k in keyword}
    best = max(raw.values(), default=0.0)
    if best <= 0:
        return dict.fromkeys(raw, 1.0)
    return {mid: max(0.0, r / best) for mid, r in raw.items()}


@dataclass
class Score:
    """A candidate's score and its parts (the public `ScoreExplain` of the few returned)."""

    vector_rank: int | None = None
    vector_distance: float | None = None
    keyword_rank: int | None = None
    keyword_bm25: float | None = None
    vector_part: float = 0.0
    keyword_part: float = 0.0
    session_part: float = 0.0
    neighbour_part: float = 0.0
    fused: float = 0.0

    def explain(self) -> ScoreExplain:
        return ScoreExplain(**dataclasses.asdict(self))


def _relevant(score: Score, floor: float) -> bool:
    if score.keyword_rank is not None or score.session_part > 0:
        return True
    return score.vector_distance is not None and 1.0 - score.vector_distance >= floor


def relevant(
    scores: dict[str, Score], adjacent: dict[str, tuple[str, ...]], floor: float
) -> set[str]:
    """The candidates showing a sign of answering the query: the query's words match them
    or a better match in their session, their meaning is at least `floor` similar, or the
    memory written just before or after them does one of these (an answer next to its
    question). The rest are off-topic, however they rank among themselves."""
    if floor <= 0:
        return set(scores)
    found = {i for i, score in scores.items() if _relevant(score, floor)}
    return found | {i for i in scores if found.intersection(adjacent.get(i, ()))}


def fuse(
    *,
    vector: list[VectorHit],
    keyword: list[KeywordHit],
    similarity: dict[str, float],
    session_of: dict[str, str],
    adjacent: dict[str, tuple[str, ...]] | None = None,
    mode: Mode = "hybrid",
    weights: Weights = HYBRID,
) -> dict[str, Score]:
    """Score every candidate that `session_of` lists (the ones SQL let through);
    `adjacent` gives the memories written just before and after a candidate in its session."""
    scores: dict[str, Score] = {}
    if mode != "keyword":
        for rank, hit in enumerate(vector, start=1):
            if hit.memory_id in session_of:
                entry = scores.setdefault(hit.memory_id, Score())
                entry.vector_rank, entry.vector_distance = rank, hit.distance
    relevance = keyword_relevance(keyword) if mode != "vector" else {}
    for rank, kw in enumerate(keyword, start=1):
        if kw.memory_id in session_of and mode != "vector":
            entry = scores.setdefault(kw.memory_id, Score())
            entry.keyword_rank, entry.keyword_bm25 = rank, kw.bm25
    best_in_session: dict[str, float] = {}
    for mid, rel in relevance.items():
        if mid in session_of:
            key = session_of[mid]
            best_in_session[key] = max(best_in_session.get(key, 0.0), rel)
    for mid, entry in scores.items():
        sim = similarity.get(mid)
        if entry.vector_distance is None and sim is not None:
            entry.vector_distance = 1.0 - sim
        rel = relevance.get(mid, 0.0)
        if mode == "vector":
            entry.vector_part = sim or 0.0
        elif mode == "keyword":
            entry.keyword_part = rel
        else:
            entry.vector_part = weights.vector * (sim or 0.0)
            # keyword * rel + session * max(rel, best other in session), split so that
            # session_part is only the lift a better match in the same session gives.
            entry.keyword_part = (weights.keyword + weights.session) * rel
            lift = best_in_session.get(session_of[mid], 0.0) - rel
            entry.session_part = weights.session * max(0.0, lift)
        entry.fused = entry.vector_part + entry.keyword_part + entry.session_part
    if mode == "hybrid" and adjacent:
        base = {mid: entry.fused for mid, entry in scores.items()}
        for mid, entry in scores.items():
            near = [base[n] for n in adjacent.get(mid, ()) if n in base]
            entry.neighbour_part = weights.neighbour * max(near, default=0.0)
            entry.fused += entry.neighbour_part
    return scores


def session_key(project: str, session: str | None, memory_id: str) -> str:
    """Memories of one project and session share a key; a sessionless memory has its own."""
    return f"{project}\0{session}" if session else f"\0{memory_id}"
