"""A project as a team's agents would leave it: decisions over months, a supersession chain,
deliverables and handoffs that refer to them, a known-good checkpoint and work after it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

PROJECT = "shop"


@dataclass
class Seeded:
    project: str
    ids: dict[str, str]
    checkpoint: str


def post_json(http: httpx.Client, path: str, body: dict[str, Any]) -> dict[str, Any]:
    """POST a JSON body, insist on success, and return the answer."""
    response = http.post(path, json=body)
    assert response.status_code in (200, 201), response.text
    return response.json()  # type: ignore[no-any-return]


def decide(http: httpx.Client, project: str, **fields: Any) -> str:
    """Remember a decision of the project's backend architect; return its id."""
    body = {"project": project, "agent": "backend-architect", "kind": "decision", **fields}
    return str(post_json(http, "/v1/memories", body)["id"])


def seed(url: str, project: str = PROJECT) -> Seeded:
    """Write the project through the REST API of the service at `url`."""
    with httpx.Client(base_url=url, timeout=60) as http:
        return write(http, project)


def write(http: httpx.Client, project: str = PROJECT) -> Seeded:
    """Write the project through an HTTP client of the service (a process or the app)."""
    ids: dict[str, str] = {}
    ids["sqlite"] = decide(
        http,
        project,
        title="Orders live in SQLite",
        content="Orders are stored in one SQLite file next to the service.",
        reasoning="One process, no operations work, and the data fits on one disk.",
        topic="database-schema",
        tags=["orders", "storage"],
        occurred_at="2026-01-12T10:00:00Z",
    )
    ids["postgres"] = decide(
        http,
        project,
        title="Orders live in PostgreSQL",
        content="Orders move to PostgreSQL, one table per aggregate.",
        reasoning="Order lines need multi-row transactions **across services**.",
        topic="database-schema",
        tags=["orders", "storage"],
        supersedes=ids["sqlite"],
        occurred_at="2026-02-03T09:30:00Z",
        context="Two services now write orders. <script>alert('x')</script> is not code.",
        options=[
            {
                "name": "PostgreSQL",
                "description": "The team's default relational database.",
                "pros": ["Transactions across order lines", "Known to operations"],
                "cons": ["One more server to run"],
            },
            {"name": "Keep SQLite", "pros": ["Nothing to migrate"], "cons": ["One writer"]},
            {"name": "DynamoDB", "cons": ["No multi-item transactions we trust"]},
        ],
        outcome="PostgreSQL",
        consequences={
            "good": ["Multi-row transactions", "Point-in-time recovery"],
            "bad": ["Vertical scaling first"],
        },
        decision_makers=["backend-architect", "dba"],
    )
    ids["rest"] = decide(
        http,
        project,
        title="REST with cursor pagination",
        content="Public APIs are REST with opaque cursors.",
        reasoning="Clients page through large order lists without offsets drifting.",
        topic="api-style",
        tags=["api"],
        occurred_at="2026-02-20T15:00:00Z",
    )
    ids["events"] = decide(
        http,
        project,
        title="Publish order events to Kafka",
        content="Every order change is published as an event.",
        reasoning="Billing and shipping react without polling.",
        topic="messaging",
        tags=["orders", "events"],
        status="proposed",
        agent="platform-engineer",
        occurred_at="2026-03-04T11:00:00Z",
    )
    ids["graphql"] = decide(
        http,
        project,
        title="GraphQL for the storefront",
        content="The storefront reads through one GraphQL endpoint.",
        reasoning="Too early: the REST API covers the storefront.",
        topic="storefront-api",
        tags=["api"],
        status="rejected",
        occurred_at="2026-03-10T08:00:00Z",
    )
    ids["spec"] = str(
        post_json(
            http,
            "/v1/memories",
            {
                "project": project,
                "agent": "backend-architect",
                "kind": "deliverable",
                "title": "Orders API spec",
                "content": "GET/POST /orders with cursor pagination; see openapi.yaml.",
                "for_agents": ["frontend-developer"],
                "refs": [ids["postgres"], ids["rest"]],
            },
        )["id"]
    )
    checkpoint = post_json(
        http,
        f"/v1/projects/{project}/checkpoints",
        {"label": "qa-passed-sprint-1", "agent": "qa-engineer", "known_good": True},
    )["id"]
    for to_agent, summary in (
        ("frontend-developer", "Orders API ready for the storefront"),
        ("qa-engineer", "Test the orders API"),
        ("devops", "Provision PostgreSQL"),
    ):
        ids[f"handoff-{to_agent}"] = str(
            post_json(
                http,
                "/v1/handoffs",
                {
                    "project": project,
                    "from_agent": "backend-architect",
                    "to_agent": to_agent,
                    "summary": summary,
                    "completed": ["Orders schema"],
                    "pending": ["Pagination edge cases"],
                    "risks": ["Totals are computed server-side"],
                    "refs": [ids["postgres"], ids["spec"]],
                },
            )["id"]
        )
    http.post(f"/v1/handoffs/{ids['handoff-qa-engineer']}/ack", json={"note": "on it"})
    http.post(f"/v1/handoffs/{ids['handoff-devops']}/complete", json={"note": "cluster is up"})
    # After QA passed: a change QA will fail, to be rolled back.
    ids["dynamo"] = decide(
        http,
        project,
        title="Orders live in DynamoDB",
        content="Orders move to DynamoDB for write scaling.",
        reasoning="Black Friday write peaks.",
        topic="database-schema",
        tags=["orders", "storage"],
        supersedes=ids["postgres"],
        occurred_at="2026-04-02T16:00:00Z",
    )
    patched = http.patch(
        f"/v1/memories/{ids['rest']}",
        json={
            "content": "Public APIs are REST with opaque cursors and ETags.",
            "actor": "api-reviewer",
        },
    )
    assert patched.status_code == 200, patched.text
    return Seeded(project, ids, checkpoint)
