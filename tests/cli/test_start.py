"""`agentmem start` on a busy project: within the token budget, every open handoff present."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from memory_service.store.embedding.embedder import Embedder
from tests.support.agentmem import agentmem

PROJECT = "shop-busy"


def _memories(count: int) -> list[dict[str, Any]]:
    kinds = ("decision", "deliverable", "note", "note")
    out = []
    for n in range(count):
        kind = kinds[n % len(kinds)]
        body: dict[str, Any] = {
            "project": PROJECT,
            "agent": ("backend-architect", "qa-engineer", "devops")[n % 3],
            "kind": kind,
            "title": f"{kind.title()} {n} on service {n % 17}",
            "content": f"Memory {n}: service {n % 17} talks to queue {n % 5} with retries "
            f"every {n % 9 + 1} seconds and keeps its state in table t{n}.",
        }
        if kind == "decision":
            body.update(topic=f"topic-{n}", reasoning=f"Because of load pattern {n}.")
        if kind == "deliverable":
            body["for_agents"] = ["frontend-developer"]
        out.append(body)
    return out


def test_start_with_500_memories_fits_the_budget_and_keeps_every_open_handoff(
    service_url: str, tmp_path: Path, embedder: Embedder
) -> None:
    response = httpx.post(
        f"{service_url}/v1/memories/batch", json={"memories": _memories(500)}, timeout=120
    )
    assert response.status_code == 201, response.text
    handoffs = []
    for n in range(4):
        created = httpx.post(
            f"{service_url}/v1/handoffs",
            json={
                "project": PROJECT,
                "from_agent": "backend-architect",
                "to_agent": "frontend-developer",
                "summary": f"Screen {n} can use the orders endpoints now",
                "pending": [f"Wire screen {n}"],
            },
        )
        assert created.status_code == 201, created.text
        handoffs.append(created.json()["id"])
    done = handoffs.pop()
    assert httpx.post(f"{service_url}/v1/handoffs/{done}/complete").status_code == 200
    for_someone_else = httpx.post(
        f"{service_url}/v1/handoffs",
        json={
            "project": PROJECT,
            "from_agent": "backend-architect",
            "to_agent": "qa-engineer",
            "summary": "Test the orders endpoints",
        },
    ).json()["id"]

    budget = 800
    ran = agentmem(
        "start", "--budget", str(budget), "--json",
        cwd=tmp_path, url=service_url, project=PROJECT, agent="frontend-developer",
    )  # fmt: skip
    assert ran.code == 0, ran.err
    recalled = ran.json()
    markdown = recalled["markdown"]
    assert embedder.count_tokens(markdown) <= budget
    assert recalled["omitted"] > 0  # the budget really was binding
    assert [m["id"] for m in recalled["sections"]["handoffs"]] == handoffs[::-1]
    for handoff_id in handoffs:
        assert handoff_id in markdown
    assert done not in markdown
    assert for_someone_else not in markdown

    human = agentmem(
        "start", "--budget", str(budget),
        cwd=tmp_path, url=service_url, project=PROJECT, agent="frontend-developer",
    )  # fmt: skip
    assert human.code == 0
    assert human.out.strip() == markdown.strip()
