"""LoCoMo retrieval benchmark through the public HTTP API of a real service process.

    python -m bench locomo --data ../shared/bench-data/locomo10.json [--smoke]

Loads every turn with POST /v1/memories/batch, asks every question that has evidence with
POST /v1/search in its project (k=25) in each mode - hybrid (the default ranking), vector
and keyword (the baselines, same run) - and prints recall@1/5/10/25 overall and per LoCoMo
category, the hybrid recall on the conversations its weights were tuned on and on the
held-out ones, and the search latency percentiles over HTTP.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import httpx

from bench.locomo_data import CATEGORIES, Conversation, load, memory_body, recall_at
from bench.service import running_service

KS = (1, 5, 10, 25)
# Each row's search request: the service's modes, and hybrid without its relevance floor
# (what the floor costs in recall; decisions/0065).
MODES: dict[str, dict[str, Any]] = {
    "hybrid": {"mode": "hybrid"},
    "no-floor": {"mode": "hybrid", "min_score": 0},
    "vector": {"mode": "vector"},
    "keyword": {"mode": "keyword"},
}
BATCH = 500
# The ranking weights were tuned on the even-numbered conversations (0, 2, 4, 6, 8).
TUNED_ON = frozenset(range(0, 10, 2))


def load_conversations(client: httpx.Client, convs: list[Conversation]) -> dict[str, str]:
    """Remember every turn; the map from (project, dia_id) key to memory id."""
    memory_of: dict[str, str] = {}
    for conv in convs:
        bodies = [memory_body(conv, t) for t in conv.turns]
        for start in range(0, len(bodies), BATCH):
            chunk = bodies[start : start + BATCH]
            response = client.post("/v1/memories/batch", json={"memories": chunk}, timeout=600)
            response.raise_for_status()
            for body, stored in zip(chunk, response.json()["memories"], strict=True):
                memory_of[f"{conv.project}/{body['metadata']['dia_id']}"] = stored["id"]
    return memory_of


def wait_indexed(client: httpx.Client, timeout: float = 900, *, poll_s: float = 0.2) -> None:
    """Until the service's outbox is empty: every acknowledged write is in the index."""
    deadline = time.monotonic() + timeout
    while client.get("/readyz").json().get("outbox") != 0:
        if time.monotonic() > deadline:
            raise TimeoutError("the vector index did not catch up")
        time.sleep(poll_s)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def ask_all(
    client: httpx.Client, convs: list[Conversation], memory_of: dict[str, str], mode: dict[str, Any]
) -> tuple[list[dict[str, Any]], list[float]]:
    """One row per question (conversation index, category, recall@k) and the latencies."""
    rows, latencies = [], []
    for index, conv in enumerate(convs):
        for q in conv.questions:
            body = {"query": q.question, "project": conv.project, "k": max(KS), **mode}
            start = time.perf_counter()
            response = client.post("/v1/search", json=body)
            latencies.append((time.perf_counter() - start) * 1000)
            response.raise_for_status()
            ranked = [r["memory"]["id"] for r in response.json()["results"]]
            evidence = tuple(dict.fromkeys(memory_of[f"{conv.project}/{e}"] for e in q.evidence))
            recall = {k: recall_at(ranked, evidence, k) for k in KS}
            rows.append({"conversation": index, "category": q.category, "recall": recall})
    return rows, latencies


def summarise(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Mean recall@k overall, per category and per tuning half, with question counts."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups["overall"].append(row)
        groups[f"{row['category']} {CATEGORIES.get(row['category'], '?')}"].append(row)
        half = "tuned-on" if row["conversation"] in TUNED_ON else "held-out"
        groups[half].append(row)
    order = ["overall", *(f"{c} {n}" for c, n in CATEGORIES.items()), "tuned-on", "held-out"]
    groups = {name: groups[name] for name in order if name in groups}
    return {
        name: {
            "n": len(members),
            **{f"r@{k}": statistics.fmean(r["recall"][k] for r in members) for k in KS},
        }
        for name, members in groups.items()
    }


def run(data: Path, *, limit: int | None, max_questions: int | None) -> dict[str, Any]:
    """Load LoCoMo into a fresh service and measure every mode; the figures as a dict."""
    convs = load(data, limit=limit)
    if max_questions is not None:
        for conv in convs:
            conv.questions = conv.questions[:max_questions]
    with running_service() as service:
        with httpx.Client(base_url=service.url, timeout=60) as client:
            start = time.perf_counter()
            memory_of = load_conversations(client, convs)
            wait_indexed(client)
            load_s = time.perf_counter() - start
            result: dict[str, Any] = {
                "conversations": len(convs),
                "turns": sum(len(c.turns) for c in convs),
                "questions": sum(len(c.questions) for c in convs),
                "load_s": load_s,
                "modes": {},
            }
            for mode, request in MODES.items():
                rows, latencies = ask_all(client, convs, memory_of, request)
                result["modes"][mode] = {
                    "recall": summarise(rows),
                    "latency_ms": {p: percentile(latencies, p) for p in (50, 95, 99)},
                }
    return result


def report(result: dict[str, Any]) -> str:
    """The figures as a plain-text table."""
    lines = [
        f"LoCoMo: {result['conversations']} conversations, {result['turns']} turns, "
        f"{result['questions']} questions with evidence; loaded and indexed through the "
        f"API in {result['load_s']:.1f} s",
        "",
        f"{'mode':8} {'group':16} {'n':>5} " + " ".join(f"{'R@' + str(k):>6}" for k in KS),
    ]
    for mode, figures in result["modes"].items():
        for group, stats in figures["recall"].items():
            recalls = " ".join(f"{stats[f'r@{k}']:6.3f}" for k in KS)
            lines.append(f"{mode:8} {group:16} {stats['n']:5d} {recalls}")
        lines.append("")
    lines.append("search latency over HTTP (ms):   p50     p95     p99")
    lines.append("  (hybrid runs first and embeds each question; the others reuse the cache)")
    for mode, figures in result["modes"].items():
        lat = figures["latency_ms"]
        lines.append(f"  {mode:28} {lat[50]:7.1f} {lat[95]:7.1f} {lat[99]:7.1f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench locomo", description=__doc__)
    parser.add_argument("--data", type=Path, required=True, help="Path to locomo10.json.")
    parser.add_argument("--limit-conversations", type=int, default=None)
    parser.add_argument(
        "--smoke", action="store_true", help="One conversation, 20 questions: a quick check."
    )
    parser.add_argument("--json", type=Path, default=None, help="Also write the figures here.")
    args = parser.parse_args(argv)
    limit = 1 if args.smoke else args.limit_conversations
    result = run(args.data, limit=limit, max_questions=20 if args.smoke else None)
    print(report(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
