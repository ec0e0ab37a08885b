"""Web UI render times on a project with 1,000 decisions, against the JSON API for the same data.

    python -m bench.ui [--decisions 1000] [--repeat 15]

Seeds a fresh store (real SQLite, Chroma and model) with decisions over two years: MADR
fields, topics, tags, four authors, supersession chains, deliverables and handoffs that refer
to decisions, a known-good checkpoint and changes after it. Then each page is fetched through
the app in-process (the full ASGI stack, no network) and timed against the JSON API call that
returns the same data, measured in the same run. Prints medians of wall time, their ratio,
and the ratio of CPU time (steadier on a shared machine); the targets
are every page under 200 ms, and the log page and each search (ranked results with
highlighted excerpts, and one that matches nothing) within 2x of their JSON call.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from fastapi.testclient import TestClient

from memory_service.api.app import create_app
from memory_service.settings import Settings

PROJECT = "bench-ui"
TARGET_MS = 200.0
# The log and its searches render what the JSON call returns: at most twice its time.
TARGET_RATIO = 2.0
TOPICS = [f"topic-{i}" for i in range(25)]
TAGS = ["api", "storage", "security", "ops", "frontend", "billing", "search", "events"]
AGENTS = ["backend-architect", "platform-engineer", "security-engineer", "frontend-developer"]
STATUSES = ["accepted"] * 6 + ["proposed", "rejected", "deprecated"]


def _decision(n: int, rng: random.Random, start: datetime) -> dict[str, Any]:
    topic = rng.choice(TOPICS)
    return {
        "project": PROJECT,
        "agent": rng.choice(AGENTS),
        "kind": "decision",
        "title": f"Decision {n}: use component c{n % 97} for {topic}",
        "content": f"Service s{n % 53} uses component c{n % 97} behind queue q{n % 31}.",
        "reasoning": f"Load test {n} showed c{n % 97} keeps p99 under {50 + n % 200} ms.",
        "topic": topic,
        "tags": rng.sample(TAGS, 2),
        "status": rng.choice(STATUSES),
        "context": f"Traffic on s{n % 53} grows {n % 40}% a quarter.",
        "options": [
            {"name": f"c{n % 97}", "pros": ["fast", "known"], "cons": ["licence"]},
            {"name": f"c{(n + 1) % 97}", "pros": ["cheap"], "cons": ["slow", "new"]},
        ],
        "outcome": f"c{n % 97}",
        "consequences": {"good": ["lower latency"], "bad": ["one more component"]},
        "occurred_at": (start + timedelta(hours=17 * n)).isoformat(),
    }


def _ok(response: httpx.Response) -> Any:
    assert response.status_code < 400, response.text
    return response.json() if "json" in response.headers.get("content-type", "") else None


def seed(client: TestClient, count: int) -> dict[str, str]:
    """`count` decisions (some superseding others) plus references, handoffs and a checkpoint."""
    rng = random.Random(5)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    accepted: list[str] = []
    for first in range(0, count, 500):
        batch = [_decision(n, rng, start) for n in range(first, min(first + 500, count))]
        made = _ok(client.post("/v1/memories/batch", json={"memories": batch}))
        accepted += [m["id"] for m in made["memories"] if m["status"] == "accepted"]
    chain = accepted[-1]
    for step in range(3):  # a supersession chain on the newest accepted decision
        chain = _ok(
            client.post(
                "/v1/memories",
                json={
                    **_decision(count + step, rng, start),
                    "status": "accepted",
                    "supersedes": chain,
                },
            )
        )["id"]
    for n in range(20):
        _ok(
            client.post(
                "/v1/memories",
                json={
                    "project": PROJECT,
                    "agent": "backend-architect",
                    "kind": "deliverable",
                    "content": f"Spec {n} for service s{n}.",
                    "refs": [accepted[n], chain],
                },
            )
        )
    handoffs = []
    for n in range(30):
        handoffs.append(
            _ok(
                client.post(
                    "/v1/handoffs",
                    json={
                        "project": PROJECT,
                        "from_agent": "backend-architect",
                        "to_agent": AGENTS[1 + n % 3],
                        "summary": f"Handoff {n}: wire service s{n}",
                        "pending": ["tests"],
                        "refs": [accepted[n]],
                    },
                )
            )["id"]
        )
    for h in handoffs[:10]:
        _ok(client.post(f"/v1/handoffs/{h}/ack", json={}))
    checkpoint = _ok(
        client.post(
            f"/v1/projects/{PROJECT}/checkpoints",
            json={"label": "qa-passed", "agent": "qa-engineer", "known_good": True},
        )
    )["id"]
    for i in accepted[20:40]:  # work after the checkpoint, for the rollback preview
        _ok(client.patch(f"/v1/memories/{i}", json={"reasoning": "Revised after review."}))
    return {"decision": chain, "checkpoint": checkpoint}


def _alternating_ms(
    page: Callable[[], object], baseline: Callable[[], object], repeat: int
) -> tuple[float, float, float, float]:
    """Median wall and CPU milliseconds of the page and of its JSON call, timed in turns.

    CPU time is the process's (the app's threads included): on a shared machine it keeps
    the ratio of the work done when other processes stretch the wall time."""
    page()  # warm caches (templates, SQLite pages) before timing
    baseline()
    wall: tuple[list[float], list[float]] = ([], [])
    cpu: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for n, fn in enumerate((page, baseline)):
            start, used = time.perf_counter(), time.process_time()
            fn()
            wall[n].append(time.perf_counter() - start)
            cpu[n].append(time.process_time() - used)
    page_ms, json_ms = (statistics.median(w) * 1000 for w in wall)
    page_cpu, json_cpu = (statistics.median(c) * 1000 for c in cpu)
    return page_ms, json_ms, page_cpu, json_cpu


def run(count: int, repeat: int) -> None:
    with (
        tempfile.TemporaryDirectory() as tmp,
        TestClient(create_app(Settings(data_dir=Path(tmp))), base_url="http://localhost") as client,
    ):
        began = time.perf_counter()
        seeded = seed(client, count)
        print(f"seeded {count} decisions in {time.perf_counter() - began:.1f} s")
        p, d, c = PROJECT, seeded["decision"], seeded["checkpoint"]
        search = {"project": p, "kinds": ["decision"], "include_superseded": True, "k": 100}

        def get(url: str) -> Callable[[], object]:
            return lambda: _ok(client.get(url))

        def post(url: str, body: dict[str, Any]) -> Callable[[], object]:
            return lambda: _ok(client.post(url, json=body))

        def both(*calls: Callable[[], object]) -> Callable[[], object]:
            return lambda: [call() for call in calls]

        query = "which component keeps latency low"
        cases: list[tuple[str, Callable[[], object], Callable[[], object], bool]] = [
            ("projects", get("/ui"), get("/v1/projects"), False),
            (
                "decision log (100 newest)",
                get(f"/ui/projects/{p}/decisions"),
                post("/v1/search", search),
                True,
            ),
            (
                "log filtered by status+tag",
                get(f"/ui/projects/{p}/decisions?status=accepted&tag=storage"),
                post("/v1/search", {**search, "tags_any": ["storage"]}),
                True,
            ),
            (
                "log search (ranked, excerpts)",
                get(f"/ui/projects/{p}/decisions?q={query.replace(' ', '+')}"),
                post("/v1/search", {**search, "query": query}),
                True,
            ),
            (
                "log search, page 2",
                get(f"/ui/projects/{p}/decisions?q={query.replace(' ', '+')}&page=2"),
                post("/v1/search", {**search, "query": query}),
                True,
            ),
            (
                "log search, no match",
                get(f"/ui/projects/{p}/decisions?q=zzzzqqq"),
                post("/v1/search", {**search, "query": "zzzzqqq"}),
                True,
            ),
            (
                "decision page",
                get(f"/ui/projects/{p}/decisions/{d}"),
                both(get(f"/v1/memories/{d}"), get(f"/v1/memories/{d}/history")),
                False,
            ),
            (
                "handoff board",
                get(f"/ui/projects/{p}/handoffs"),
                get(f"/v1/handoffs?project={p}&state=all&limit=200"),
                False,
            ),
            (
                "checkpoints",
                get(f"/ui/projects/{p}/checkpoints"),
                both(get(f"/v1/projects/{p}/checkpoints"), get(f"/v1/projects/{p}/rollbacks")),
                False,
            ),
            (
                "rollback preview",
                get(f"/ui/projects/{p}/rollback?to={c}"),
                post(f"/v1/projects/{p}/rollback", {"to": c, "dry_run": True, "actor": "bench"}),
                False,
            ),
        ]
        print(
            f"{'page':<32}{'page ms':>9}{'JSON ms':>9}{'ratio':>7}{'CPU ratio':>10}  "
            f"targets: < {TARGET_MS:.0f} ms; log and search ratio <= {TARGET_RATIO:.0f}"
        )
        for name, page, baseline, paired in cases:
            # Alternate page and JSON call so that both see the same machine load.
            page_ms, json_ms, page_cpu, json_cpu = _alternating_ms(page, baseline, repeat)
            ratio, cpu_ratio = page_ms / json_ms, page_cpu / json_cpu
            verdict = "ok" if page_ms < TARGET_MS else "OVER"
            if paired:
                verdict += ", ratio ok" if ratio <= TARGET_RATIO else ", ratio OVER"
            print(
                f"{name:<32}{page_ms:>9.1f}{json_ms:>9.1f}{ratio:>7.2f}{cpu_ratio:>10.2f}  "
                f"{verdict}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--decisions", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    run(args.decisions, args.repeat)


if __name__ == "__main__":
    main()
