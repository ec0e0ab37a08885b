"""Sixteen clients for a minute against two workers on PostgreSQL + a Chroma server.

Mixed remember / update / retract / search / recall / handoff traffic from agents of four
projects: no request fails, no acknowledged write is lost or duplicated, the vector index
matches SQL, and each project's event log is numbered 1..N without gaps, in commit order.
"""

from __future__ import annotations

import random
import threading
import time
from pathlib import Path

import httpx
import pytest
from sqlmodel import col, select

from memory_service.models import Event, Memory
from memory_service.settings import Settings
from memory_service.store.db import Database
from memory_service.store.vectors import open_index
from tests.support.ledger import Ledger, check_store
from tests.support.service import start_service
from tests.support.traffic import Tally, mixed_loop

CLIENTS = 16
SECONDS = int(__import__("os").environ.get("DEBUG_SECONDS", "60"))
PROJECTS = 4


def _wait_drained(url: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while httpx.get(f"{url}/readyz", timeout=30).json().get("outbox") != 0:
        assert time.monotonic() < deadline, "the outbox did not drain"
        time.sleep(0.2)


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_sixteen_clients_for_a_minute_lose_nothing_and_keep_each_projects_order(
    tmp_path: Path, scaleout_env: dict[str, str]
) -> None:
    running = start_service(tmp_path / "data", "--workers", "2", **scaleout_env)
    ledgers = [Ledger(project=f"team-{i}") for i in range(PROJECTS)]
    tally = Tally()
    seed = random.randrange(1 << 30)
    print(f"concurrency seed {seed}")
    try:
        paths = httpx.get(f"{running.url}/openapi.json", timeout=30).json()["paths"]
        until = time.monotonic() + SECONDS
        threads = [
            threading.Thread(
                target=mixed_loop,
                args=(running.url, ledgers[i % PROJECTS], f"c{i}", until, seed + i, tally),
                kwargs={"handoffs": "/v1/handoffs" in paths},
            )
            for i in range(CLIENTS)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        failures = [f for ledger in ledgers for f in ledger.failures]
        assert failures == [], f"{failures}\n{running.errors()}"
        assert [c for ledger in ledgers for c in ledger.cut_off] == []
        _wait_drained(running.url)
        with httpx.Client(base_url=running.url, timeout=60) as http:
            reports = [check_store(http, ledger) for ledger in ledgers]
    finally:
        running.stop()
    counts = {kind: len(v) for kind, v in sorted(tally.latencies.items())}
    print(f"{tally.total} requests in {SECONDS}s ({tally.total / SECONDS:.1f}/s): {counts}")
    assert counts.get("remember", 0) > 0 and counts.get("search", 0) > 0

    db = Database(scaleout_env["MEMORY_DATABASE_URL"])
    with db.read() as session:
        for ledger in ledgers:
            events = session.exec(
                select(Event).where(Event.project == ledger.project).order_by(col(Event.seq))
            ).all()
            numbers = [e.project_seq for e in events]
            # In commit order (the global seq order) the project's numbers run 1..N.
            assert numbers == list(range(1, len(events) + 1)), ledger.project
            versions = session.exec(
                select(Memory.version).where(Memory.project == ledger.project)
            ).all()
            assert len(events) == sum(versions), "an event without a version, or the reverse"
    db.dispose()
    settings = Settings(
        data_dir=tmp_path / "data",
        database_url=scaleout_env["MEMORY_DATABASE_URL"],
        chroma_url=scaleout_env["MEMORY_CHROMA_URL"],
        chroma_collection=scaleout_env["MEMORY_CHROMA_COLLECTION"],
    )
    active = set().union(*(r.active_ids for r in reports))
    assert open_index(settings).all_ids() == active
