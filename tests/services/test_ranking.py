"""The fusion formula on hand-made candidates: relevance scale, session lift and modes."""

from __future__ import annotations

import pytest

from memory_service.services.search.ranking import Weights, fuse, keyword_relevance, session_key
from memory_service.store.keyword import KeywordHit
from memory_service.store.vectors import VectorHit

W = Weights(vector=1.0, keyword=0.3, session=0.5)


def test_keyword_relevance_is_a_share_of_the_best_score() -> None:
    hits = [KeywordHit("a", -8.0), KeywordHit("b", -2.0)]
    assert keyword_relevance(hits) == {"a": 1.0, "b": 0.25}
    assert keyword_relevance([]) == {}


def test_hybrid_adds_similarity_relevance_and_the_lift_from_a_session_mate() -> None:
    sessions = {"a": session_key("p", "s1", "a"), "b": session_key("p", "s1", "b")}
    sessions["c"] = session_key("p", None, "c")
    scores = fuse(
        vector=[VectorHit("b", 0.4), VectorHit("c", 0.5)],
        keyword=[KeywordHit("a", -8.0), KeywordHit("b", -2.0), KeywordHit("c", -2.0)],
        similarity={"a": 0.3, "b": 0.6, "c": 0.5},
        session_of=sessions,
        weights=W,
    )
    assert scores["a"].fused == pytest.approx(0.3 + 0.8 * 1.0)
    # b: 0.3 * 0.25 for itself plus 0.5 * 1.0 for the best match in its session.
    assert scores["b"].keyword_part == pytest.approx(0.8 * 0.25)
    assert scores["b"].session_part == pytest.approx(0.5 * 0.75)
    assert scores["b"].fused == pytest.approx(0.6 + 0.3 * 0.25 + 0.5 * 1.0)
    # c has no session: it only lifts itself.
    assert scores["c"].session_part == 0.0
    assert scores["a"].vector_distance == pytest.approx(0.7) and scores["a"].vector_rank is None


def test_candidates_that_sql_filtered_out_get_no_score() -> None:
    scores = fuse(
        vector=[VectorHit("gone", 0.1), VectorHit("kept", 0.2)],
        keyword=[KeywordHit("gone", -5.0)],
        similarity={"gone": 0.9, "kept": 0.8},
        session_of={"kept": session_key("p", None, "kept")},
    )
    assert set(scores) == {"kept"}


@pytest.mark.parametrize(("mode", "expected"), [("vector", {"v"}), ("keyword", {"k"})])
def test_single_modes_rank_by_their_own_list_only(mode: str, expected: set[str]) -> None:
    scores = fuse(
        vector=[VectorHit("v", 0.25)],
        keyword=[KeywordHit("k", -3.0)],
        similarity={"v": 0.75, "k": 0.1},
        session_of={"v": "x", "k": "x"},
        mode=mode,  # type: ignore[arg-type]
    )
    assert set(scores) == expected
    [entry] = scores.values()
    assert entry.fused == pytest.approx(0.75 if mode == "vector" else 1.0)
    assert entry.session_part == 0.0
