"""The service's Prometheus metrics: declared once here, recorded where the work happens,
rendered for `GET /metrics` (decisions/0068).

Every label is bounded by construction: route templates, methods, status codes and a few
fixed words, never a path, a project, a tag or any text of a memory. With several worker
processes the launcher sets `PROMETHEUS_MULTIPROC_DIR`: each process then writes its
samples to files there and a scrape, answered by any worker, adds them up.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.metrics_core import Metric
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from prometheus_client.registry import Collector

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
SECONDS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
# A client chooses the method: any other word is one label value, not a new series each.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

REQUEST_SECONDS = Histogram(
    "agent_memory_http_request_duration_seconds",
    "HTTP requests by method, route template and status: their count and latency.",
    ["method", "route", "status"],
    buckets=SECONDS,
)
EMBEDDING_CALLS = Counter(
    "agent_memory_embedding_calls_total",
    "Model calls: a micro-batch of memory texts (batch) or one search query (query).",
    ["kind"],
)
EMBEDDING_BATCH = Histogram(
    "agent_memory_embedding_batch_size",
    "Texts per batch model call (concurrent writers share one).",
    buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024),
)
EMBEDDING_SECONDS = Histogram(
    "agent_memory_embedding_seconds",
    "Seconds the model ran per call.",
    ["kind"],
    buckets=SECONDS,
)
SEARCH_STAGE_SECONDS = Histogram(
    "agent_memory_search_stage_seconds",
    "Seconds per search stage: keyword (SQL), vector (query model and index, on their own "
    "thread), vector_check (SQL check of the index's nearest) and ranking.",
    ["stage"],
    buckets=SECONDS,
)
ROLLBACKS = Counter(
    "agent_memory_rollbacks_total", "Rollbacks applied (rollback) and undone (undo).", ["kind"]
)
RATE_LIMITED = Counter(
    "agent_memory_rate_limited_total",
    "Requests refused with 429: over a token's rate (token), or from an address over its "
    "failed authentications (auth_failures).",
    ["limit"],
)
AUTH_FAILURES = Counter(
    "agent_memory_auth_failures_total",
    "Requests refused with 401: without a token (missing) or with a wrong one (invalid).",
    ["reason"],
)
POOL_IN_USE = Gauge(
    "agent_memory_db_pool_connections_in_use",
    "SQL connections checked out of the pool, by engine.",
    ["engine"],
    multiprocess_mode="livesum",
)


@dataclass
class _Switch:
    on: bool = True


_SWITCH = _Switch()
# Each metric's children by label values: the sets are few, and a dict lookup costs a tenth
# of `labels()`, which checks and converts its values on every call.
_CHILDREN: dict[tuple[int, tuple[str, ...]], Any] = {}


def _child(metric: Any, *values: str) -> Any:
    """`metric.labels(*values)`, made once."""
    key = (id(metric), values)
    found = _CHILDREN.get(key)
    if found is None:
        found = _CHILDREN.setdefault(key, metric.labels(*values))
    return found


def enable_metrics(on: bool) -> None:
    """Record metrics in this process (the default), or not (MEMORY_METRICS=false)."""
    _SWITCH.on = on
    # A `_created` series per counter and histogram doubles a scrape for what Prometheus
    # already tells from a reset.
    disable_created_metrics()


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    """One HTTP request answered."""
    if _SWITCH.on:
        label = method if method in METHODS else "other"
        _child(REQUEST_SECONDS, label, route, str(status)).observe(seconds)


def observe_embedding(kind: str, texts: int, seconds: float) -> None:
    """One model call of `kind` ('batch' or 'query') over `texts` texts."""
    if not _SWITCH.on:
        return
    _child(EMBEDDING_CALLS, kind).inc()
    _child(EMBEDDING_SECONDS, kind).observe(seconds)
    if kind == "batch":
        EMBEDDING_BATCH.observe(texts)


class _StageTimer:
    """Times the block it guards as one search stage (a class: a generator-based context
    manager costs several times more, on every stage of every search)."""

    __slots__ = ("stage", "began")

    def __init__(self, stage: str) -> None:
        self.stage = stage
        self.began = 0.0

    def __enter__(self) -> None:
        self.began = time.perf_counter()

    def __exit__(self, *_: object) -> None:
        if _SWITCH.on:
            _child(SEARCH_STAGE_SECONDS, self.stage).observe(time.perf_counter() - self.began)


def search_stage(stage: str) -> _StageTimer:
    """Time the block as one search stage."""
    return _StageTimer(stage)


def search_stage_until(stage: str, work: Future[Any], began: float) -> None:
    """Time a stage that runs on another thread: from `began` until `work` is done."""
    if _SWITCH.on:
        stage_seconds = _child(SEARCH_STAGE_SECONDS, stage)
        work.add_done_callback(lambda _: stage_seconds.observe(time.perf_counter() - began))


def count_rollback(kind: str) -> None:
    """A rollback ('rollback') or its undo ('undo') was written."""
    if _SWITCH.on:
        _child(ROLLBACKS, kind).inc()


def count_rate_limited(limit: str) -> None:
    """A request refused with 429 by `limit` ('token' or 'auth_failures')."""
    if _SWITCH.on:
        _child(RATE_LIMITED, limit).inc()


def count_auth_failure(reason: str) -> None:
    """A request refused with 401, for `reason` ('missing' or 'invalid')."""
    if _SWITCH.on:
        _child(AUTH_FAILURES, reason).inc()


def pool_checkout(engine: str, change: int) -> None:
    """A connection of `engine` checked out (+1) or returned (-1)."""
    if _SWITCH.on:
        _child(POOL_IN_USE, engine).inc(change)


class _ThisProcess(Collector):
    """The process-wide registry's metrics, for a registry built per scrape."""

    def collect(self) -> Iterable[Metric]:
        """What the process-wide registry holds now."""
        return REGISTRY.collect()


def render(*scraped: Collector) -> tuple[bytes, str]:
    """The Prometheus text of every worker's metrics plus `scraped` (computed now)."""
    registry = CollectorRegistry()
    if os.environ.get(MULTIPROC_ENV):
        MultiProcessCollector(registry)
    else:
        registry.register(_ThisProcess())
    for collector in scraped:
        registry.register(collector)
    return generate_latest(registry), CONTENT_TYPE_LATEST


def _alive(pid: int) -> bool:
    """Whether a process with this id runs (one of another user counts as running)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def forget_dead_workers() -> None:
    """Drop the live gauges of worker processes that are gone: a worker that crashed never
    said so, and its checked-out connections would count for ever."""
    path = os.environ.get(MULTIPROC_ENV)
    if not path:
        return
    for file in Path(path).glob("gauge_live*_*.db"):
        pid = file.stem.rpartition("_")[2]
        if pid.isdigit() and not _alive(int(pid)):
            mark_process_dead(int(pid), path)


def worker_stopping() -> None:
    """This process stops: its live gauges leave the sums."""
    path = os.environ.get(MULTIPROC_ENV)
    if path:
        mark_process_dead(os.getpid(), path)


@contextmanager
def worker_metrics_dir() -> Iterator[None]:
    """For the launcher of several workers: a fresh PROMETHEUS_MULTIPROC_DIR for this run,
    removed after it, unless the operator set one (who then empties it between runs)."""
    if os.environ.get(MULTIPROC_ENV):
        yield
        return
    path = tempfile.mkdtemp(prefix="agent-memory-metrics-")
    os.environ[MULTIPROC_ENV] = path
    try:
        yield
    finally:
        os.environ.pop(MULTIPROC_ENV, None)
        shutil.rmtree(path, ignore_errors=True)
