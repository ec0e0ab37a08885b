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


def _versions(client: TestClient, memory_id: str) -> list[str]:
    history = client.get(f"/v1/memories/{memory_id}/history").json()["versions"]
    return [v["event"] for v in history]


def test_an_exact_replay_is_the_stored_memory_and_other_fields_are_its_next_version(
    client: TestClient,
) -> None:
    body = decision_body(tags=["orders", "storage"], refs=[])
    first = client.post("/v1/memories", json=body).json()
    assert (first["result"], first["duplicate"]) == ("created", False)
    # The same fields, the tags in another order, empty lists and another agent say no more.
    same = decision_body(tags=["storage", "orders"], for_agents=[], agent="qa-engineer")
    again = client.post("/v1/memories", json=same)
    assert again.status_code == 201
    replay = again.json()
    assert (replay["id"], replay["duplicate"], replay["result"]) == (first["id"], True, "duplicate")
    assert replay["version"] == 1
    # The author sending the same content with another reasoning: its new version, stored.
    changed = client.post("/v1/memories", json=decision_body(reasoning="Cheaper to run."))
    assert changed.status_code == 201
    version = changed.json()
    assert (version["id"], version["result"], version["duplicate"]) == (
        first["id"],
        "version",
        False,
    )
    assert (version["version"], version["reasoning"]) == (2, "Cheaper to run.")
    assert version["tags"] == ["orders", "storage"]  # what the resend left out stays
    assert _versions(client, first["id"]) == ["created", "updated"]


def test_a_resend_with_another_title_topic_and_supersedes_is_a_new_superseding_decision(
    client: TestClient,
) -> None:
    older = remember(client, **decision_body(content="Orders live in SQLite.", topic="orders"))
    stored = remember(client, **decision_body())
    resend = decision_body(
        title="Orders move to PostgreSQL", topic="orders", supersedes=older["id"]
    )
    response = client.post("/v1/memories", json=resend)
    assert response.status_code == 201, response.text
    made = response.json()
    assert made["id"] not in (older["id"], stored["id"])
    assert (made["result"], made["duplicate"]) == ("created", False)
    assert (made["title"], made["topic"], made["supersedes"]) == (
        "Orders move to PostgreSQL",
        "orders",
        older["id"],
    )
    replaced = client.get(f"/v1/memories/{older['id']}").json()
    assert (replaced["status"], replaced["superseded_by"]) == ("superseded", made["id"])
    untouched = client.get(f"/v1/memories/{stored['id']}").json()
    assert (untouched["version"], untouched["title"]) == (1, "Use PostgreSQL for orders")


def test_twenty_supersessions_with_the_same_text_make_twenty_decisions(
    client: TestClient,
) -> None:
    ids = [remember(client, **decision_body(title="Cache policy 0"))["id"]]
    for n in range(1, 20):
        made = remember(client, **decision_body(title=f"Cache policy {n}", supersedes=ids[-1]))
        assert made["result"] == "created"
        ids.append(made["id"])
    assert len(set(ids)) == 20
    states = [client.get(f"/v1/memories/{i}").json() for i in ids]
    assert [m["status"] for m in states] == ["superseded"] * 19 + ["accepted"]
    assert [m["superseded_by"] for m in states[:-1]] == ids[1:]
    assert [m["supersedes"] for m in states[1:]] == ids[:-1]


def test_another_agents_resend_with_other_fields_is_its_own_memory(client: TestClient) -> None:
    mine = remember(client, content="Payments retry three times.", tags=["payments"])
    theirs = client.post(
        "/v1/memories",
        json=memory_body(content="Payments retry three times.", agent="qa-engineer", tags=["qa"]),
    ).json()
    assert theirs["id"] != mine["id"]
    assert (theirs["result"], theirs["agent"], theirs["tags"]) == ("created", "qa-engineer", ["qa"])
    kept = client.get(f"/v1/memories/{mine['id']}").json()
    assert (kept["version"], kept["tags"], kept["agent"]) == (1, ["payments"], "backend-architect")


def test_a_batch_reports_each_item_and_stores_all_but_the_replays_it_names(
    client: TestClient,
) -> None:
    items = [decision_body(title=f"Decision {i}", content=f"We decided {i}.") for i in range(40)]
    items[17] = dict(items[3])  # an exact replay of item 3
    items[29] = decision_body(title="Decision 3, renamed", content="We decided 3.")
    items[35] = decision_body(title="Decision 5", content="We decided 5.", status="proposed")
    response = client.post("/v1/memories/batch", json={"memories": items})
    assert response.status_code == 201, response.text
    body = response.json()
    results = [m["result"] for m in body["memories"]]
    assert results.count("duplicate") == 1 and results[17] == "duplicate"
    assert results[29] == "version" and results[35] == "created"
    assert (body["created"], body["versions"], body["duplicates"]) == (38, 1, 1)
    ids = [m["id"] for m in body["memories"]]
    assert ids[17] == ids[3] == ids[29] and ids[35] != ids[5]
    stored = client.get("/v1/memories", params={"project": "shop", "limit": 200}).json()
    # Stored: every item sent, less the one replay the answer names (item 29 is a version).
    assert len(stored["memories"]) == len(items) - 1 - 1
    third = client.get(f"/v1/memories/{ids[3]}").json()
    assert (third["title"], third["version"]) == ("Decision 3, renamed", 2)


def test_a_version_by_resend_stays_within_the_memory_size_limit(client: TestClient) -> None:
    stored = remember(client, content="Big memory.", reasoning="x" * 20_000)
    resend = memory_body(content="Big memory.", metadata={"notes": "y" * 50_000})
    response = client.post("/v1/memories", json=resend)
    assert response.status_code == 413, response.text
    assert client.get(f"/v1/memories/{stored['id']}").json()["version"] == 1


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
