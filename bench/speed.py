"""Latency and throughput of remember, batch remember, search and recall over HTTP.

    python -m bench speed --memories 10000      (and 100000; --smoke for a quick check)
    python -m bench speed --memories 2000 --metrics   (adds search with metrics on vs off)
    python -m bench speed --stack scaleout --memories 2000   (PostgreSQL + Chroma server)

Each figure is printed next to the bare model's own speed measured in the same run on the
same machine (the floor: the service cannot embed faster than the model it calls), as a
ratio. Also: start-up to ready on the filled data dir, and the service's resident memory.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import httpx

from bench import corpus
from bench.locomo import percentile, wait_indexed
from bench.metrics_cost import metrics_cost
from bench.scaleout import scaleout_env
from bench.service import Service, restarted, running_service
from bench.speed_report import report

BATCH = 500


def service_texts(bodies: list[dict[str, Any]]) -> list[str]:
    """What the service embeds for these memories: each with the start of the one before it
    in its session (services/indexing/indexing.py), so the floor is the model on the same work."""
    from memory_service.models import Memory
    from memory_service.services.texts import default_title, embedding_text

    texts: list[str] = []
    previous: Memory | None = None
    for body in bodies:
        memory = Memory(
            content=body["content"],
            title=default_title(body["content"]),
            reasoning=body.get("reasoning"),
            session=body["session"],
        )
        same = previous is not None and previous.session == memory.session
        texts.append(embedding_text(memory, previous if same else None))
        previous = memory
    return texts


def bare_model(texts: list[str], queries: list[str]) -> dict[str, float]:
    """The floor: the model alone, in this process, on the same texts and queries."""
    from memory_service.store.embedding.embedder import Embedder

    embedder = Embedder()
    embedder.embed(texts[:64])  # warm-up
    start = time.perf_counter()
    embedder.embed(texts)
    batched = len(texts) / (time.perf_counter() - start)
    singles = []
    for q in queries:
        t = time.perf_counter()
        embedder.embed([q])
        singles.append((time.perf_counter() - t) * 1000)
    return {"batched_per_s": batched, "query_ms_p50": statistics.median(singles)}


def fill(client: httpx.Client, total: int) -> float:
    """Batch-remember `total` memories; memories per second until the last is indexed
    (a remember is acknowledged before its index write, decisions/0076)."""
    start = time.perf_counter()
    for offset in range(0, total, BATCH):
        body = {"memories": corpus.memories(offset, min(BATCH, total - offset))}
        client.post("/v1/memories/batch", json=body, timeout=900).raise_for_status()
    wait_indexed(client)
    return total / (time.perf_counter() - start)


def concurrent_remember(
    url: str, start: int, count: int, clients: int, *, own_sessions: bool = False
) -> dict[str, float]:
    """`clients` threads, each with its own connection, remembering one memory a request.
    The corpus's consecutive memories of a session go to different clients at once, unless
    `own_sessions`: then each client writes its memories into sessions of its own, one
    after the other, as an agent does."""
    bodies = corpus.memories(start, count)
    chunks = [bodies[i::clients] for i in range(clients)]
    if own_sessions:
        for i, chunk in enumerate(chunks):
            for body in chunk:
                body["session"] = f"{body['session']}-client-{i}"

    def worker(chunk: list[dict[str, Any]]) -> list[float]:
        latencies = []
        with httpx.Client(base_url=url, timeout=120) as c:
            for body in chunk:
                t = time.perf_counter()
                c.post("/v1/memories", json=body).raise_for_status()
                latencies.append((time.perf_counter() - t) * 1000)
        return latencies

    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        latencies = [ms for chunk in pool.map(worker, chunks) for ms in chunk]
    acknowledged = time.perf_counter() - began
    with httpx.Client(base_url=url, timeout=120) as c:
        wait_indexed(c, poll_s=0.01)
    # Done means indexed: the throughput counts the index writer's lag after the last answer.
    return {
        "per_s": count / (time.perf_counter() - began),
        "acknowledged_per_s": count / acknowledged,
        "p50_ms": percentile(latencies, 50),
    }


def timed(client: httpx.Client, path: str, bodies: list[dict[str, Any]]) -> dict[str, float]:
    """Sequential requests; latency percentiles in ms."""
    latencies = []
    for body in bodies:
        t = time.perf_counter()
        client.post(path, json=body).raise_for_status()
        latencies.append((time.perf_counter() - t) * 1000)
    return {f"p{p}": percentile(latencies, p) for p in (50, 95, 99)}


def run(
    total: int,
    *,
    queries: int,
    singles: int,
    clients: int,
    floor_texts: int = 512,
    metrics_rounds: int = 0,
    scaleout: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Every measurement of one run, as a dict; on the scale-out stack when `scaleout`
    gives its MEMORY_* variables (see `bench/scaleout.py`)."""
    sample = service_texts(corpus.memories(0, floor_texts))
    floor = bare_model(sample, corpus.queries(min(100, queries), seed=3))
    result: dict[str, Any] = {"memories": total, "floor": floor}
    questions = corpus.queries(queries)
    env = scaleout or {}
    with running_service(**env) as service:
        result["ready_empty_s"] = service.ready_s
        with httpx.Client(base_url=service.url, timeout=120) as client:
            result["batch_per_s"] = fill(client, total)
        with restarted(service, **env) as again:
            result["ready_filled_s"] = again.ready_s
            result["single_remember"] = concurrent_remember(again.url, total, singles, clients)
            result["single_remember_own"] = concurrent_remember(
                again.url, total + singles, singles, clients, own_sessions=True
            )
            with httpx.Client(base_url=again.url, timeout=120) as client:
                search = [{"query": q, "project": "project-0", "k": 10} for q in questions]
                result["search"] = timed(client, "/v1/search", search)
                result["search_cached"] = timed(client, "/v1/search", search[:100])
                recall = [
                    {
                        "agent": "qa-engineer",
                        "project": "project-0",
                        "query": q,
                        "budget_tokens": 800,
                    }
                    for q in questions[:100]
                ]
                result["recall"] = timed(client, "/v1/recall", recall)
                projects = client.get("/v1/projects").json()
                result["stored"] = sum(p["memories"] for p in projects)
            result["rss_mb"] = again.rss_mb()
            if scaleout:
                scaleout_figures(result, again, scaleout, questions)
        if metrics_rounds:
            result["metrics_cost"] = metrics_cost(service.data_dir, queries, metrics_rounds)
    return result


