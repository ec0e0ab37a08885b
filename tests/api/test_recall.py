"""Session-start recall: current decisions, deliverables for the agent, relevant memories."""

from __future__ import annotations

from fastapi.testclient import TestClient

from memory_service.store.embedding.embedder import Embedder
from tests.factories import decision_body, remember


def _recall(client: TestClient, **body: object) -> dict:  # type: ignore[type-arg]
    response = client.post("/v1/recall", json={"project": "shop", **body})
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def test_recall_returns_decisions_and_deliverables_for_the_agent(client: TestClient) -> None:
    decision = client.post("/v1/memories", json=decision_body()).json()
    spec = remember(
        client,
        kind="deliverable",
        title="Orders API spec",
        content="OpenAPI spec for /orders.",
        for_agents=["frontend-developer"],
        refs=[decision["id"]],
    )
    other = remember(
        client, kind="deliverable", content="Runbook for on-call.", for_agents=["devops"]
    )
    context = _recall(client, agent="frontend-developer")
    sections = context["sections"]
    assert [m["id"] for m in sections["decisions"]] == [decision["id"]]
    assert [m["id"] for m in sections["deliverables"]] == [spec["id"]]
    assert other["id"] not in [m["id"] for m in sections["deliverables"]]


def test_recall_uses_the_query_for_relevant_memories(client: TestClient) -> None:
    target = remember(client, content="The search service indexes products with Meilisearch.")
    remember(client, content="Payroll runs on the 25th.")
    context = _recall(client, agent="backend-architect", query="product search engine")
    assert context["sections"]["relevant"][0]["id"] == target["id"]


def test_recall_fits_the_token_budget(client: TestClient, embedder: Embedder) -> None:
    for i in range(60):
        remember(client, content=f"Note {i}: the gateway timeout for service s{i} is {i}s. " * 3)
    context = _recall(client, agent="backend-architect", budget_tokens=300, format="markdown")
    assert context["omitted"] > 0
    assert embedder.count_tokens(context["markdown"]) <= 300
    assert context["used_tokens"] == embedder.count_tokens(context["markdown"])
    shown = sum(len(v) for v in context["sections"].values())
    assert context["markdown"].count("\n- **") == shown


def test_recall_of_an_unknown_project_is_empty(client: TestClient) -> None:
    context = _recall(client, agent="backend-architect", query="anything")
    assert all(v == [] for v in context["sections"].values())


def test_projects_list_counts_by_kind(client: TestClient) -> None:
    client.post("/v1/memories", json=decision_body())
    remember(client, kind="deliverable")
    gone = remember(client, content="temporary")
    client.delete(f"/v1/memories/{gone['id']}")
    [project] = client.get("/v1/projects").json()
    assert project["project"] == "shop"
    assert (project["memories"], project["decisions"], project["deliverables"]) == (2, 1, 1)
    assert project["last_activity"] is not None


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"ready": True, "model": "all-MiniLM-L6-v2@int8-v2", "outbox": 0}


def test_recall_markdown_names_the_last_known_good_checkpoint(client: TestClient) -> None:
    remember(client, content="Deploys go through the staging cluster first.")
    assert (
        "No known-good checkpoint yet."
        in _recall(client, agent="qa-engineer", format="markdown")["markdown"]
    )
    checkpoint = client.post(
        "/v1/projects/shop/checkpoints",
        json={"label": "qa-passed-sprint-1", "agent": "qa-engineer", "known_good": True},
    ).json()
    remember(client, content="Canary releases cover 5% of traffic.")
    context = _recall(client, agent="qa-engineer", format="markdown")
    assert context["last_known_good"]["label"] == "qa-passed-sprint-1"
    assert context["changes_since_known_good"] == 1
    assert f"**qa-passed-sprint-1** (`{checkpoint['id']}`" in context["markdown"]
    assert "1 changes since" in context["markdown"]


def test_a_memory_too_long_for_the_room_left_ends_its_section(
    client: TestClient, embedder: Embedder
) -> None:
    spec = remember(
        client, kind="deliverable", content="Orders API spec.", for_agents=["frontend-developer"]
    )
    old = remember(client, **decision_body(title="Use REST", content="REST for the API."))
    long = remember(
        client,
        **decision_body(
            title="Use gRPC inside",
            content="Services talk gRPC inside the cluster. " * 30,
            reasoning="Typed contracts and streaming. " * 20,
        ),
    )
    new = remember(client, **decision_body(title="Use OAuth", content="OAuth for sign-in."))
    context = _recall(client, agent="frontend-developer", budget_tokens=200, format="markdown")
    sections = context["sections"]
    # Newest first; the long decision does not fit and ends the section, so the older
    # short one is left out with it rather than shown out of order.
    assert [m["id"] for m in sections["decisions"]] == [new["id"]]
    assert [m["id"] for m in sections["deliverables"]] == [spec["id"]]
    assert context["omitted"] == 2
    assert old["id"] not in context["markdown"] and long["id"] not in context["markdown"]
    assert context["used_tokens"] == embedder.count_tokens(context["markdown"]) <= 200


def test_recall_without_a_query_leaves_out_handoffs_to_other_agents(client: TestClient) -> None:
    note = remember(client, content="The staging cluster is rebuilt every night.")
    other = client.post(
        "/v1/handoffs",
        json={
            "project": "shop",
            "from_agent": "backend-architect",
            "to_agent": "qa-engineer",
            "summary": "Test the orders endpoints",
        },
    )
    assert other.status_code == 201, other.text
    context = _recall(client, agent="frontend-developer", format="markdown")
    assert [m["id"] for m in context["sections"]["relevant"]] == [note["id"]]
    assert other.json()["id"] not in context["markdown"]
    assert context["omitted"] == 0
