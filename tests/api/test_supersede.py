"""POST /v1/memories/{id}/supersede: one memory replaces another of its project and kind."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from fastapi.testclient import TestClient

from agent_cli.client import ServiceClient
from memory_service.schemas.memories import MemoryListQuery, MemoryUpdate
from tests.factories import decision_body, memory_body, remember, result_ids, search
from tests.support.service import IN_PROCESS_URL


def _supersede(client: TestClient, old: str, by: str, status: int, **body: Any) -> Any:
    response = client.post(f"/v1/memories/{old}/supersede", json={"by": by, **body})
    assert response.status_code == status, response.text
    return response.json()


def _decision(client: TestClient, content: str, **fields: Any) -> dict[str, Any]:
    return remember(client, **decision_body(content=content, **fields))


def _events(client: TestClient, memory_id: str) -> list[str]:
    versions = client.get(f"/v1/memories/{memory_id}/history").json()["versions"]
    return [v["event"] for v in versions]


def test_supersede_marks_the_old_one_and_the_replacement_names_it(client: TestClient) -> None:
    old = _decision(client, "Orders live in SQLite.")
    new = _decision(client, "Orders live in PostgreSQL.", title="Orders in PostgreSQL")
    marked = _supersede(client, old["id"], new["id"], 200, actor="qa-engineer")
    assert (marked["id"], marked["status"]) == (old["id"], "superseded")
    assert marked["superseded_by"] == new["id"]
    assert marked["superseded_by_title"] == "Orders in PostgreSQL"
    replacement = client.get(f"/v1/memories/{new['id']}").json()
    assert (replacement["supersedes"], replacement["version"]) == (old["id"], 2)
    assert _events(client, old["id"]) == ["created", "superseded"]
    assert _events(client, new["id"]) == ["created", "updated"]


def test_both_ways_of_superseding_end_in_the_same_state(client: TestClient) -> None:
    def state(memory_id: str) -> tuple[str, str | None, str | None]:
        m = client.get(f"/v1/memories/{memory_id}").json()
        return m["status"], m["supersedes"], m["superseded_by"]

    old_a = _decision(client, "Cache in process.", topic="caching")
    new_a = _decision(client, "Cache in Redis.", topic="caching", supersedes=old_a["id"])
    old_b = _decision(client, "Queue in SQLite.", topic="queues")
    new_b = _decision(client, "Queue in RabbitMQ.", topic="queues")
    _supersede(client, old_b["id"], new_b["id"], 200)
    assert state(old_a["id"]) == ("superseded", None, new_a["id"])
    assert state(old_b["id"]) == ("superseded", None, new_b["id"])
    assert state(new_a["id"]) == ("accepted", old_a["id"], None)
    assert state(new_b["id"]) == ("accepted", old_b["id"], None)


def test_a_superseded_memory_leaves_search_and_the_listing(client: TestClient) -> None:
    old = remember(client, content="Zanzibar tuples decide who may read an order.")
    new = remember(client, content="Zanzibar tuples and roles decide who reads orders.")
    assert set(result_ids(search(client, "Zanzibar", project="shop"))) == {old["id"], new["id"]}
    _supersede(client, old["id"], new["id"], 200)
    assert result_ids(search(client, "Zanzibar", project="shop")) == [new["id"]]
    with_old = search(client, "Zanzibar", project="shop", include_superseded=True)
    assert {r["memory"]["id"]: r["memory"]["status"] for r in with_old}[old["id"]] == "superseded"
    listed = client.get("/v1/memories", params={"project": "shop"}).json()["memories"]
    assert [m["id"] for m in listed] == [new["id"]]


def test_a_note_supersedes_a_note_by_action_and_on_create(client: TestClient) -> None:
    first = remember(client, content="The staging database is on host db-1.")
    second = remember(client, content="The staging database moved to host db-2.")
    assert _supersede(client, first["id"], second["id"], 200)["status"] == "superseded"
    third = remember(client, content="The staging database is on db-3.", supersedes=second["id"])
    assert third["supersedes"] == second["id"]
    assert client.get(f"/v1/memories/{second['id']}").json()["superseded_by"] == third["id"]


def test_a_memory_of_another_kind_is_refused_naming_both_kinds(client: TestClient) -> None:
    decision = _decision(client, "Orders live in SQLite.")
    note = remember(client, content="Orders might move to PostgreSQL.")
    message = _supersede(client, decision["id"], note["id"], 422)["error"]["message"]
    assert "a decision is superseded only by a decision" in message
    assert "is a note" in message
    created = client.post("/v1/memories", json=memory_body(supersedes=decision["id"]))
    assert created.status_code == 422
    assert "a decision is superseded only by a decision" in created.json()["error"]["message"]
    assert client.get(f"/v1/memories/{decision['id']}").json()["status"] == "accepted"
    assert len(search(client, "", project="shop", kinds=["note"])) == 1


def test_an_already_superseded_memory_is_a_conflict_naming_its_state(client: TestClient) -> None:
    old = _decision(client, "Orders live in SQLite.")
    first = _decision(client, "Orders live in PostgreSQL.")
    second = _decision(client, "Orders live in CockroachDB.")
    _supersede(client, old["id"], first["id"], 200)
    error = _supersede(client, old["id"], second["id"], 409)["error"]
    assert error["code"] == "illegal_transition"
    assert f"already superseded by '{first['id']}'" in error["message"]
    assert f"supersede its replacement '{first['id']}' instead" in error["message"]
    assert (error["details"]["state"], error["details"]["allowed"]) == ("superseded", [])
    assert client.get(f"/v1/memories/{second['id']}").json()["version"] == 1


def test_asking_again_for_the_same_pair_changes_nothing(client: TestClient) -> None:
    old = _decision(client, "Orders live in SQLite.")
    new = _decision(client, "Orders live in PostgreSQL.")
    _supersede(client, old["id"], new["id"], 200)
    again = _supersede(client, old["id"], new["id"], 200)
    assert (again["status"], again["version"]) == ("superseded", 2)
    assert _events(client, new["id"]) == ["created", "updated"]


def test_a_retracted_memory_is_neither_replaced_nor_a_replacement(client: TestClient) -> None:
    live = remember(client, content="Deploys run at noon.")
    gone = remember(client, content="Deploys run at midnight.")
    client.delete(f"/v1/memories/{gone['id']}")
    old_error = _supersede(client, gone["id"], live["id"], 409)["error"]["message"]
    assert "is already retracted" in old_error
    new_error = _supersede(client, live["id"], gone["id"], 409)["error"]["message"]
    assert "is retracted: a memory is superseded only by a live one" in new_error


def test_a_decision_is_replaced_only_by_an_accepted_one(client: TestClient) -> None:
    old = _decision(client, "Orders live in SQLite.")
    proposed = _decision(client, "Orders could live in PostgreSQL.", status="proposed")
    error = _supersede(client, old["id"], proposed["id"], 409)["error"]
    assert "is proposed: only an accepted decision supersedes another" in error["message"]
    assert error["details"]["allowed"] == ["accepted", "rejected"]
    # Named in supersedes, a proposal is a candidate: the old one stays current.
    candidate = _decision(client, "Orders in DynamoDB.", status="proposed", supersedes=old["id"])
    assert (candidate["status"], candidate["supersedes"]) == ("proposed", old["id"])
    current = client.get(f"/v1/memories/{old['id']}").json()
    assert (current["status"], current["superseded_by"]) == ("accepted", None)
    assert current["candidates"] == [candidate["id"]]


def test_only_the_current_decision_is_replaced(client: TestClient) -> None:
    deprecated = _decision(client, "Orders live in SQLite.")
    response = client.patch(f"/v1/memories/{deprecated['id']}", json={"status": "deprecated"})
    assert response.status_code == 200, response.text
    new = _decision(client, "Orders live in PostgreSQL.")
    error = _supersede(client, deprecated["id"], new["id"], 409)["error"]
    assert error["code"] == "illegal_transition"
    assert (
        f"decision '{deprecated['id']}' is deprecated and cannot become superseded"
        in (error["message"])
    )
    assert "from deprecated it moves only by a rollback or undo" in error["message"]
    created = client.post(
        "/v1/memories",
        json=decision_body(content="Orders in MySQL.", supersedes=deprecated["id"]),
    )
    assert created.status_code == 409
    assert client.get(f"/v1/memories/{new['id']}").json()["version"] == 1


def test_a_replacement_replaces_one_memory(client: TestClient) -> None:
    first = _decision(client, "Orders live in SQLite.", topic="orders")
    second = _decision(client, "Invoices live in SQLite.", topic="invoices")
    merged = _decision(client, "Everything lives in PostgreSQL.", supersedes=first["id"])
    message = _supersede(client, second["id"], merged["id"], 409)["error"]["message"]
    assert f"already supersedes '{first['id']}'" in message
    assert f"retract '{second['id']}' instead" in message


def test_a_memory_cannot_supersede_itself_or_one_of_another_project(client: TestClient) -> None:
    mine = remember(client, content="Builds run on GitHub Actions.")
    message = _supersede(client, mine["id"], mine["id"], 422)["error"]["message"]
    assert "cannot supersede itself" in message
    foreign = remember(client, project="lab", content="Builds run on Buildkite.")
    message = _supersede(client, mine["id"], foreign["id"], 422)["error"]["message"]
    assert "superseded only by one of its own project" in message
    assert _supersede(client, mine["id"], "01JUNKNOWNUNKNOWNUNKNOWN00", 404)


def test_a_handoff_is_not_superseded(client: TestClient) -> None:
    handoffs = [
        client.post(
            "/v1/handoffs",
            json={
                "project": "shop",
                "from_agent": "backend-architect",
                "to_agent": "qa-engineer",
                "summary": f"Test the orders API, round {i}.",
            },
        ).json()
        for i in (1, 2)
    ]
    message = _supersede(client, handoffs[0]["id"], handoffs[1]["id"], 422)["error"]["message"]
    assert "a handoff is not superseded: complete or retract it" in message
    body = memory_body(kind="handoff", content="Round 3.", supersedes=handoffs[0]["id"])
    refused = client.post("/v1/memories", json=body)
    assert refused.status_code == 422
    assert "a handoff supersedes nothing" in refused.json()["error"]["message"]


def test_the_client_supersedes_retracts_updates_and_lists(client: TestClient) -> None:
    old = remember(client, content="Logs are kept for a week.", tags=["logs"])
    new = remember(client, content="Logs are kept for a month.", tags=["logs"])
    wrong = remember(client, content="Logs are kept forever.", tags=["logs"])

    async def use_client() -> tuple[Any, ...]:
        transport = httpx.ASGITransport(app=client.app)
        async with ServiceClient(IN_PROCESS_URL, transport=transport) as service:
            superseded = await service.supersede(old["id"], new["id"], actor="devops")
            retracted = await service.retract(wrong["id"], actor="devops")
            updated = await service.update_memory(new["id"], MemoryUpdate(title="A month"))
            page = await service.list_memories(MemoryListQuery(tags=["logs"], limit=1))
            rest = await service.list_memories(
                MemoryListQuery(tags=["logs"], status=["superseded"], cursor=None)
            )
            return superseded, retracted, updated, page, rest

    superseded, retracted, updated, page, rest = asyncio.run(use_client())
    assert (superseded.status, superseded.superseded_by) == ("superseded", new["id"])
    assert retracted.status == "retracted"
    assert (updated.title, updated.supersedes, updated.version) == ("A month", old["id"], 3)
    assert ([m.id for m in page.memories], page.next_cursor) == ([new["id"]], None)
    assert [m.id for m in rest.memories] == [old["id"]]
    history = client.get(f"/v1/memories/{old['id']}/history").json()["versions"]
    assert history[-1]["actor"] == "devops"
