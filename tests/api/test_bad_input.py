"""Bad input gets a 4xx with a message that says what to fix, and stores nothing."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.factories import decision_body, memory_body, remember, search


def _error(response) -> dict:  # type: ignore[no-untyped-def, type-arg]
    body = response.json()
    assert set(body) == {"error", "request_id"}
    assert set(body["error"]) == {"code", "message", "details"}
    return body["error"]  # type: ignore[no-any-return]


def test_decision_without_reasoning_is_refused(client: TestClient) -> None:
    response = client.post("/v1/memories", json=decision_body(reasoning=None))
    assert response.status_code == 422
    assert "reasoning is required for a decision" in _error(response)["message"]


def test_malformed_tag_is_refused(client: TestClient) -> None:
    response = client.post("/v1/memories", json=memory_body(tags=["ok", "no way!"]))
    assert response.status_code == 422
    assert "tag 'no way!' is malformed" in _error(response)["message"]


def test_project_must_be_a_slug(client: TestClient) -> None:
    response = client.post("/v1/memories", json=memory_body(project="My Project"))
    assert response.status_code == 422
    assert "project: 'My Project' is not a slug" in _error(response)["message"]


def test_unknown_field_is_refused(client: TestClient) -> None:
    response = client.post("/v1/memories", json=memory_body(colour="blue"))
    assert response.status_code == 422
    assert "colour" in _error(response)["message"]


def test_content_over_32_kb_is_too_large(client: TestClient) -> None:
    response = client.post("/v1/memories", json=memory_body(content="x" * (32 * 1024 + 1)))
    assert response.status_code == 413
    error = _error(response)
    assert "over the 32768-byte limit" in error["message"]
    assert error["details"]["bytes"] == 32 * 1024 + 1


def test_batch_over_500_is_too_large(client: TestClient) -> None:
    items = [memory_body(content=f"m{i}") for i in range(501)]
    response = client.post("/v1/memories/batch", json={"memories": items})
    assert response.status_code == 413
    assert "at most 500" in _error(response)["message"]
    assert client.get("/v1/projects").json() == []


def test_malformed_json_is_a_400(client: TestClient) -> None:
    response = client.post(
        "/v1/memories", content=b'{"project": "shop",', headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert _error(response)["code"] == "malformed_json"


def test_unknown_memory_is_a_404(client: TestClient) -> None:
    response = client.get("/v1/memories/01NOSUCHMEMORY000000000000")
    assert response.status_code == 404
    assert "no memory has id" in _error(response)["message"]


def test_unknown_project_in_a_search_filter_is_a_404(client: TestClient) -> None:
    remember(client)
    response = client.post("/v1/search", json={"query": "x", "project": "nope"})
    assert response.status_code == 404
    assert "GET /v1/projects lists" in _error(response)["message"]


def test_refs_to_unknown_memories_are_refused(client: TestClient) -> None:
    response = client.post("/v1/memories", json=memory_body(refs=["01NOSUCHMEMORY000000000000"]))
    assert response.status_code == 422
    assert "unknown memory ids" in _error(response)["message"]


def test_status_not_valid_for_the_kind_is_refused(client: TestClient) -> None:
    response = client.post("/v1/memories", json=decision_body(status="open"))
    assert response.status_code == 422
    assert "not valid for a decision" in _error(response)["message"]


def test_empty_query_without_filters_is_refused(client: TestClient) -> None:
    response = client.post("/v1/search", json={"query": "  "})
    assert response.status_code == 422
    assert "query is empty" in _error(response)["message"]


def test_body_over_the_limit_is_refused_before_parsing(client: TestClient) -> None:
    response = client.post(
        "/v1/memories/batch",
        content=b"[" + b" " * (21 * 1024 * 1024) + b"]",
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413
    assert _error(response)["code"] == "payload_too_large"


def test_refused_write_loses_nothing(client: TestClient) -> None:
    kept = remember(client, content="Keep me: idempotent payment capture.")
    client.post("/v1/memories", json=decision_body(reasoning=""))
    client.post("/v1/memories", json=memory_body(content="y" * 40000))
    assert [r["memory"]["id"] for r in search(client, "", project="shop")] == [kept["id"]]


def _nested(depth: int) -> dict:  # type: ignore[type-arg]
    top: dict = {}  # type: ignore[type-arg]
    node = top
    for _ in range(depth):
        node["a"] = {}
        node = node["a"]
    return top


def test_metadata_nested_beyond_reason_is_refused_naming_metadata(client: TestClient) -> None:
    response = client.post("/v1/memories", json=memory_body(metadata=_nested(900)))
    assert response.status_code == 422
    assert "metadata is nested deeper than 16 levels" in _error(response)["message"]
    assert client.post("/v1/memories", json=memory_body(metadata=_nested(10))).status_code == 201


def test_a_memory_over_its_byte_budget_is_refused_naming_the_heaviest_field(
    client: TestClient,
) -> None:
    huge = decision_body(reasoning="because " * 9000)  # 72 KB of reasoning
    response = client.post("/v1/memories", json=huge)
    assert response.status_code == 413
    error = _error(response)
    assert "its largest field is reasoning" in error["message"]
    assert error["details"]["field"] == "reasoning"
    assert search(client, "because") == []


def test_an_event_sequence_beyond_64_bits_is_refused(client: TestClient) -> None:
    made = remember(client)
    response = client.get(f"/v1/memories/{made['id']}", params={"as_of": "9" * 20})
    assert response.status_code == 422
    assert "beyond any event sequence" in _error(response)["message"]
    response = client.get("/v1/projects/shop/changes", params={"since": "9" * 20})
    assert response.status_code == 422
