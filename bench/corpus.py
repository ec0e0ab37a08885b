"""A deterministic synthetic corpus of agent memories and queries for the speed benchmark.

Memories look like what agents write: a sentence or three about a component, a decision
with its reasoning now and then, in sessions (agent runs) of 20 memories, over 10 projects.
"""

from __future__ import annotations

import random
from typing import Any

AGENTS = ["backend-architect", "frontend-developer", "devops", "qa-engineer", "data-engineer"]
COMPONENTS = (
    "checkout service, payment gateway, order table, session store, search index, "
    "notification queue, image resizer, auth middleware, billing job, feature flags, "
    "rate limiter, audit log, export worker, cache layer, admin dashboard, mobile app"
).split(", ")
ACTIONS = (
    "now retries failed calls with exponential backoff, moved to a separate container, "
    "reads its settings from the environment, was rewritten to stream results, "
    "keeps a copy of the last good state, logs every request at debug level, "
    "was split into two smaller services, gained an index on the created_at column, "
    "times out after five seconds, was upgraded to the new major version"
).split(", ")
REASONS = (
    "the old approach lost data under load, customers saw timeouts at peak hours, "
    "the team wants one way to deploy, it halves the cloud bill, "
    "incidents were hard to debug without it, the vendor ends support next year"
).split(", ")
QUESTIONS = (
    "what changed in the {c}?, why did we touch the {c}?, how does the {c} handle failures?, "
    "who decided about the {c}?, is the {c} {a}?, when did the {c} change?"
).split(", ")


def memory(i: int, rng: random.Random, projects: int = 10, session_len: int = 20) -> dict[str, Any]:
    """The i-th memory of the corpus (its project and session follow from i)."""
    run = i // session_len
    component = rng.choice(COMPONENTS)
    text = f"The {component} {rng.choice(ACTIONS)} (change {i})."
    if rng.random() < 0.5:
        text += f" The {rng.choice(COMPONENTS)} {rng.choice(ACTIONS)}."
    body: dict[str, Any] = {
        "project": f"project-{run % projects}",
        "agent": AGENTS[run % len(AGENTS)],
        "kind": "note",
        "content": text,
        "session": f"run-{run}",
        "tags": [component.split()[0]],
    }
    if rng.random() < 0.15:
        body["kind"] = "decision"
        body["reasoning"] = f"Because {rng.choice(REASONS)}."
        body["topic"] = component.replace(" ", "-")
    return body


def memories(start: int, count: int, seed: int = 7) -> list[dict[str, Any]]:
    """Memories start..start+count-1, the same on every run."""
    rng = random.Random(seed * 1_000_003 + start)
    return [memory(i, rng) for i in range(start, start + count)]


def queries(count: int, seed: int = 11) -> list[str]:
    """Distinct questions (so the query-embedding cache does not hide the model's cost)."""
    rng = random.Random(seed)
    out: list[str] = []
    while len(out) < count:
        q = rng.choice(QUESTIONS).format(c=rng.choice(COMPONENTS), a=rng.choice(ACTIONS))
        q = f"{q} ({len(out)})"
        out.append(q)
    return out
