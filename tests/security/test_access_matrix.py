"""Every endpoint x role x own/foreign project x own/foreign agent, with its exact status.

Roles: no token, a bogus one, a revoked one, then agent (alice), reviewer (rita) and admin
(ada) tokens. "own" project is `shop` (the agent's and reviewer's), "foreign" is `lab`; the
own agent is the token's, the foreign one `mallory`. Each table row gives the status for
(agent, reviewer, admin); every request without a valid token gets 401.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.security.conftest import AGENT_OF, FOREIGN, OWN, ROLES, STRANGER, Secured

Row = tuple[int, int, int]
Table = dict[tuple[str, str], Row]


@dataclass
class Call:
    method: str
    url: str
    json: Any = None
    params: dict[str, Any] | None = None


@dataclass
class Endpoint:
    route: str
    build: Callable[[Secured, str, str], Call]  # (app, project, agent) -> the request
    table: Table
    open_without_token: bool = False


def same(row: Row) -> Table:
    """One row for every project and agent."""
    return {(p, a): row for p in ("own", "foreign") for a in ("own", "foreign")}


def by_project(own: Row, foreign: Row) -> Table:
    sides = ("own", "foreign")
    return {(p, a): own if p == "own" else foreign for p in sides for a in sides}


def full(own_own: Row, own_foreign: Row, foreign_own: Row, foreign_foreign: Row) -> Table:
    return {
        ("own", "own"): own_own,
        ("own", "foreign"): own_foreign,
        ("foreign", "own"): foreign_own,
        ("foreign", "foreign"): foreign_foreign,
    }


# Setup helpers: each makes what one request needs, as admin, so requests never interfere.
def memory(s: Secured, project: str, agent: str, **extra: Any) -> dict[str, Any]:
    body = {"project": project, "agent": agent, "content": s.unique("A note"), **extra}
    return s.admin("POST", "/v1/memories", json=body)  # type: ignore[no-any-return]


def decision(s: Secured, project: str, agent: str) -> dict[str, Any]:
    return memory(s, project, agent, kind="decision", reasoning="Because.", status="accepted")


def handoff_to(s: Secured, project: str, agent: str) -> dict[str, Any]:
    body = {"project": project, "from_agent": "carol", "to_agent": agent, "summary": "Work"}
    return s.admin("POST", "/v1/handoffs", json=body)  # type: ignore[no-any-return]


def before_new_memory(s: Secured, project: str, agent: str) -> str:
    """An event sequence, and after it a new memory of `agent` to roll back."""
    created = memory(s, project, agent)
    versions = s.admin("GET", f"/v1/memories/{created['id']}/history")["versions"]
    return str(versions[0]["seq"] - 1)


def rollback_of(s: Secured, project: str, agent: str) -> str:
    to = before_new_memory(s, project, agent)
    body = {"to": to, "agent": agent, "actor": "ada"}
    return s.admin("POST", f"/v1/projects/{project}/rollback", json=body)["id"]  # type: ignore[no-any-return]


ADR_FILE = "---\nstatus: accepted\n---\n\n# Use {n}\n\nWe use {n}.\n"

ENDPOINTS = [
    Endpoint(
        "POST /v1/memories",
        lambda s, p, a: Call(
            "POST", "/v1/memories", {"project": p, "agent": a, "content": s.unique("x")}
        ),
        full((201, 201, 201), (403, 403, 201), (403, 403, 201), (403, 403, 201)),
    ),
    Endpoint(
        "POST /v1/memories/batch",
        lambda s, p, a: Call(
            "POST",
            "/v1/memories/batch",
            {"memories": [{"project": p, "agent": a, "content": s.unique("x")}]},
        ),
        full((201, 201, 201), (403, 403, 201), (403, 403, 201), (403, 403, 201)),
    ),
    Endpoint(
        "POST /v1/memories (supersedes another's decision)",
        lambda s, p, a: Call(
            "POST",
            "/v1/memories",
            {
                "project": p,
                "kind": "decision",
                "content": s.unique("Replacement"),
                "reasoning": "Better.",
                "supersedes": decision(s, p, a)["id"],
            },
        ),
        full((201, 201, 201), (403, 201, 201), (403, 403, 201), (403, 403, 201)),
    ),
    Endpoint(
        "GET /v1/memories",
        lambda s, p, a: Call("GET", "/v1/memories", params={"project": p, "agent": a}),
        by_project((200, 200, 200), (403, 403, 200)),
    ),
    Endpoint(
        "GET /v1/memories (every project the token may use)",
        lambda s, p, a: Call("GET", "/v1/memories", params={"tags": "nothing-has-this"}),
        same((200, 200, 200)),
    ),
    Endpoint(
        "POST /v1/memories/{memory_id}/supersede",
        lambda s, p, a: Call(
            "POST",
            f"/v1/memories/{decision(s, p, a)['id']}/supersede",
            {"by": decision(s, p, a)["id"]},
        ),
        full((200, 200, 200), (403, 200, 200), (404, 404, 200), (404, 404, 200)),
    ),
    Endpoint(
        "POST /v1/memories/{memory_id}/supersede (by another agent's memory)",
        lambda s, p, a: Call(
            "POST",
            f"/v1/memories/{decision(s, p, a)['id']}/supersede",
            {"by": decision(s, p, STRANGER)["id"]},
        ),
        # The replacement gains a version too: an agent changes only its own memories.
        full((403, 200, 200), (403, 200, 200), (404, 404, 200), (404, 404, 200)),
    ),
    Endpoint(
        "GET /v1/memories/{memory_id}",
        lambda s, p, a: Call("GET", f"/v1/memories/{memory(s, p, a)['id']}"),
        by_project((200, 200, 200), (404, 404, 200)),
    ),
    Endpoint(
        "GET /v1/memories/{memory_id}/history",
        lambda s, p, a: Call("GET", f"/v1/memories/{memory(s, p, a)['id']}/history"),
        by_project((200, 200, 200), (404, 404, 200)),
    ),
    Endpoint(
        "PATCH /v1/memories/{memory_id}",
        lambda s, p, a: Call(
            "PATCH", f"/v1/memories/{memory(s, p, a)['id']}", {"content": s.unique("changed")}
        ),
        full((200, 200, 200), (403, 200, 200), (404, 404, 200), (404, 404, 200)),
    ),
    Endpoint(
        "PATCH /v1/memories/{memory_id} (decision status)",
        lambda s, p, a: Call(
            "PATCH", f"/v1/memories/{decision(s, p, a)['id']}", {"status": "deprecated"}
        ),
        full((403, 200, 200), (403, 200, 200), (404, 404, 200), (404, 404, 200)),
    ),
    Endpoint(
        "DELETE /v1/memories/{memory_id}",
        lambda s, p, a: Call("DELETE", f"/v1/memories/{memory(s, p, a)['id']}"),
        full((200, 200, 200), (403, 200, 200), (404, 404, 200), (404, 404, 200)),
    ),
    Endpoint(
        "POST /v1/search",
        lambda s, p, a: Call("POST", "/v1/search", {"query": "note", "project": p, "agent": a}),
        by_project((200, 200, 200), (403, 403, 200)),
    ),
    Endpoint(
        "POST /v1/recall",
        lambda s, p, a: Call("POST", "/v1/recall", {"project": p, "agent": a}),
        full((200, 200, 200), (403, 403, 200), (403, 403, 200), (403, 403, 200)),
    ),
    Endpoint(
        "GET /v1/projects", lambda s, p, a: Call("GET", "/v1/projects"), same((200, 200, 200))
    ),
    Endpoint(
        "POST /v1/projects/{project}/checkpoints",
        lambda s, p, a: Call(
            "POST", f"/v1/projects/{p}/checkpoints", {"label": s.unique("qa"), "agent": a}
        ),
        full((201, 201, 201), (403, 403, 201), (403, 403, 201), (403, 403, 201)),
    ),
    Endpoint(
        "GET /v1/projects/{project}/checkpoints",
        lambda s, p, a: Call("GET", f"/v1/projects/{p}/checkpoints"),
        by_project((200, 200, 200), (403, 403, 200)),
    ),
    Endpoint(
        "GET /v1/projects/{project}/changes",
        lambda s, p, a: Call("GET", f"/v1/projects/{p}/changes", params={"since": "0"}),
        by_project((200, 200, 200), (403, 403, 200)),
    ),
    Endpoint(
        "POST /v1/projects/{project}/rollback",
        lambda s, p, a: Call(
            "POST", f"/v1/projects/{p}/rollback", {"to": before_new_memory(s, p, a), "agent": a}
        ),
        full((200, 200, 200), (403, 200, 200), (403, 403, 200), (403, 403, 200)),
    ),
    Endpoint(
        "POST /v1/projects/{project}/rollback (whole project)",
        lambda s, p, a: Call(
            "POST",
            f"/v1/projects/{p}/rollback",
            {"to": before_new_memory(s, p, a), "dry_run": True},
        ),
        # An agent token's rollback is limited to its own memories: a stranger's new
        # memory leaves it nothing to roll back (409).
        full((200, 200, 200), (409, 200, 200), (403, 403, 200), (403, 403, 200)),
    ),
    Endpoint(
        "GET /v1/projects/{project}/rollbacks",
        lambda s, p, a: Call("GET", f"/v1/projects/{p}/rollbacks"),
        by_project((200, 200, 200), (403, 403, 200)),
    ),
    Endpoint(
        "POST /v1/rollbacks/{rollback_id}/undo",
        lambda s, p, a: Call("POST", f"/v1/rollbacks/{rollback_of(s, p, a)}/undo", {}),
        full((200, 200, 200), (403, 200, 200), (404, 404, 200), (404, 404, 200)),
    ),
    Endpoint(
        "POST /v1/handoffs",
        lambda s, p, a: Call(
            "POST",
            "/v1/handoffs",
            {"project": p, "from_agent": a, "to_agent": "bob", "summary": s.unique("Work")},
        ),
        full((201, 201, 201), (403, 403, 201), (403, 403, 201), (403, 403, 201)),
    ),
    Endpoint(
        "GET /v1/handoffs",
        lambda s, p, a: Call("GET", "/v1/handoffs", params={"project": p, "to_agent": a}),
        by_project((200, 200, 200), (403, 403, 200)),
    ),
    Endpoint(
        "GET /v1/handoffs/{handoff_id}",
        lambda s, p, a: Call("GET", f"/v1/handoffs/{handoff_to(s, p, a)['id']}"),
        by_project((200, 200, 200), (404, 404, 200)),
    ),
    Endpoint(
        "POST /v1/handoffs/{handoff_id}/ack",
        lambda s, p, a: Call("POST", f"/v1/handoffs/{handoff_to(s, p, a)['id']}/ack", {}),
        # Only the receiver acknowledges: acting as oneself on a stranger's handoff is 409.
        full((200, 200, 200), (409, 409, 409), (404, 404, 200), (404, 404, 409)),
    ),
    Endpoint(
        "POST /v1/handoffs/{handoff_id}/complete",
        lambda s, p, a: Call(
            "POST", f"/v1/handoffs/{handoff_to(s, p, a)['id']}/complete", {"note": "done"}
        ),
        full((200, 200, 200), (409, 409, 409), (404, 404, 200), (404, 404, 409)),
    ),
    Endpoint(
        "GET /v1/projects/{project}/adr",
        lambda s, p, a: Call("GET", f"/v1/projects/{p}/adr"),
        by_project((200, 200, 200), (403, 403, 200)),
    ),
    Endpoint(
        "POST /v1/projects/{project}/adr",
        lambda s, p, a: Call(
            "POST",
            f"/v1/projects/{p}/adr",
            {
                "files": [{"name": "0001-use-x.md", "content": ADR_FILE.format(n=s.unique("x"))}],
                "actor": a,
            },
        ),
        full((403, 200, 200), (403, 403, 200), (403, 403, 200), (403, 403, 200)),
    ),
    Endpoint("GET /v1/audit", lambda s, p, a: Call("GET", "/v1/audit"), same((403, 403, 200))),
    Endpoint("GET /healthz", lambda s, p, a: Call("GET", "/healthz"), same((200, 200, 200)), True),
    Endpoint("GET /readyz", lambda s, p, a: Call("GET", "/readyz"), same((200, 200, 200)), True),
]


@pytest.fixture(scope="module")
def seeded(secured: Secured) -> Secured:
    for project in (OWN, FOREIGN):
        for agent in (*AGENT_OF.values(), STRANGER):
            decision(secured, project, agent)
    return secured


def expected(endpoint: Endpoint, role: str, project: str, agent: str) -> int:
    if role in ("agent", "reviewer", "admin"):
        return endpoint.table[(project, agent)][("agent", "reviewer", "admin").index(role)]
    return 200 if endpoint.open_without_token else 401


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[e.route for e in ENDPOINTS])
def test_each_role_gets_the_exact_status(seeded: Secured, endpoint: Endpoint) -> None:
    wrong = []
    refused: dict[tuple[str, str], Call] = {}  # requests without a valid token change nothing
    for role in ROLES:
        for project_side in ("own", "foreign"):
            for agent_side in ("own", "foreign"):
                project = OWN if project_side == "own" else FOREIGN
                agent = AGENT_OF.get(role, "alice") if agent_side == "own" else STRANGER
                if role in AGENT_OF:
                    call = endpoint.build(seeded, project, agent)
                else:
                    key = (project, agent)
                    call = refused.get(key) or refused.setdefault(
                        key, endpoint.build(seeded, project, agent)
                    )
                response = seeded.call(
                    role, call.method, call.url, json=call.json, params=call.params
                )
                want = expected(endpoint, role, project_side, agent_side)
                if response.status_code != want:
                    got = (response.status_code, response.text[:200])
                    wrong.append((role, project_side, agent_side, want, *got))
                elif want >= 400:
                    assert set(response.json()["error"]) == {"code", "message", "details"}
    assert wrong == []


def test_the_table_covers_every_api_route(seeded: Secured) -> None:
    covered = {e.route.split(" (")[0] for e in ENDPOINTS}
    paths = seeded.client.get("/openapi.json").json()["paths"]
    routes = {f"{method.upper()} {path}" for path, ops in paths.items() for method in ops}
    assert routes - covered == set()