def scaleout_figures(
    result: dict[str, Any], service: Service, env: dict[str, str], questions: list[str]
) -> None:
    """What the scale-out stack adds: every worker's memory, and a search stage by stage."""
    from bench.scaleout import search_stages, tree_rss_mb

    result["rss_mb"] = tree_rss_mb(service.process.pid)
    result["stages"] = search_stages(env, questions[:100], "project-0")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench speed", description=__doc__)
    parser.add_argument("--memories", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--singles", type=int, default=800, help="Single remembers to time.")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--smoke", action="store_true", help="A quick check: 120 memories.")
    parser.add_argument(
        "--stack",
        choices=("embedded", "scaleout"),
        default="embedded",
        help="scaleout: a PostgreSQL and a `chroma run` started here, the service on two "
        "workers, and a search timed stage by stage.",
    )
    parser.add_argument("--json", type=Path, default=None, help="Also write the figures here.")
    parser.add_argument(
        "--metrics",
        action="store_true",
        help="Then time search with MEMORY_METRICS on and off, alternating processes.",
    )
    args = parser.parse_args(argv)
    if args.metrics and args.stack == "scaleout":
        parser.error("--metrics compares processes on the embedded stack: leave out --stack")
    floor_texts = 512
    if args.smoke:
        args.memories, args.queries, args.singles, floor_texts = 120, 10, 32, 64
    with scaleout_env() if args.stack == "scaleout" else nullcontext() as scaleout:
        result = run(
            args.memories,
            queries=args.queries,
            singles=args.singles,
            clients=args.clients,
            floor_texts=floor_texts,
            # The smoke run checks that the comparison works; one round of each does that.
            metrics_rounds=(1 if args.smoke else 3) if args.metrics else 0,
            scaleout=scaleout,
        )
    result["clients"], result["stack"] = args.clients, args.stack
    print(report(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
