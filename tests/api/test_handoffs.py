"""Handoffs through the REST API: create, inbox, acknowledge, complete, refusals."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.factories import decision_body, remember


def handoff_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "project": "shop",
        "from_agent": "backend-architect",
        "to_agent": "frontend-developer",
        "summary": "Orders API is ready for the checkout screens.",
        "completed": ["Orders schema", "GET/POST /orders"],
        "pending": ["Pagination of order lists"],
        "risks": ["Totals are computed server-side; never trust client totals"],
    }
    body.update(overrides)
    return body


def hand_off(client: TestClient, **overrides: Any) -> dict[str, Any]:
    response = client.post("/v1/handoffs", json=handoff_body(**overrides))
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def inbox(client: TestClient, **params: str) -> list[dict[str, Any]]:
    response = client.get("/v1/handoffs", params=params)
    assert response.status_code == 200, response.text
    return response.json()["handoffs"]  # type: ignore[no-any-return]


def test_handoff_is_stored_as_an_open_handoff_memory_with_its_references(
    client: TestClient,
) -> None:
    decision = remember(client, **decision_body())
    spec = remember(
        client,
        kind="deliverable",
        title="Orders API spec",
        content="See openapi.yaml",
        for_agents=["frontend-developer"],
    )
    created = hand_off(client, refs=[decision["id"], spec["id"]])
    assert created["state"] == "open"
    assert created["from_agent"] == "backend-architect"
    assert created["to_agent"] == "frontend-developer"
    assert created["title"] == "Orders API is ready for the checkout screens."
    assert [(r["id"], r["kind"], r["title"]) for r in created["references"]] == [
        (decision["id"], "decision", "Use PostgreSQL for orders"),
        (spec["id"], "deliverable", "Orders API spec"),
    ]
    memory = client.get(f"/v1/memories/{created['id']}").json()
    assert memory["kind"] == "handoff"
    assert memory["agent"] == "backend-architect"
    assert memory["for_agents"] == ["frontend-developer"]
    assert memory["status"] == "open"
    assert memory["completed"] == ["Orders schema", "GET/POST /orders"]
    assert memory["pending"] == ["Pagination of order lists"]
    assert memory["risks"] == ["Totals are computed server-side; never trust client totals"]


def test_inbox_lists_only_the_receivers_active_handoffs_newest_first(client: TestClient) -> None:
    first = hand_off(client, summary="First handoff")
    second = hand_off(client, summary="Second handoff")
    hand_off(client, summary="For QA", to_agent="qa-engineer")
    hand_off(client, summary="Other project", project="blog")
    done = hand_off(client, summary="Already done")
    client.post(f"/v1/handoffs/{done['id']}/complete", json={"note": "shipped"})

    listed = inbox(client, to_agent="frontend-developer", project="shop")
    assert [h["id"] for h in listed] == [second["id"], first["id"]]
    completed = inbox(client, to_agent="frontend-developer", project="shop", state="completed")
    assert [h["id"] for h in completed] == [done["id"]]
    everything = inbox(client, to_agent="frontend-developer", state="all")
    assert len(everything) == 4
    sent = inbox(client, from_agent="backend-architect", project="shop")
    assert len(sent) == 3


def test_ack_then_complete_records_each_step_with_its_note(client: TestClient) -> None:
    created = hand_off(client)
    acked = client.post(
        f"/v1/handoffs/{created['id']}/ack", json={"note": "Starting on the list screen"}
    )
    assert acked.status_code == 200, acked.text
    assert acked.json()["state"] == "acknowledged"
    assert acked.json()["version"] == 2
    done = client.post(
        f"/v1/handoffs/{created['id']}/complete",
        json={"actor": "frontend-developer", "note": "Screens merged"},
    ).json()
    assert done["state"] == "completed"
    assert done["version"] == 3
    assert [(n["state"], n["actor"], n["note"]) for n in done["notes"]] == [
        ("acknowledged", "frontend-developer", "Starting on the list screen"),
        ("completed", "frontend-developer", "Screens merged"),
    ]
    memory = client.get(f"/v1/memories/{created['id']}").json()
    assert memory["status"] == "completed"
    assert [n["note"] for n in memory["metadata"]["notes"]] == [
        "Starting on the list screen",
        "Screens merged",
    ]
    assert inbox(client, to_agent="frontend-developer") == []


def test_ack_without_a_body_acts_as_the_receiver(client: TestClient) -> None:
    created = hand_off(client)
    acked = client.post(f"/v1/handoffs/{created['id']}/ack")
    assert acked.status_code == 200, acked.text
    assert acked.json()["notes"][0]["actor"] == "frontend-developer"
    assert acked.json()["notes"][0]["note"] is None


def test_invalid_transitions_are_refused_with_409_and_a_reason(client: TestClient) -> None:
    created = hand_off(client)
    hid = created["id"]
    assert client.post(f"/v1/handoffs/{hid}/ack").status_code == 200
    again = client.post(f"/v1/handoffs/{hid}/ack")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "state_conflict"
    assert "already acknowledged" in again.json()["error"]["message"]
    assert client.post(f"/v1/handoffs/{hid}/complete").status_code == 200
    late = client.post(f"/v1/handoffs/{hid}/ack")
    assert late.status_code == 409
    assert "already completed" in late.json()["error"]["message"]
    twice = client.post(f"/v1/handoffs/{hid}/complete")
    assert twice.status_code == 409
    assert client.get(f"/v1/memories/{hid}").json()["version"] == 3


def test_only_the_receiver_may_acknowledge(client: TestClient) -> None:
    created = hand_off(client)
    refused = client.post(f"/v1/handoffs/{created['id']}/ack", json={"actor": "backend-architect"})
    assert refused.status_code == 409
    message = refused.json()["error"]["message"]
    assert "addressed to 'frontend-developer'" in message
    assert client.get(f"/v1/memories/{created['id']}").json()["status"] == "open"
    # The sender may still close a handoff that became moot.
    closed = client.post(
        f"/v1/handoffs/{created['id']}/complete",
        json={"actor": "backend-architect", "note": "Superseded by the v2 plan"},
    )
    assert closed.status_code == 200


def test_bad_handoffs_are_refused_with_a_message_that_says_what_to_fix(
    client: TestClient,
) -> None:
    missing = client.post("/v1/handoffs", json={"project": "shop", "summary": "x"})
    assert missing.status_code == 422
    assert "from_agent" in missing.json()["error"]["message"]
    unknown_ref = client.post("/v1/handoffs", json=handoff_body(refs=["01NOPE"]))
    assert unknown_ref.status_code == 422
    assert "01NOPE" in unknown_ref.json()["error"]["message"]
    foreign = remember(client, project="blog", content="A note in another project")
    cross = client.post("/v1/handoffs", json=handoff_body(refs=[foreign["id"]]))
    assert cross.status_code == 422
    assert "another project" in cross.json()["error"]["message"]
    blank = client.post("/v1/handoffs", json=handoff_body(summary="   "))
    assert blank.status_code == 422
    bad_agent = client.post("/v1/handoffs", json=handoff_body(to_agent="Frontend Dev"))
    assert bad_agent.status_code == 422
    assert "slug" in bad_agent.json()["error"]["message"]
    assert client.get("/v1/handoffs", params={"state": "maybe"}).status_code == 422
    assert inbox(client) == []  # nothing was stored by the refused requests


def test_unknown_ids_and_projects_are_404(client: TestClient) -> None:
    decision = remember(client, **decision_body())
    not_handoff = client.post(f"/v1/handoffs/{decision['id']}/ack")
    assert not_handoff.status_code == 404
    assert "is a decision, not a handoff" in not_handoff.json()["error"]["message"]
    assert client.get("/v1/handoffs/01HZZZZZZZZZZZZZZZZZZZZZZZ").status_code == 404
    unknown = client.get("/v1/handoffs", params={"project": "nope"})
    assert unknown.status_code == 404
    assert "GET /v1/projects lists" in unknown.json()["error"]["message"]


def test_idempotency_key_makes_a_retried_handoff_safe(client: TestClient) -> None:
    headers = {"Idempotency-Key": "handoff-1"}
    first = client.post("/v1/handoffs", json=handoff_body(), headers=headers)
    retry = client.post("/v1/handoffs", json=handoff_body(), headers=headers)
    assert first.status_code == retry.status_code == 201
    assert first.json()["id"] == retry.json()["id"]
    assert len(inbox(client, to_agent="frontend-developer")) == 1
    changed = client.post("/v1/handoffs", json=handoff_body(summary="other"), headers=headers)
    assert changed.status_code == 409


def test_handoffs_are_searchable(client: TestClient) -> None:
    created = hand_off(client, summary="Payment webhooks need retries with backoff")
    found = client.post(
        "/v1/search", json={"query": "webhook retry backoff", "kinds": ["handoff"]}
    ).json()
    assert [r["memory"]["id"] for r in found["results"]] == [created["id"]]


def test_recall_puts_the_handoffs_references_right_after_the_handoff(client: TestClient) -> None:
    decision = remember(client, **decision_body())
    spec = remember(client, kind="deliverable", title="Orders API spec", content="See openapi.yaml")
    for n in range(40):  # enough current decisions to overflow a small budget
        remember(
            client,
            **decision_body(
                title=f"Decision {n}", content=f"Rule number {n} of the shop.", topic=f"t-{n}"
            ),
        )
    created = hand_off(client, refs=[decision["id"], spec["id"]])
    recalled = client.post(
        "/v1/recall",
        json={
            "agent": "frontend-developer",
            "project": "shop",
            "budget_tokens": 500,
            "format": "markdown",
        },
    ).json()
    assert [m["id"] for m in recalled["sections"]["handoffs"]] == [created["id"]]
    assert [m["id"] for m in recalled["sections"]["references"]] == [decision["id"], spec["id"]]
    markdown = recalled["markdown"]
    assert markdown.index(created["id"]) < markdown.index("## Referenced by your handoffs")
    assert "Orders API spec" in markdown
    assert recalled["omitted"] > 0
    assert recalled["used_tokens"] <= 500


def test_recall_leaves_out_references_that_are_no_longer_current(client: TestClient) -> None:
    old = remember(client, **decision_body())
    hand_off(client, refs=[old["id"]])
    remember(
        client,
        **decision_body(
            title="Use SQLite for orders", content="Orders in SQLite.", supersedes=old["id"]
        ),
    )
    recalled = client.post(
        "/v1/recall", json={"agent": "frontend-developer", "project": "shop"}
    ).json()
    assert recalled["sections"]["references"] == []
    assert old["id"] not in [m["id"] for m in recalled["sections"]["decisions"]]


def test_two_handoffs_with_the_same_summary_are_two_pieces_of_work(client: TestClient) -> None:
    first = hand_off(client, to_agent="frontend-developer")
    second = hand_off(client, to_agent="qa-engineer")
    assert first["id"] != second["id"]
    assert [h["id"] for h in inbox(client, to_agent="qa-engineer")] == [second["id"]]
    assert [h["id"] for h in inbox(client, to_agent="frontend-developer")] == [first["id"]]


def test_a_retried_handoff_with_its_idempotency_key_is_stored_once(client: TestClient) -> None:
    headers = {"Idempotency-Key": "handoff-retry-1"}
    first = client.post("/v1/handoffs", json=handoff_body(), headers=headers)
    again = client.post("/v1/handoffs", json=handoff_body(), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert len(inbox(client, to_agent="frontend-developer")) == 1


def test_a_handoffs_state_changes_only_through_ack_and_complete(client: TestClient) -> None:
    made = hand_off(client)
    response = client.patch(
        f"/v1/memories/{made['id']}", json={"status": "acknowledged", "actor": "backend-architect"}
    )
    assert response.status_code == 409
    assert f"/v1/handoffs/{made['id']}/ack" in response.json()["error"]["message"]
    assert [h["state"] for h in inbox(client, to_agent="frontend-developer")] == ["open"]


def test_a_handoffs_notes_cannot_be_written_or_replaced_by_hand(client: TestClient) -> None:
    body = {
        "project": "shop",
        "agent": "backend-architect",
        "kind": "handoff",
        "content": "Orders API ready",
        "for_agents": ["frontend-developer"],
        "metadata": {"notes": [{"state": "acknowledged", "actor": "frontend-developer"}]},
    }
    response = client.post("/v1/memories", json=body)
    assert response.status_code == 422
    assert "metadata.notes of a handoff" in response.json()["error"]["message"]
    made = hand_off(client)
    acked = client.post(f"/v1/handoffs/{made['id']}/ack", json={"note": "on it"})
    assert acked.status_code == 200, acked.text
    forged = {"notes": [{"state": "completed", "actor": "frontend-developer", "note": "done"}]}
    patched = client.patch(
        f"/v1/memories/{made['id']}", json={"metadata": forged, "actor": "backend-architect"}
    )
    assert patched.status_code == 200, patched.text
    [shown] = inbox(client, to_agent="frontend-developer")
    assert [(n["state"], n["note"]) for n in shown["notes"]] == [("acknowledged", "on it")]
