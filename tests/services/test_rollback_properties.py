"""Property: rolling back to any checkpoint restores exactly the state recorded there."""

from __future__ import annotations

import itertools
from typing import Any

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

VOLATILE = ("version", "updated_at")
_projects = itertools.count()

op = st.one_of(
    st.tuples(st.just("create"), st.sampled_from(["note", "decision"]), st.integers(0, 10**6)),
    st.tuples(st.just("edit"), st.integers(0, 50), st.integers(0, 10**6)),
    st.tuples(
        st.just("status"),
        st.integers(0, 50),
        st.sampled_from(["proposed", "accepted", "deprecated", "rejected"]),
    ),
    st.tuples(st.just("supersede"), st.integers(0, 50), st.integers(0, 10**6)),
    st.tuples(st.just("retract"), st.integers(0, 50), st.just(0)),
    st.tuples(st.just("checkpoint"), st.just(0), st.just(0)),
)


def _state(client: TestClient, ids: list[str]) -> dict[str, dict[str, Any]]:
    out = {}
    for memory_id in ids:
        body = client.get(f"/v1/memories/{memory_id}").json()
        out[memory_id] = {k: v for k, v in body.items() if k not in VOLATILE}
    return out


def _apply(
    client: TestClient,
    project: str,
    step: tuple[str, Any, Any],
    ids: list[str],
    kinds: dict[str, str],
) -> None:
    name, a, b = step
    live = [i for i in ids if client.get(f"/v1/memories/{i}").json()["status"] != "retracted"]
    decisions = [i for i in live if kinds[i] == "decision"]
    if name == "create":
        body: dict[str, Any] = {
            "project": project,
            "agent": "architect",
            "kind": a,
            "content": f"{a} {b} about caching layer {len(ids)}",
        }
        if a == "decision":
            body |= {"reasoning": f"because {b}", "topic": f"topic-{b % 3}"}
        created = client.post("/v1/memories", json=body).json()
        if not created["duplicate"]:
            ids.append(created["id"])
            kinds[created["id"]] = a
    elif name == "edit" and live:
        client.patch(f"/v1/memories/{live[a % len(live)]}", json={"content": f"edited {b}"})
    elif name == "status" and decisions:
        client.patch(f"/v1/memories/{decisions[a % len(decisions)]}", json={"status": b})
    elif name == "supersede" and decisions:
        old = decisions[a % len(decisions)]
        # Only the current (accepted) decision is replaced (decisions/0066).
        if client.get(f"/v1/memories/{old}").json()["status"] == "accepted":
            created = client.post(
                "/v1/memories",
                json={
                    "project": project,
                    "agent": "architect",
                    "kind": "decision",
                    "content": f"replacement {b} for {old}",
                    "reasoning": "new facts",
                    "supersedes": old,
                },
            ).json()
            ids.append(created["id"])
            kinds[created["id"]] = "decision"
    elif name == "retract" and live:
        client.delete(f"/v1/memories/{live[a % len(live)]}")


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(op, min_size=3, max_size=14), pick=st.integers(0, 100))
def test_rollback_restores_the_checkpoint_state_and_undo_reverses_it(
    client: TestClient, steps: list[tuple[str, Any, Any]], pick: int
) -> None:
    project = f"prop-{next(_projects)}"
    ids: list[str] = []
    kinds: dict[str, str] = {}
    _apply(client, project, ("create", "decision", 0), ids, kinds)
    checkpoints: list[tuple[str, list[str], dict[str, dict[str, Any]]]] = []
    for step in [("checkpoint", 0, 0), *steps]:
        if step[0] == "checkpoint":
            cp = client.post(
                f"/v1/projects/{project}/checkpoints",
                json={"label": f"cp{len(checkpoints)}", "agent": "qa"},
            ).json()
            checkpoints.append((cp["id"], list(ids), _state(client, ids)))
        else:
            _apply(client, project, step, ids, kinds)
    cp_id, ids_then, state_then = checkpoints[pick % len(checkpoints)]
    before = _state(client, ids)

    response = client.post(f"/v1/projects/{project}/rollback", json={"to": cp_id, "actor": "qa"})
    if response.status_code == 409:
        assert response.json()["error"]["code"] == "nothing_to_roll_back"
        assert {i: before[i] for i in ids_then} == state_then
        assert all(before[i]["status"] == "retracted" for i in ids if i not in ids_then)
        return
    assert response.status_code == 200, response.text
    after = _state(client, ids)
    assert {i: after[i] for i in ids_then} == state_then
    assert all(after[i]["status"] == "retracted" for i in ids if i not in ids_then)

    undo = client.post(f"/v1/rollbacks/{response.json()['id']}/undo", json={"actor": "qa"})
    assert undo.status_code == 200, undo.text
    assert _state(client, ids) == before
