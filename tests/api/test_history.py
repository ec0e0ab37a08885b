"""Time travel: search and read the store as it stood at an earlier event sequence, and the
project's changes read a page at a time."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.factories import memory_body, remember, result_ids, search


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


def test_changes_come_in_pages_of_100_that_follow_on_without_gaps(client: TestClient) -> None:
    items = [memory_body(content=f"Checkout note number {i}.") for i in range(250)]
    made = client.post("/v1/memories/batch", json={"memories": items})
    assert made.status_code == 201, made.text
    pages: list[list[dict[str, Any]]] = []
    after: int | None = None
    while len(pages) < 4:
        params: dict[str, Any] = {"since": "0"} if after is None else {"since": "0", "after": after}
        response = client.get("/v1/projects/shop/changes", params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        pages.append(body["changes"])
        after = body["next_after"]
        if after is None:
            break
        assert after == body["changes"][-1]["seq"]
    assert [len(page) for page in pages] == [100, 100, 50]
    seqs = [change["seq"] for page in pages for change in page]
    assert seqs == list(range(seqs[0], seqs[0] + 250))
    assert [change["memory_id"] for page in pages for change in page] == [
        memory["id"] for memory in made.json()["memories"]
    ]
    tail = client.get("/v1/projects/shop/changes", params={"since": str(seqs[199])}).json()
    assert [c["seq"] for c in tail["changes"]] == seqs[200:] and tail["next_after"] is None


def test_changes_beyond_the_largest_page_are_refused_naming_the_bound(client: TestClient) -> None:
    remember(client)
    whole = client.get("/v1/projects/shop/changes", params={"since": "0", "limit": 1000})
    assert whole.status_code == 200 and len(whole.json()["changes"]) == 1
    response = client.get("/v1/projects/shop/changes", params={"since": "0", "limit": 1001})
    assert response.status_code == 422
    assert response.json()["error"]["message"] == (
        "query.limit: Input should be less than or equal to 1000"
    )
