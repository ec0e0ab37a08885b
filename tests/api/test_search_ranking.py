"""Ranking: search modes, the same-session lift and embedding with the session's context."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from memory_service.services.indexing.background import settle
from tests.factories import remember, result_ids, search

DECISIONS = [
    (
        "Use PostgreSQL for orders",
        "Orders live in PostgreSQL, one table per aggregate.",
        "We need transactions across order lines.",
    ),
    (
        "Cache product listings",
        "Product listings are cached in Redis for five minutes.",
        "The catalogue page was slow under load.",
    ),
    (
        "Hash passwords with argon2id",
        "Passwords are hashed with argon2id before storage.",
        "It resists GPU cracking better than bcrypt.",
    ),
    (
        "Talk gRPC to the payment gateway",
        "Checkout calls the payment gateway over gRPC.",
        "Typed contracts catch breaking changes early.",
    ),
]
# Questions an agent might ask of the wrong project: no word and no meaning in common.
OFF_TOPIC = [
    "banana bread recipe with walnuts",
    "who won the football world cup",
    "knitting patterns for a winter scarf",
]


def test_keyword_mode_returns_only_memories_that_share_a_word(client: TestClient) -> None:
    target = remember(client, content="Session tokens are rotated by the Quokkafly scheduler.")
    remember(client, content="Invoices are rendered to PDF nightly.")
    results = search(client, "quokkafly", project="shop", mode="keyword", explain=True)
    assert result_ids(results) == [target["id"]]
    assert results[0]["explain"]["vector_part"] == 0.0
    assert results[0]["score"] == results[0]["explain"]["keyword_part"] == 1.0


def test_vector_mode_ranks_by_similarity_alone(client: TestClient) -> None:
    target = remember(client, content="We cache product listings in Redis for five minutes.")
    other = remember(client, content="Passwords are hashed with argon2id.")
    results = search(
        client, "catalogue data kept in memory", project="shop", mode="vector", min_score=0
    )
    assert result_ids(results) == [target["id"], other["id"]]
    explained = search(client, "catalogue", project="shop", mode="vector", explain=True)
    for hit in explained:
        assert hit["explain"]["keyword_part"] == 0.0
        assert abs(hit["score"] - (1.0 - hit["explain"]["vector_distance"])) < 1e-6


def test_an_off_topic_query_finds_nothing_above_the_relevance_floor(client: TestClient) -> None:
    cached = remember(client, content="We cache product listings in Redis for five minutes.")
    hashed = remember(client, content="Passwords are hashed with argon2id.")
    assert search(client, "zzzzqqq", project="shop") == []
    on_topic = search(client, "how long are product listings cached?", project="shop")
    assert result_ids(on_topic) == [cached["id"]]
    every = search(client, "zzzzqqq", project="shop", min_score=0)
    assert set(result_ids(every)) == {cached["id"], hashed["id"]}


def test_off_topic_questions_against_a_populated_project_return_no_hits(
    client: TestClient,
) -> None:
    for title, content, reasoning in DECISIONS:
        remember(client, kind="decision", title=title, content=content, reasoning=reasoning)
    for query in OFF_TOPIC:
        assert search(client, query, project="shop") == [], query
    assert search(client, OFF_TOPIC[0], project="shop", min_score=0) != []


def test_a_word_in_the_reasoning_weighs_as_much_as_in_the_content(client: TestClient) -> None:
    said, reasoned = (
        remember(
            client, kind="decision", title="Queue choice", content=content, reasoning=reasoning
        )
        for content, reasoning in [
            ("Jobs go through Rabbitmq workers.", "Retries must survive restarts."),
            ("Retries must survive restarts.", "Jobs go through Rabbitmq workers."),
        ]
    )
    results = search(client, "rabbitmq", project="shop", mode="keyword")
    assert set(result_ids(results)) == {said["id"], reasoned["id"]}
    assert results[0]["score"] == pytest.approx(results[1]["score"], rel=1e-3)


def test_a_better_match_in_the_same_session_lifts_a_memory(client: TestClient) -> None:
    remember(client, content="The zeppelin hangar inspection is on Tuesday.", session="run-1")
    lifted = remember(client, content="I will bring the torque wrench.", session="run-1")
    alone = remember(client, content="I will bring the torque wrench.", project="ops")
    results = search(client, "zeppelin hangar inspection: torque wrench", explain=True, k=3)
    by_id = {r["memory"]["id"]: r for r in results}
    assert by_id[lifted["id"]]["explain"]["session_part"] > 0.0
    assert by_id[alone["id"]]["explain"]["session_part"] == 0.0
    assert result_ids(results).index(lifted["id"]) < result_ids(results).index(alone["id"])
    for hit in results:
        parts = hit["explain"]
        total = sum(parts[f"{p}_part"] for p in ("vector", "keyword", "session", "neighbour"))
        assert abs(parts["fused"] - total) < 1e-9


def test_a_strong_match_lifts_the_memory_written_next_to_it(client: TestClient) -> None:
    reply = "The one with row-level locks, after the spike."
    remember(client, content="Which database did the team pick for orders?", session="s1")
    answer = remember(client, content=reply, session="s1")
    remember(client, content="The standup moved to ten o'clock.", session="s2")
    # The same words elsewhere (not equal, or they would be stored once).
    copy = remember(client, content=f"{reply} Noted.", session="s2")
    alone = remember(client, content=f"{reply} Again.")
    results = search(client, "database picked for orders", explain=True, k=10, min_score=0)
    parts = {r["memory"]["id"]: r["explain"] for r in results}
    assert parts[answer["id"]]["neighbour_part"] > parts[copy["id"]]["neighbour_part"]
    assert parts[alone["id"]]["neighbour_part"] == 0.0
    ranked = result_ids(results)
    assert ranked.index(answer["id"]) < ranked.index(copy["id"])


def test_a_memory_is_embedded_with_the_one_before_it_in_its_session(client: TestClient) -> None:
    remember(client, content="Did you finally adopt the greyhound?", session="s1", agent="mel")
    dog = remember(client, content="Yes, we did it last May.", session="s1", agent="caro")
    remember(client, content="Did you repaint the kitchen?", session="s2", agent="mel")
    kitchen = remember(client, content="Yes, we did that last May.", session="s2", agent="caro")
    ranked = result_ids(
        search(client, "greyhound adoption", project="shop", mode="vector", min_score=0)
    )
    assert ranked.index(dog["id"]) < ranked.index(kitchen["id"])
    ranked = result_ids(
        search(client, "kitchen painting", project="shop", mode="vector", min_score=0)
    )
    assert ranked.index(kitchen["id"]) < ranked.index(dog["id"])


def test_changing_a_memory_re_embeds_the_next_one_in_its_session(client: TestClient) -> None:
    first = remember(client, content="Did you finally adopt the greyhound?", session="s1")
    reply = remember(client, content="Yes, we did it last May.", session="s1")
    store = client.app.state.store  # type: ignore[attr-defined]
    settle(store)  # remembers are indexed by the index writer, after they are acknowledged
    before = store.vectors.embeddings([reply["id"]])[reply["id"]]
    changed = {"content": "Any news on the boat?"}
    response = client.patch(f"/v1/memories/{first['id']}", json=changed)
    assert response.status_code == 200, response.text
    after = store.vectors.embeddings([reply["id"]])[reply["id"]]
    assert max(abs(a - b) for a, b in zip(before, after, strict=True)) > 1e-3


def test_an_unknown_mode_is_refused_with_the_allowed_ones(client: TestClient) -> None:
    response = client.post("/v1/search", json={"query": "x", "mode": "semantic"})
    assert response.status_code == 422
    assert "hybrid" in response.text and "keyword" in response.text
