"""The decision lifecycle through the API: candidate replacements, accepted by a reviewer,
illegal transitions refused naming the state, and restores that would break a chain."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from memory_service.services.access import tokens
from tests.factories import decision_body, remember, search


def _decision(client: TestClient, content: str, **fields: Any) -> dict[str, Any]:
    return remember(client, **decision_body(content=content, **fields))


def _get(client: TestClient, memory_id: str, **headers: str) -> dict[str, Any]:
    response = client.get(f"/v1/memories/{memory_id}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def _status(client: TestClient, memory_id: str, status: str, **headers: str) -> Any:
    return client.patch(f"/v1/memories/{memory_id}", json={"status": status}, headers=headers)


def _bearer(client: TestClient, name: str, role: str) -> dict[str, str]:
    db = client.app.state.store.db  # type: ignore[attr-defined]
    made = tokens.create_token(
        db, name=name, role=role, agent=name, projects=["shop"], actor="test"
    )
    return {"Authorization": f"Bearer {made.token}"}


def test_a_proposal_naming_supersedes_leaves_the_decision_current(client: TestClient) -> None:
    current = _decision(client, "Search ranks by BM25 alone.", topic="search")
    proposal = _decision(
        client, "Search fuses BM25 and vectors.", topic="search", status="proposed",
        supersedes=current["id"],
    )  # fmt: skip
    assert (proposal["status"], proposal["supersedes"]) == ("proposed", current["id"])
    assert proposal["conflicts"] == []
    old = _get(client, current["id"])
    assert (old["status"], old["superseded_by"], old["version"]) == ("accepted", None, 1)
    assert old["candidates"] == [proposal["id"]]
    # "What did we decide about search?" still answers with the current decision.
    decided = search(client, "", project="shop", kinds=["decision"], topic="search")
    assert {r["memory"]["id"]: r["memory"]["status"] for r in decided} == {
        current["id"]: "accepted",
        proposal["id"]: "proposed",
    }
    page = client.get(f"/ui/projects/shop/decisions/{current['id']}").text
    assert "This is not the current decision" not in page
    assert "Candidate replacements." in page and proposal["id"] in page
    proposed_page = client.get(f"/ui/projects/shop/decisions/{proposal['id']}").text
    assert "which stays the current decision until a reviewer accepts this one" in proposed_page
    log = client.get("/ui/projects/shop/decisions").text
    assert "Candidate replacement, not accepted" in log and "Proposed to replace" in log


def test_accepting_a_candidate_supersedes_the_old_decision_in_one_transaction(
    client: TestClient,
) -> None:
    old = _decision(client, "Orders live in SQLite.")
    proposal = _decision(
        client, "Orders live in PostgreSQL.", status="proposed", supersedes=old["id"]
    )
    accepted = _status(client, proposal["id"], "accepted")
    assert accepted.status_code == 200, accepted.text
    assert (accepted.json()["status"], accepted.json()["supersedes"]) == ("accepted", old["id"])
    replaced = _get(client, old["id"])
    assert (replaced["status"], replaced["superseded_by"]) == ("superseded", proposal["id"])
    assert replaced["candidates"] == []
    changes = client.get("/v1/projects/shop/changes", params={"since": "0"}).json()["changes"]
    tail = [(c["memory_id"], c["event"]) for c in changes[-2:]]
    assert tail == [(proposal["id"], "status_changed"), (old["id"], "superseded")]
    assert changes[-1]["seq"] == changes[-2]["seq"] + 1


def test_rejecting_a_candidate_leaves_the_old_decision_untouched(client: TestClient) -> None:
    old = _decision(client, "Orders live in SQLite.")
    proposal = _decision(client, "Orders live in MongoDB.", status="proposed", supersedes=old["id"])
    rejected = _status(client, proposal["id"], "rejected")
    assert rejected.status_code == 200, rejected.text
    kept = _get(client, old["id"])
    assert (kept["status"], kept["version"], kept["candidates"]) == ("accepted", 1, [])
    page = client.get(f"/ui/projects/shop/decisions/{proposal['id']}").text
    assert "Rejected candidate." in page


def test_an_agent_proposes_replacing_anothers_decision_and_a_reviewer_accepts(
    client: TestClient,
) -> None:
    alice, bob = _bearer(client, "alice", "agent"), _bearer(client, "bob", "agent")
    rita = _bearer(client, "rita", "reviewer")
    body = decision_body(agent=None, content="Deploys run at noon.")
    old = client.post("/v1/memories", json=body, headers=alice).json()
    proposal_body = decision_body(
        agent=None, content="Deploys run at dawn.", status="proposed", supersedes=old["id"]
    )
    proposal = client.post("/v1/memories", json=proposal_body, headers=bob)
    assert proposal.status_code == 201, proposal.text
    pid = proposal.json()["id"]
    # Replacing outright is alice's or a reviewer's call, and accepting a reviewer's.
    outright = client.post(
        "/v1/memories", json=decision_body(agent=None, supersedes=old["id"]), headers=bob
    )
    assert outright.status_code == 403
    assert _status(client, pid, "accepted", **bob).status_code == 403
    assert _get(client, old["id"], **rita)["status"] == "accepted"
    assert _status(client, pid, "accepted", **rita).status_code == 200
    replaced = _get(client, old["id"], **rita)
    assert (replaced["status"], replaced["superseded_by"]) == ("superseded", pid)


def test_illegal_transitions_are_409_naming_the_state_and_the_allowed_ones(
    client: TestClient,
) -> None:
    accepted = _decision(client, "Builds run on GitHub Actions.")
    error = _status(client, accepted["id"], "proposed").json()["error"]
    assert error["code"] == "illegal_transition"
    assert (error["details"]["state"], error["details"]["allowed"]) == (
        "accepted",
        ["deprecated", "superseded"],
    )
    assert "is accepted and cannot become proposed" in error["message"]
    assert "from accepted it may become deprecated, superseded" in error["message"]
    rejected = _decision(client, "Builds run on Jenkins.", status="rejected")
    response = _status(client, rejected["id"], "accepted")
    assert response.status_code == 409
    assert (
        "record a new decision (proposed, or accepted) instead"
        in (response.json()["error"]["message"])
    )
    proposed = _decision(client, "Builds run on Buildkite.", status="proposed")
    response = _status(client, proposed["id"], "deprecated")
    assert response.status_code == 409
    assert "a reviewer accepts or rejects it first" in response.json()["error"]["message"]
    born_superseded = client.post(
        "/v1/memories", json=decision_body(content="Builds on Travis.", status="superseded")
    )
    assert born_superseded.status_code == 409
    assert born_superseded.json()["error"]["details"]["state"] == "new"
    to_superseded = _status(client, accepted["id"], "superseded")
    assert to_superseded.status_code == 409
    assert f"/v1/memories/{accepted['id']}/supersede" in to_superseded.json()["error"]["message"]
    assert [_get(client, m["id"])["version"] for m in (accepted, rejected, proposed)] == [1] * 3


def test_a_candidate_for_a_replaced_decision_can_no_longer_be_accepted(
    client: TestClient,
) -> None:
    old = _decision(client, "Logs are kept a week.")
    first = _decision(client, "Logs are kept a month.", status="proposed", supersedes=old["id"])
    second = _decision(client, "Logs are kept a year.", status="proposed", supersedes=old["id"])
    assert _get(client, old["id"])["candidates"] == [first["id"], second["id"]]
    assert _status(client, first["id"], "accepted").status_code == 200
    late = _status(client, second["id"], "accepted")
    assert late.status_code == 409
    message = late.json()["error"]["message"]
    assert f"decision '{old['id']}' is superseded by '{first['id']}'" in message
    assert f"reject '{second['id']}' (PATCH status rejected)" in message
    assert _get(client, second["id"])["status"] == "proposed"
    assert _get(client, old["id"])["superseded_by"] == first["id"]


def test_a_replacement_is_not_retracted_while_it_stands_for_the_old_one(
    client: TestClient,
) -> None:
    old = _decision(client, "Cache in process.")
    new = _decision(client, "Cache in Redis.", supersedes=old["id"])
    refused = client.delete(f"/v1/memories/{new['id']}")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "illegal_transition"
    assert "have a reviewer deprecate it" in refused.json()["error"]["message"]
    assert _get(client, new["id"])["status"] == "accepted"
    assert client.delete(f"/v1/memories/{old['id']}").status_code == 200


def test_a_scoped_rollback_that_would_break_a_chain_is_refused_whole(client: TestClient) -> None:
    theirs = _decision(client, "Queues live in SQLite.", agent="devops")
    checkpoint = client.post(
        "/v1/projects/shop/checkpoints", json={"label": "before", "agent": "qa-engineer"}
    ).json()
    mine = _decision(client, "Queues live in RabbitMQ.", supersedes=theirs["id"])
    response = client.post(
        "/v1/projects/shop/rollback",
        json={"to": checkpoint["id"], "actor": "qa-engineer", "agent": "backend-architect"},
    )
    assert response.status_code == 409, response.text
    error = response.json()["error"]
    assert error["code"] == "illegal_transition"
    assert (
        f"decision {theirs['id']} is superseded by {mine['id']}, which is retracted"
        in (error["message"])
    )
    assert _get(client, mine["id"])["status"] == "accepted"
    whole = client.post(
        "/v1/projects/shop/rollback", json={"to": checkpoint["id"], "actor": "qa-engineer"}
    )
    assert whole.status_code == 200, whole.text
    assert _get(client, theirs["id"])["status"] == "accepted"
    assert _get(client, mine["id"])["status"] == "retracted"
