"""What recording metrics costs a search: `python -m bench speed --metrics` runs this after
the speed run, on the same filled data dir (decisions/0068).

The service is started with MEMORY_METRICS=true, then false, then true again ... on one
data dir, one process at a time, each timing the same distinct queries after a warm-up: the
machine's drift during the run falls on both settings alike. The request log line is
written in both (it is not a metric), so the difference is the metrics alone. On a busy
machine that difference drowns in noise; the recording cost is therefore also timed here,
in process: what one search records, repeated, per search.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx

from bench import corpus
from bench.locomo import percentile
from bench.service import running_service

SETTINGS = {"on": "true", "off": "false"}
WARM_UP = 20
STAGES = ("keyword", "vector", "vector_check", "ranking")


def recording_us(repeat: int = 20_000) -> float:
    """Microseconds of the metrics one search records: its request, four stages, one query
    embedding and two pooled connections going out and back."""
    from memory_service.observability import metrics

    metrics.enable_metrics(True)
    began = time.perf_counter()
    for _ in range(repeat):
        metrics.observe_request("POST", "/v1/search", 200, 0.01)
        for stage in STAGES:
            with metrics.search_stage(stage):
                pass
        metrics.observe_embedding("query", 1, 0.002)
        for _ in range(2):
            metrics.pool_checkout("read", 1)
            metrics.pool_checkout("read", -1)
    return (time.perf_counter() - began) / repeat * 1e6


def _latencies(client: httpx.Client, bodies: list[dict[str, Any]]) -> list[float]:
    """Milliseconds of each search, one after the other."""
    out = []
    for body in bodies:
        began = time.perf_counter()
        client.post("/v1/search", json=body).raise_for_status()
        out.append((time.perf_counter() - began) * 1000)
    return out


def metrics_cost(data_dir: Path, queries: int, rounds: int = 3) -> dict[str, float]:
    """Search p50 and p95 with metrics on and off, alternating service processes."""
    timed = [{"query": q, "project": "project-0", "k": 10} for q in corpus.queries(queries)]
    warm = [{"query": q, "project": "project-0", "k": 10} for q in corpus.queries(WARM_UP, 7)]
    latencies: dict[str, list[float]] = {flag: [] for flag in SETTINGS}
    for _ in range(rounds):
        for flag, value in SETTINGS.items():
            with (
                running_service(data_dir, MEMORY_METRICS=value) as service,
                httpx.Client(base_url=service.url, timeout=120) as client,
            ):
                _latencies(client, warm)
                latencies[flag] += _latencies(client, timed)
                if flag == "on":
                    client.get("/metrics").raise_for_status()  # it serves what it records
    cost = {
        f"{stat}_{flag}": percentile(values, q)
        for flag, values in latencies.items()
        for stat, q in (("p50", 50), ("p95", 95))
    }
    return cost | {"recording_us": recording_us()}


def report_rows(cost: dict[str, float]) -> list[tuple[str, str, str]]:
    """The comparison as rows of the speed report."""
    on, off = cost["p50_on"], cost["p50_off"]
    return [
        (
            "search p50 / p95, metrics on",
            f"{on:.2f} / {cost['p95_on']:.2f} ms",
            f"p50 on/off = {on / off:.3f}",
        ),
        ("search p50 / p95, metrics off", f"{off:.2f} / {cost['p95_off']:.2f} ms", ""),
        (
            "metrics one search records",
            f"{cost['recording_us']:.1f} us",
            f"{cost['recording_us'] / 1000 / off:.4f} of p50 off",
        ),
    ]
