"""The scale-out stack for `python -m bench speed --stack scaleout`, and its search by stage.

A real PostgreSQL (initdb + pg_ctl from the installed binaries) and a real `chroma run`,
started here as the tests start them (tests/support/servers.py), with the service on two
workers. The stages of a search are timed in this process against the same database and
Chroma server, after the HTTP figures: the query's embedding, the keyword query in
PostgreSQL (tsvector and ts_rank), Chroma's graph search over HTTP, and the whole search.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.locomo import percentile

WORKERS = 2


@contextmanager
def scaleout_env() -> Iterator[dict[str, str]]:
    """MEMORY_* variables for the service on a fresh PostgreSQL and Chroma server."""
    from tests.support.servers import fresh_collection, start_chroma, start_postgres

    postgres = start_postgres()
    try:
        chroma = start_chroma()
        try:
            yield {
                "MEMORY_DATABASE_URL": postgres.fresh_database(),
                "MEMORY_CHROMA_URL": chroma.url,
                "MEMORY_CHROMA_COLLECTION": fresh_collection(),
                "MEMORY_WORKERS": str(WORKERS),
            }
        finally:
            chroma.stop()
    finally:
        postgres.stop()


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (uvicorn's workers), in MiB."""
    total, pending = 0.0, [pid]
    while pending:
        current = pending.pop()
        for line in Path(f"/proc/{current}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1]) / 1024
        children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        pending += [int(c) for c in children]
    return total


def _timed(step: Callable[[str], Any], questions: list[str]) -> dict[str, float]:
    """p50 and p95 in ms of `step` run once per question."""
    latencies = []
    for question in questions:
        began = time.perf_counter()
        step(question)
        latencies.append((time.perf_counter() - began) * 1000)
    return {"p50": percentile(latencies, 50), "p95": percentile(latencies, 95)}


def search_stages(env: dict[str, str], questions: list[str], project: str) -> dict[str, Any]:
    """Each stage of a search in project `project`, timed alone in this process (ms)."""
    from memory_service.schemas.search import SearchRequest
    from memory_service.services.search.filters import build_filter
    from memory_service.services.search.search import CANDIDATES, search_memories
    from memory_service.settings import Settings
    from memory_service.store import Store
    from memory_service.store.db import Database
    from memory_service.store.embedding.embedder import Embedder
    from memory_service.store.keyword import keyword_search
    from memory_service.store.vectors import VectorIndex

    settings = Settings(
        database_url=env["MEMORY_DATABASE_URL"],
        chroma_url=env["MEMORY_CHROMA_URL"],
        chroma_collection=env["MEMORY_CHROMA_COLLECTION"],
    )
    index = VectorIndex(url=settings.chroma_url, collection=settings.chroma_collection)
    store = Store(settings, Database(settings.resolved_database_url), index, Embedder())
    request = SearchRequest(query="warm-up", project=project, k=10)
    where = build_filter(request)

    def keyword(question: str) -> Any:
        with store.db.read() as session:
            return keyword_search(
                session, query=question, where=where, n=CANDIDATES, dialect=store.db.dialect,
                weighed_only=True,
            )  # fmt: skip

    vectors = {q: store.embedder.embed([q])[0] for q in questions}  # embedded before timing

    def nearest(question: str) -> Any:
        return index.query(vectors[question], projects=[project], where=None, n=CANDIDATES)

    def whole(question: str) -> Any:
        return search_memories(store, request=request.model_copy(update={"query": question}))

    for step in (keyword, nearest, whole):
        step(questions[0])  # connections, statements and collections opened before timing
    stages = {
        "embedding": _timed(lambda q: store.embedder.embed_query(f"{q} again"), questions),
        "keyword_postgresql": _timed(keyword, questions),
        "vector_chroma_server": _timed(nearest, questions),
        "search_in_process": _timed(whole, [f"{q} once more" for q in questions]),
    }
    hits = statistics.fmean(len(keyword(q)) for q in questions)
    store.db.dispose()
    return {"project": project, "keyword_hits_mean": hits, **stages}


STAGES = {
    "embedding": "stage: query embedding",
    "keyword_postgresql": "stage: keyword query (PostgreSQL)",
    "vector_chroma_server": "stage: graph search (Chroma server)",
    "search_in_process": "stage: whole search, in process",
}


def stage_rows(stages: dict[str, Any], floor_ms: float) -> list[tuple[str, str, str]]:
    """The stages as rows of the speed table: p50 / p95, p50 against the model's floor."""
    return [
        (
            f"{label} p50/p95",
            f"{stages[key]['p50']:.1f} / {stages[key]['p95']:.1f} ms",
            f"p50 = {stages[key]['p50'] / floor_ms:.1f} x model",
        )
        for key, label in STAGES.items()
    ]
