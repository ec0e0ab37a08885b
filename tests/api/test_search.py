"""Hybrid search: keyword and vector candidates under the same filters."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient

from tests.factories import remember, result_ids, search


def test_rare_word_is_found_by_keyword(client: TestClient) -> None:
    target = remember(client, content="Session tokens are rotated by the Quokkafly scheduler.")
    remember(client, content="Invoices are rendered to PDF nightly.")
    results = search(client, "quokkafly", project="shop", explain=True)
    assert result_ids(results)[0] == target["id"]
    assert results[0]["explain"]["keyword_rank"] == 1


def test_paraphrase_is_found_by_vector(client: TestClient) -> None:
    target = remember(client, content="We cache product listings in Redis for five minutes.")
    remember(client, content="The mobile app uses a bottom navigation bar.")
    remember(client, content="Passwords are hashed with argon2id.")
    results = search(client, "how long do we keep catalogue data in memory?", project="shop")
    assert result_ids(results)[0] == target["id"]


def test_explain_shows_each_part_of_the_score(client: TestClient) -> None:
    remember(client, content="Webhooks are retried with exponential backoff.")
    [hit] = search(client, "webhook retries", project="shop", explain=True, k=1)
    explain = hit["explain"]
    assert explain["vector_rank"] == 1 and explain["keyword_rank"] == 1
    assert abs(explain["fused"] - (explain["vector_part"] + explain["keyword_part"])) < 1e-9
    assert hit["score"] == explain["fused"]


def test_filters_apply_to_both_keyword_and_vector(client: TestClient) -> None:
    a = remember(client, content="Rate limiting uses a token bucket.", tags=["api", "limits"])
    b = remember(client, content="Rate limiting on the edge proxy.", tags=["edge"], agent="devops")
    c = remember(
        client,
        content="Rate limiting rules for the admin API.",
        kind="deliverable",
        tags=["api"],
        for_agents=["frontend-developer"],
        topic="api-design",
    )
    assert set(result_ids(search(client, "rate limiting", project="shop"))) == {
        a["id"],
        b["id"],
        c["id"],
    }
    assert result_ids(search(client, "rate limiting", agent="devops")) == [b["id"]]
    assert set(result_ids(search(client, "rate limiting", tags_all=["api"]))) == {a["id"], c["id"]}
    assert result_ids(search(client, "rate limiting", tags_all=["api", "limits"])) == [a["id"]]
    assert set(result_ids(search(client, "rate limiting", tags_any=["edge", "limits"]))) == {
        a["id"],
        b["id"],
    }
    assert result_ids(search(client, "rate limiting", kinds=["deliverable"])) == [c["id"]]
    assert result_ids(search(client, "rate limiting", topic="api-design")) == [c["id"]]
    assert result_ids(search(client, "rate limiting", for_agent="frontend-developer")) == [c["id"]]


def test_time_window_filters_on_occurred_at(client: TestClient) -> None:
    old = remember(client, content="Billing moved to Stripe.", occurred_at="2024-01-10T12:00:00Z")
    new = remember(client, content="Billing moved to Adyen.", occurred_at="2025-06-01T12:00:00")
    assert result_ids(search(client, "billing", until="2024-12-31T00:00:00Z")) == [old["id"]]
    assert result_ids(search(client, "billing", since="2025-01-01T00:00:00Z")) == [new["id"]]
    assert new["occurred_at"].startswith("2025-06-01T12:00:00")


def test_empty_query_with_filters_lists_newest_first(client: TestClient) -> None:
    ids = [
        remember(
            client,
            content=f"step {i}",
            occurred_at=datetime(2025, 1, i + 1, tzinfo=UTC).isoformat(),
        )["id"]
        for i in range(3)
    ]
    assert result_ids(search(client, "", project="shop")) == list(reversed(ids))


def test_query_with_fts_syntax_is_taken_literally(client: TestClient) -> None:
    target = remember(client, content='Use "NEAR" AND OR * carefully: title:colon')
    results = search(client, 'NEAR AND OR * title:colon "', project="shop")
    assert result_ids(results)[0] == target["id"]


def test_k_limits_the_results(client: TestClient) -> None:
    for i in range(6):
        remember(client, content=f"Queue consumer {i} acknowledges messages.")
    assert len(search(client, "queue consumer", project="shop", k=4)) == 4


def test_keyword_search_stays_inside_a_project_whose_name_is_part_of_another(
    client: TestClient,
) -> None:
    home = remember(client, project="shop", content="The parcel locker firmware was flashed.")
    away = remember(client, project="shop-eu", content="The parcel locker firmware was flashed.")
    assert result_ids(search(client, "parcel locker", project="shop", mode="keyword")) == [
        home["id"]
    ]
    assert result_ids(search(client, "parcel locker", project="shop-eu", mode="keyword")) == [
        away["id"]
    ]
    assert set(result_ids(search(client, "parcel locker", mode="keyword"))) == {
        home["id"],
        away["id"],
    }


def test_a_search_in_a_project_without_memories_names_the_known_ones(client: TestClient) -> None:
    remember(client, project="shop", content="The parcel locker firmware was flashed.")
    for body in ({"query": "parcel locker"}, {"query": ""}):
        response = client.post("/v1/search", json={**body, "project": "shoop"})
        assert response.status_code == 404, response.text
        error = response.json()["error"]
        assert error["code"] == "project_not_found"
        assert "GET /v1/projects lists" in error["message"]
