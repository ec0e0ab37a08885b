"""The architect's QA loop: decide, checkpoint, supersede, deliver, QA fails, roll back, undo."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.factories import decision_body, remember, result_ids, search


def _post(client: TestClient, url: str, body: dict[str, Any], status: int = 200) -> Any:
    response = client.post(url, json=body)
    assert response.status_code == status, response.text
    return response.json()


def _recall(client: TestClient, agent: str) -> dict[str, Any]:
    return _post(client, "/v1/recall", {"agent": agent, "project": "shop"})  # type: ignore[no-any-return]


def test_architect_qa_loop_end_to_end(client: TestClient) -> None:
    first = _post(client, "/v1/memories", decision_body(), 201)
    checkpoint = _post(
        client,
        "/v1/projects/shop/checkpoints",
        {"label": "qa-passed", "agent": "qa-engineer", "known_good": True},
        201,
    )
    second = _post(
        client,
        "/v1/memories",
        decision_body(
            title="Orders in DynamoDB",
            content="Orders move to DynamoDB single-table design.",
            reasoning="Expected write volume.",
            supersedes=first["id"],
        ),
        201,
    )
    assert second["conflicts"] == []
    spec = remember(
        client,
        kind="deliverable",
        title="Orders API spec",
        content="OpenAPI for /orders on DynamoDB keys.",
        for_agents=["frontend-developer"],
        refs=[second["id"]],
    )
    assert client.get(f"/v1/memories/{first['id']}").json()["superseded_by_title"] == (
        "Orders in DynamoDB"
    )

    context = _recall(client, "backend-architect")
    assert context["last_known_good"]["id"] == checkpoint["id"]
    assert context["changes_since_known_good"] == 3

    # QA fails: what changed since the last known-good state, and a dry run.
    changes = client.get("/v1/projects/shop/changes", params={"since": "last-known-good"}).json()
    assert [(c["memory_id"], c["event"]) for c in changes["changes"]] == [
        (second["id"], "created"),
        (first["id"], "superseded"),
        (spec["id"], "created"),
    ]
    preview = _post(
        client,
        "/v1/projects/shop/rollback",
        {"to": "last-known-good", "dry_run": True, "actor": "backend-architect"},
    )
    assert preview["id"] is None
    assert preview["target"]["checkpoint"]["id"] == checkpoint["id"]
    by_id = {c["memory_id"]: c for c in preview["changes"]}
    assert set(by_id) == {first["id"], second["id"], spec["id"]}
    assert by_id[second["id"]]["action"] == "retract"
    assert by_id[first["id"]]["fields"]["status"] == {"before": "superseded", "after": "accepted"}
    assert [i["memory_id"] for i in preview["impact"]] == [spec["id"]]
    assert preview["impact"][0]["references"] == [second["id"]]
    assert client.get(f"/v1/memories/{second['id']}").json()["status"] == "accepted"  # untouched

    done = _post(
        client,
        "/v1/projects/shop/rollback",
        {"to": "last-known-good", "actor": "backend-architect"},
    )
    assert done["id"] and len(done["changes"]) == 3
    context = _recall(client, "frontend-developer")
    assert [d["id"] for d in context["sections"]["decisions"]] == [first["id"]]
    assert context["sections"]["deliverables"] == []
    assert result_ids(search(client, "DynamoDB", project="shop", min_score=0)) == [first["id"]]
    assert result_ids(search(client, "orders storage", project="shop", kinds=["decision"])) == [
        first["id"]
    ]

    undone = _post(client, f"/v1/rollbacks/{done['id']}/undo", {"actor": "backend-architect"})
    assert undone["undo_of"] == done["id"]
    assert client.get(f"/v1/memories/{first['id']}").json()["status"] == "superseded"
    assert client.get(f"/v1/memories/{spec['id']}").json()["status"] == "active"
    context = _recall(client, "frontend-developer")
    assert [d["id"] for d in context["sections"]["decisions"]] == [second["id"]]
    assert [d["id"] for d in context["sections"]["deliverables"]] == [spec["id"]]

    history = client.get(f"/v1/memories/{first['id']}/history").json()["versions"]
    assert [(v["event"], v["actor"], v["memory"]["status"]) for v in history] == [
        ("created", "backend-architect", "accepted"),
        ("superseded", "backend-architect", "superseded"),
        ("rolled_back", "backend-architect", "accepted"),
        ("rollback_undone", "backend-architect", "superseded"),
    ]
    assert history[2]["rollback_id"] == done["id"]
    assert history[2]["changed_fields"] == ["status", "superseded_by"]
    spec_history = client.get(f"/v1/memories/{spec['id']}/history").json()["versions"]
    assert [v["memory"]["status"] for v in spec_history] == ["active", "retracted", "active"]


def test_superseded_decision_is_never_current(client: TestClient) -> None:
    old = _post(client, "/v1/memories", decision_body(), 201)
    new = _post(
        client,
        "/v1/memories",
        decision_body(content="Orders in CockroachDB.", supersedes=old["id"]),
        201,
    )
    assert result_ids(search(client, "orders database", project="shop")) == [new["id"]]
    with_old = search(client, "orders database", project="shop", include_superseded=True)
    marked = {r["memory"]["id"]: r["memory"] for r in with_old}
    assert marked[old["id"]]["status"] == "superseded"
    assert marked[old["id"]]["superseded_by"] == new["id"]
    assert marked[old["id"]]["superseded_by_title"] == new["title"]
    assert [d["id"] for d in _recall(client, "backend-architect")["sections"]["decisions"]] == [
        new["id"]
    ]


def test_conflicting_decision_warns_or_refuses(client: TestClient) -> None:
    first = _post(client, "/v1/memories", decision_body(), 201)
    warned = _post(client, "/v1/memories", decision_body(content="Orders in MySQL."), 201)
    assert warned["conflicts"] == [{"id": first["id"], "title": first["title"]}]
    assert "supersedes" in warned["hint"]
    refused = client.post(
        "/v1/memories", json=decision_body(content="Orders in Oracle.", on_conflict="error")
    )
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "decision_conflict"


def test_time_travel_reads_a_memory_as_it_was(client: TestClient) -> None:
    memory = remember(client, content="Cache TTL is 60 seconds.")
    seq_v1 = client.get(f"/v1/memories/{memory['id']}/history").json()["versions"][0]["seq"]
    client.patch(f"/v1/memories/{memory['id']}", json={"content": "Cache TTL is 5 seconds."})
    then = client.get(f"/v1/memories/{memory['id']}", params={"as_of": seq_v1}).json()
    assert (then["content"], then["version"]) == ("Cache TTL is 60 seconds.", 1)
    by_time = client.get(
        f"/v1/memories/{memory['id']}", params={"as_of": memory["updated_at"]}
    ).json()
    assert by_time["content"] == "Cache TTL is 60 seconds."
    before = client.get(f"/v1/memories/{memory['id']}", params={"as_of": "2000-01-01T00:00:00Z"})
    assert before.status_code == 404
    bad = client.get(f"/v1/memories/{memory['id']}", params={"as_of": "yesterday"})
    assert bad.status_code == 422


def test_rollback_scoped_to_an_agent_leaves_others_alone(client: TestClient) -> None:
    remember(client, content="baseline")
    _post(client, "/v1/projects/shop/checkpoints", {"label": "base", "agent": "qa"}, 201)
    mine = remember(client, content="architect change")
    theirs = remember(client, content="devops change", agent="devops")
    result = _post(
        client,
        "/v1/projects/shop/rollback",
        {"to": "1", "agent": "backend-architect", "actor": "backend-architect"},
    )
    assert [c["memory_id"] for c in result["changes"]] == [mine["id"]]
    assert client.get(f"/v1/memories/{theirs['id']}").json()["status"] == "active"


def test_rollback_refusals(client: TestClient) -> None:
    remember(client, content="only memory")
    unknown = client.post("/v1/projects/shop/rollback", json={"to": "nope", "actor": "a"})
    assert unknown.status_code == 409
    assert "not a checkpoint" in unknown.json()["error"]["message"]
    no_good = client.post(
        "/v1/projects/shop/rollback", json={"to": "last-known-good", "actor": "a"}
    )
    assert no_good.status_code == 409
    assert "no known-good checkpoint" in no_good.json()["error"]["message"]
    cp = _post(
        client,
        "/v1/projects/shop/checkpoints",
        {"label": "now", "agent": "qa", "known_good": True},
        201,
    )
    nothing = client.post("/v1/projects/shop/rollback", json={"to": cp["id"], "actor": "a"})
    assert nothing.status_code == 409
    assert nothing.json()["error"]["code"] == "nothing_to_roll_back"
    other = remember(client, project="blog", content="other project")
    foreign = client.post("/v1/projects/blog/rollback", json={"to": cp["id"], "actor": "a"})
    assert foreign.status_code == 409
    assert client.get(f"/v1/memories/{other['id']}").json()["status"] == "active"


def test_undo_is_refused_twice_and_after_newer_changes(client: TestClient) -> None:
    memory = remember(client, content="v1")
    cp = _post(client, "/v1/projects/shop/checkpoints", {"label": "v1", "agent": "qa"}, 201)
    client.patch(f"/v1/memories/{memory['id']}", json={"content": "v2"})
    done = _post(client, "/v1/projects/shop/rollback", {"to": cp["id"], "actor": "a"})
    client.patch(f"/v1/memories/{memory['id']}", json={"content": "v3"})
    refused = client.post(f"/v1/rollbacks/{done['id']}/undo", json={"actor": "a"})
    assert refused.status_code == 409
    assert memory["id"] in refused.json()["error"]["message"]
    assert client.get(f"/v1/memories/{memory['id']}").json()["content"] == "v3"
    missing = client.post("/v1/rollbacks/01NOSUCHROLLBACK0000000000/undo", json={"actor": "a"})
    assert missing.status_code == 404
