"""The backend-architect's five memory moments, driven with `agentmem` against a real service."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from tests.support.agentmem import Ran, agentmem

PROJECT = "shop-moments"


def test_five_moments_from_decision_to_rollback_and_undo(service_url: str, tmp_path: Path) -> None:
    def architect(*args: str) -> Ran:
        return agentmem(*args, cwd=tmp_path, url=service_url, project=PROJECT)

    def frontend(*args: str) -> Ran:
        return agentmem(
            *args, cwd=tmp_path, url=service_url, project=PROJECT, agent="frontend-developer"
        )

    def ok(ran: Ran) -> Any:
        assert ran.code == 0, ran.err
        return ran.json()

    def memory(memory_id: str) -> dict[str, Any]:
        response = httpx.get(f"{service_url}/v1/memories/{memory_id}")
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    # 1. The architect records a decision; QA passes on it: a known-good checkpoint.
    first = ok(
        architect(
            "decide",
            "Orders live in PostgreSQL",
            "--topic",
            "database-schema",
            "--why",
            "Order lines need multi-row transactions.",
            "--json",
        )
    )
    assert first["kind"] == "decision" and first["status"] == "accepted"
    assert first["agent"] == "backend-architect" and first["project"] == PROJECT
    good = ok(architect("checkpoint", "qa-passed-1", "--known-good", "--json"))
    assert good["known_good"] is True

    # 2. A new decision replaces it, and a deliverable is tagged for the next agent.
    second = ok(
        architect(
            "decide",
            "Orders live in DynamoDB",
            "--topic",
            "database-schema",
            "--why",
            "Scale writes.",
            "--supersedes",
            first["id"],
            "--json",
        )
    )
    assert memory(first["id"])["status"] == "superseded"
    spec = ok(
        architect(
            "deliver",
            "Orders API spec",
            "--for",
            "frontend-developer",
            "--content",
            "GET/POST /orders, see openapi.yaml",
            "--ref",
            second["id"],
            "--json",
        )
    )
    assert spec["for_agents"] == ["frontend-developer"]
    assert spec["refs"] == [second["id"]]

    # 3. The architect hands off to the frontend developer.
    handoff = ok(
        architect(
            "handoff",
            "Orders API ready for the checkout screens",
            "--to",
            "frontend-developer",
            "--completed",
            "Orders schema",
            "--completed",
            "GET/POST /orders",
            "--pending",
            "Pagination",
            "--risk",
            "Totals are computed server-side",
            "--ref",
            second["id"],
            "--ref",
            spec["id"],
            "--json",
        )
    )
    assert handoff["state"] == "open"
    assert handoff["completed"] == ["Orders schema", "GET/POST /orders"]

    # The frontend developer's inbox and session start show it with its references.
    inbox = ok(frontend("inbox", "--json"))
    assert [h["id"] for h in inbox] == [handoff["id"]]
    assert [r["id"] for r in inbox[0]["references"]] == [second["id"], spec["id"]]
    human = frontend("inbox")
    assert human.code == 0 and handoff["id"] in human.out and "Orders API spec" in human.out
    start = ok(frontend("start", "--json"))
    assert [m["id"] for m in start["sections"]["handoffs"]] == [handoff["id"]]
    assert [m["id"] for m in start["sections"]["references"]] == [second["id"], spec["id"]]
    for text in (handoff["id"], "Orders live in DynamoDB", "Orders API spec", "Pagination"):
        assert text in start["markdown"]
    assert "Orders live in PostgreSQL" not in start["markdown"]  # superseded: not current
    assert frontend("start").out.strip() == start["markdown"].strip()

    # It acknowledges the handoff; the service records who and the note.
    acked = ok(frontend("ack", handoff["id"], "--note", "Starting with the list screen", "--json"))
    assert acked["state"] == "acknowledged"
    state = httpx.get(f"{service_url}/v1/handoffs/{handoff['id']}").json()
    assert state["state"] == "acknowledged"
    assert state["notes"][0]["actor"] == "frontend-developer"
    history = ok(frontend("history", handoff["id"], "--json"))
    assert [(v["event"], v["actor"]) for v in history["versions"]] == [
        ("created", "backend-architect"),
        ("acknowledged", "frontend-developer"),
    ]

    # 4. QA fails: the dry run shows the diff and changes nothing.
    dry = ok(architect("rollback", "--to", "last-known-good", "--dry-run", "--json"))
    assert dry["dry_run"] is True and dry["id"] is None
    planned = {c["memory_id"]: c["action"] for c in dry["changes"]}
    assert planned[second["id"]] == "retract"
    assert planned[spec["id"]] == "retract"
    assert planned[first["id"]] == "restore"
    assert memory(second["id"])["status"] == "accepted"
    assert memory(first["id"])["status"] == "superseded"

    rolled = ok(architect("rollback", "--to", "last-known-good", "--json"))
    assert rolled["id"] and {c["memory_id"] for c in rolled["changes"]} == set(planned)
    assert memory(first["id"])["status"] == "accepted"
    assert memory(first["id"])["superseded_by"] is None
    assert memory(second["id"])["status"] == "retracted"
    assert memory(spec["id"])["status"] == "retracted"
    log = ok(architect("log", "--json"))
    assert [d["id"] for d in log] == [first["id"]]

    # 5. Undo re-applies what the rollback reverted.
    undone = ok(architect("undo", "--json"))
    assert undone["undo_of"] == rolled["id"]
    assert memory(second["id"])["status"] == "accepted"
    assert memory(first["id"])["status"] == "superseded"
    assert memory(spec["id"])["status"] == "active"
    assert memory(handoff["id"])["status"] == "acknowledged"
    assert [h["id"] for h in ok(frontend("inbox", "--json"))] == [handoff["id"]]
