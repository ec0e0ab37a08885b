"""Time travel: search and read the store as it stood at an earlier event sequence."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.factories import remember, result_ids, search


def _seq(client: TestClient, memory_id: str) -> int:
    versions = client.get(f"/v1/memories/{memory_id}/history").json()["versions"]
    return int(versions[-1]["seq"])


def test_search_as_of_answers_as_the_store_stood_then(client: TestClient) -> None:
    edited = remember(client, content="Sessions expire after 30 minutes via Snowplough cron.")
    gone = remember(client, content="The admin panel is served by Django.")
    then = _seq(client, gone["id"])
    client.patch(f"/v1/memories/{edited['id']}", json={"content": "Sessions expire after 8h."})
    client.delete(f"/v1/memories/{gone['id']}")
    later = remember(client, content="The admin panel moved to a React SPA.")

    now_hits = search(client, "admin panel framework", project="shop")
    assert gone["id"] not in result_ids(now_hits) and later["id"] in result_ids(now_hits)
    old_hits = search(client, "admin panel framework", project="shop", as_of=str(then))
    assert set(result_ids(old_hits)) == {edited["id"], gone["id"]}
    assert result_ids(old_hits)[0] == gone["id"]
    assert old_hits[0]["memory"]["status"] == "active"

    rare = search(client, "snowplough", project="shop", as_of=str(then), explain=True)
    assert result_ids(rare)[0] == edited["id"]
    assert rare[0]["memory"]["content"].endswith("via Snowplough cron.")
    assert rare[0]["explain"]["keyword_rank"] == 1
    assert search(client, "snowplough", project="shop", k=1)[0]["memory"]["content"] == (
        "Sessions expire after 8h."
    )


def test_search_as_of_with_an_empty_query_lists_what_existed(client: TestClient) -> None:
    first = remember(client, content="first", occurred_at="2025-01-01T00:00:00Z")
    then = _seq(client, first["id"])
    remember(client, content="second", occurred_at="2025-02-01T00:00:00Z")
    assert result_ids(search(client, "", project="shop", as_of=str(then))) == [first["id"]]
    assert len(search(client, "", project="shop")) == 2


def test_search_as_of_rejects_a_malformed_time(client: TestClient) -> None:
    remember(client)
    response = client.post("/v1/search", json={"query": "x", "project": "shop", "as_of": "soon"})
    assert response.status_code == 422
    assert "neither an event sequence" in response.json()["error"]["message"]
