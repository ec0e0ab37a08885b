"""Remember, read, change and retract memories through the REST API."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.factories import decision_body, memory_body, remember, result_ids, search


def test_remember_returns_the_stored_memory_with_normalised_tags(client: TestClient) -> None:
    stored = remember(
        client, tags=["API Design", "auth_strategy", "api-design"], topic="API Design"
    )
    assert stored["tags"] == ["api-design", "auth-strategy"]
    assert stored["topic"] == "api-design"
    assert stored["status"] == "active"
    assert stored["version"] == 1
    assert stored["title"] == "The checkout service talks to the payment gateway over gRPC."
    assert client.get(f"/v1/memories/{stored['id']}").json()["content"] == stored["content"]


def test_ids_are_time_sortable(client: TestClient) -> None:
    ids = [remember(client, content=f"note number {i}")["id"] for i in range(5)]
    assert len(set(ids)) == 5
    assert ids[0][:10] <= ids[-1][:10]  # the ULID time prefix never goes backwards


def test_decision_defaults_to_accepted_and_carries_madr_fields(client: TestClient) -> None:
    body = decision_body(
        context="Orders need multi-row transactions.",
        options=[{"name": "PostgreSQL", "pros": ["ACID"], "cons": ["ops"]}, {"name": "MongoDB"}],
        outcome="PostgreSQL",
        consequences={"good": ["joins"], "bad": ["migrations"]},
        decision_makers=["backend-architect"],
    )
    response = client.post("/v1/memories", json=body)
    assert response.status_code == 201
    stored = response.json()
    assert stored["status"] == "accepted"
    assert stored["options"][0] == {
        "name": "PostgreSQL",
        "description": None,
        "pros": ["ACID"],
        "cons": ["ops"],
    }
    assert stored["consequences"] == {"good": ["joins"], "bad": ["migrations"]}


def test_idempotency_key_returns_the_same_memory_on_retry(client: TestClient) -> None:
    headers = {"Idempotency-Key": "retry-1"}
    first = client.post("/v1/memories", json=memory_body(), headers=headers).json()
    second = client.post("/v1/memories", json=memory_body(), headers=headers)
    assert second.status_code == 201
    assert second.json()["id"] == first["id"]
    assert len(search(client, "", project="shop")) == 1


def test_idempotency_key_reused_with_another_body_is_a_conflict(client: TestClient) -> None:
    headers = {"Idempotency-Key": "retry-2"}
    client.post("/v1/memories", json=memory_body(), headers=headers)
    response = client.post("/v1/memories", json=memory_body(content="other"), headers=headers)
    assert response.status_code == 409
    assert "different request body" in response.json()["error"]["message"]


def test_exact_duplicate_returns_the_existing_memory(client: TestClient) -> None:
    first = remember(client)
    again = client.post("/v1/memories", json=memory_body(agent="qa-engineer"))
    assert again.status_code == 201
    assert again.json()["id"] == first["id"]
    assert again.json()["duplicate"] is True
    other_kind = remember(client, kind="deliverable")
    assert other_kind["id"] != first["id"]


def test_patch_makes_a_new_version(client: TestClient) -> None:
    stored = remember(client)
    response = client.patch(
        f"/v1/memories/{stored['id']}",
        json={"content": "The checkout service talks to the gateway over REST.", "tags": ["api"]},
    )
    assert response.status_code == 200
    changed = response.json()
    assert changed["version"] == 2
    assert changed["tags"] == ["api"]
    assert result_ids(search(client, "REST gateway", project="shop")) == [stored["id"]]


def test_patch_without_a_change_makes_no_version(client: TestClient) -> None:
    stored = remember(client)
    response = client.patch(f"/v1/memories/{stored['id']}", json={"content": stored["content"]})
    assert response.json()["version"] == 1


def test_retracted_memory_is_hidden_from_search_but_kept_by_id(client: TestClient) -> None:
    stored = remember(client, content="Zanzibar-style relation tuples drive authorisation.")
    assert result_ids(search(client, "Zanzibar", project="shop")) == [stored["id"]]
    response = client.delete(f"/v1/memories/{stored['id']}", params={"actor": "qa-engineer"})
    assert response.status_code == 200
    assert response.json()["status"] == "retracted"
    assert search(client, "Zanzibar", project="shop") == []
    assert search(client, "relation tuples for authorisation", project="shop") == []
    fetched = client.get(f"/v1/memories/{stored['id']}")
    assert fetched.status_code == 200
    assert fetched.json()["status"] == "retracted"


def test_retracted_memory_cannot_be_patched(client: TestClient) -> None:
    stored = remember(client)
    client.delete(f"/v1/memories/{stored['id']}")
    response = client.patch(f"/v1/memories/{stored['id']}", json={"content": "new"})
    assert response.status_code == 409
    assert "retracted" in response.json()["error"]["message"]


def test_batch_remembers_all_in_one_request(client: TestClient) -> None:
    items = [memory_body(content=f"Service {i} owns table t{i}.") for i in range(20)]
    response = client.post("/v1/memories/batch", json={"memories": items})
    assert response.status_code == 201
    stored = response.json()["memories"]
    assert len({m["id"] for m in stored}) == 20
    assert result_ids(search(client, "Service 7 owns table t7", project="shop", k=1)) == [
        stored[7]["id"]
    ]


def test_a_batch_writes_its_events_in_item_order_each_by_its_author(client: TestClient) -> None:
    old = remember(client, **decision_body())
    items = [
        memory_body(content="Note one.", agent="devops"),
        memory_body(content="Note two.", agent="devops"),
        decision_body(
            title="Use CockroachDB", content="Orders go to CockroachDB.", supersedes=old["id"]
        ),
        memory_body(content="Note three.", agent="qa-engineer"),
        decision_body(title="Cache orders", content="Orders are cached in Redis.", topic="caching"),
        decision_body(
            title="Cache in process", content="Orders are cached in memory.", topic="caching"
        ),
    ]
    response = client.post("/v1/memories/batch", json={"memories": items})
    assert response.status_code == 201, response.text
    stored = response.json()["memories"]
    # The second caching decision sees the first one of the same batch as a conflict.
    assert [c["id"] for c in stored[5]["conflicts"]] == [stored[4]["id"]]
    assert stored[2]["conflicts"] == []
    changes = client.get("/v1/projects/shop/changes", params={"since": "0"}).json()["changes"]
    architect = "backend-architect"
    assert [(c["memory_id"], c["event"], c["actor"]) for c in changes] == [
        (old["id"], "created", architect),
        (stored[0]["id"], "created", "devops"),
        (stored[1]["id"], "created", "devops"),
        (stored[2]["id"], "created", architect),
        (old["id"], "superseded", architect),
        (stored[3]["id"], "created", "qa-engineer"),
        (stored[4]["id"], "created", architect),
        (stored[5]["id"], "created", architect),
    ]
    assert [c["seq"] for c in changes] == list(range(changes[0]["seq"], changes[0]["seq"] + 8))


def test_refs_to_another_projects_memory_are_refused_by_name(client: TestClient) -> None:
    other = client.post("/v1/memories", json=memory_body(project="elsewhere")).json()
    response = client.post("/v1/memories", json=memory_body(refs=[other["id"]]))
    assert response.status_code == 422
    assert f"refs {other['id']} belong to another project" in response.json()["error"]["message"]


def test_handoff_lists_on_a_note_are_refused_with_the_kind_to_send(client: TestClient) -> None:
    response = client.post("/v1/memories", json=memory_body(pending=["pagination"]))
    assert response.status_code == 422
    assert "set kind=handoff" in response.json()["error"]["message"]


def test_a_resend_is_the_same_memory_only_while_its_fields_agree(client: TestClient) -> None:
    body = decision_body(tags=["orders", "storage"], refs=[])
    first = client.post("/v1/memories", json=body).json()
    # The same fields, the tags in another order, empty lists and another agent say no more.
    same = decision_body(tags=["storage", "orders"], for_agents=[], agent="qa-engineer")
    again = client.post("/v1/memories", json=same)
    assert again.status_code == 201
    assert (again.json()["id"], again.json()["duplicate"]) == (first["id"], True)
    refused = client.post("/v1/memories", json=decision_body(reasoning="Cheaper to run."))
    assert refused.status_code == 409
    assert refused.json()["error"]["details"]["fields"] == ["reasoning"]


def test_a_resend_with_another_title_topic_or_supersedes_is_refused_naming_them(
    client: TestClient,
) -> None:
    older = remember(client, **decision_body(content="Orders live in SQLite.", topic="orders"))
    stored = remember(client, **decision_body())
    resend = decision_body(
        title="Orders move to PostgreSQL", topic="orders", supersedes=older["id"]
    )
    response = client.post("/v1/memories", json=resend)
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "duplicate_content"
    assert error["details"]["existing_id"] == stored["id"]
    assert error["details"]["fields"] == ["title", "topic", "supersedes"]
    message = error["message"]
    assert f"memory {stored['id']} already holds this content" in message
    assert 'title: sent "Orders move to PostgreSQL", stored "Use PostgreSQL for orders"' in message
    assert f"update memory {stored['id']} (PATCH /v1/memories/{stored['id']}" in message
    assert "to record a new decision, change its content" in message
    assert f"POST /v1/memories/{older['id']}/supersede" in message
    # Nothing was stored or changed.
    assert client.get(f"/v1/memories/{stored['id']}").json()["version"] == 1
    assert client.get(f"/v1/memories/{older['id']}").json()["status"] == "accepted"
    assert len(search(client, "", project="shop", kinds=["decision"])) == 2


def test_a_batch_item_repeating_another_with_other_fields_stores_nothing(
    client: TestClient,
) -> None:
    items = [
        memory_body(content="Payments retry three times.", title="Payment retries"),
        memory_body(content="Refunds are manual."),
        memory_body(content="Payments retry three times.", title="Retry policy", tags=["pay"]),
    ]
    response = client.post("/v1/memories/batch", json={"memories": items})
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["message"].startswith(
        "memories.2: it repeats the content of memories.0 with a different title, tags"
    )
    assert (error["details"]["index"], error["details"]["earlier_index"]) == (2, 0)
    assert client.get("/v1/projects").json() == []  # not even the first two items


def test_a_batch_item_repeating_a_stored_memory_with_other_fields_stores_nothing(
    client: TestClient,
) -> None:
    stored = remember(client, content="Payments retry three times.")
    items = [
        memory_body(content="Refunds are manual."),
        memory_body(content="Payments retry three times.", topic="payments"),
    ]
    response = client.post("/v1/memories/batch", json={"memories": items})
    assert response.status_code == 409
    message = response.json()["error"]["message"]
    assert message.startswith(f"memories.1: memory {stored['id']} already holds this content")
    assert "a different topic" in message
    assert result_ids(search(client, "", project="shop")) == [stored["id"]]


def test_the_conflict_hint_offers_supersede_and_names_on_conflict_only_for_rest(
    client: TestClient,
) -> None:
    first = remember(client, **decision_body())
    second = remember(client, **decision_body(content="Orders live in MySQL."))
    hint = second["hint"]
    assert f"already has an accepted decision ({first['id']})" in hint
    assert f'supersede with {{"by": "{second["id"]}"}}' in hint
    assert "record the replacement with supersedes=<that id>" in hint
    assert "REST callers may set on_conflict=error" in hint
