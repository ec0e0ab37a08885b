"""kill -9 under load: no acknowledged write is lost and nothing is half-visible.

A real service process (two workers on the scale-out stack) takes writes from eight
threads and is SIGKILLed at random moments five times, then restarted. Afterwards every
write acknowledged with 2xx is read back, found by keyword and by vector search; writes
that were cut off are either wholly there or wholly absent; retrying them with their
Idempotency-Key never duplicates; and the vector index holds exactly the active memories.
"""

from __future__ import annotations

import random
import threading
import time
from pathlib import Path

import httpx
import pytest

from memory_service.settings import Settings
from memory_service.store.vectors import open_index
from tests.support.ledger import Ledger, check_store, writer_loop
from tests.support.service import start_service

WRITERS = 8
KILLS = 5


@pytest.mark.slow
@pytest.mark.timeout(900)
@pytest.mark.parametrize("stack", ["embedded", "scaleout"])
def test_sigkill_under_concurrent_writes_loses_nothing_acknowledged(
    stack: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    env: dict[str, str] = {}
    args: list[str] = []
    if stack == "scaleout":
        env = request.getfixturevalue("scaleout_env")
        args = ["--workers", "2"]
    seed = random.randrange(1 << 30)
    print(f"crash test seed {seed}")  # shown on failure, to replay the kill moments
    rng = random.Random(seed)
    data = tmp_path / "data"
    ledger = Ledger(project="crash")
    timings: dict[str, float] = {"start": 0.0, "write": 0.0, "check": 0.0}
    for round_no in range(KILLS):
        started = time.monotonic()
        running = start_service(data, *args, **env)
        timings["start"] += time.monotonic() - started
        stop = threading.Event()
        threads = [
            threading.Thread(
                target=writer_loop,
                args=(running.url, ledger, f"w{w}r{round_no}", stop, rng.random()),
            )
            for w in range(WRITERS)
        ]
        for t in threads:
            t.start()
        pause = rng.uniform(1.0, 3.0)
        time.sleep(pause)
        timings["write"] += pause
        running.kill()
        stop.set()
        for t in threads:
            t.join(timeout=60)
    assert ledger.cut_off, "no request was cut off by a kill: the test proved nothing"
    assert not ledger.failures, f"{ledger.failures[:5]}\n{running.errors()}"

    started = time.monotonic()
    running = start_service(data, *args, **env)  # ready means the outbox has been drained
    timings["start"] += time.monotonic() - started
    started = time.monotonic()
    try:
        with httpx.Client(base_url=running.url, timeout=60) as http:
            ledger.retry_cut_off_creates(http)
            report = check_store(http, ledger)
    finally:
        running.stop()
    timings["check"] = time.monotonic() - started
    settings = Settings(
        data_dir=data, **{k.removeprefix("MEMORY_").lower(): v for k, v in env.items()}
    )
    index = open_index(settings)
    assert index.all_ids() == report.active_ids
    print(
        f"{stack}: {len(ledger.acked_creates)} acknowledged creates, "
        f"{len(ledger.cut_off)} cut off, {len(report.active_ids)} active"
    )
    print(f"{stack}: seconds spent " + ", ".join(f"{k} {v:.0f}" for k, v in timings.items()))
