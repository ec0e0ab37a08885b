"""Several workers: refused on the embedded stack, coordinated on PostgreSQL + Chroma."""

from __future__ import annotations

import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import httpx
from sqlmodel import func, select

from memory_service.models import Event, IdempotencyKey, Memory
from memory_service.store.db import Database
from tests.factories import memory_body
from tests.support.service import BIN, start_service


def test_more_than_one_worker_on_the_embedded_stack_is_refused_with_the_reason(
    tmp_path: Path,
) -> None:
    started = time.monotonic()
    done = subprocess.run(
        [str(BIN), "--workers", "2"],
        env={"MEMORY_DATA_DIR": str(tmp_path / "data"), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "embedded Chroma" in done.stderr and "SQLite" in done.stderr
    assert "MEMORY_DATABASE_URL" in done.stderr and "MEMORY_CHROMA_URL" in done.stderr
    assert time.monotonic() - started < 30  # refused before loading the model
    assert not (tmp_path / "data").exists()


def _workers(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(c) for c in children]


def _together(n: int, call: Any) -> list[httpx.Response]:
    """`n` threads released at once, each making one request."""
    gate = threading.Barrier(n)
    out: list[httpx.Response] = []
    lock = threading.Lock()

    def run() -> None:
        gate.wait()
        response = call()
        with lock:
            out.append(response)

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def test_two_workers_hold_idempotency_keys_and_dedupe_across_each_other(
    tmp_path: Path, scaleout_env: dict[str, str]
) -> None:
    running = start_service(tmp_path / "data", "--workers", "2", **scaleout_env)
    try:
        assert len(_workers(running.proc.pid)) >= 2  # uvicorn's process manager + workers
        url = running.url
        with httpx.Client(timeout=60) as http:
            keyed = memory_body(content="Invoices are numbered per tenant and year.")
            racing = _together(
                12,
                lambda: http.post(
                    f"{url}/v1/memories", json=keyed, headers={"Idempotency-Key": "inv-1"}
                ),
            )
            assert [r.status_code for r in racing] == [201] * 12
            assert len({r.json()["id"] for r in racing}) == 1
            same = memory_body(content="Refunds go back to the original payment method.")
            duplicates = _together(12, lambda: http.post(f"{url}/v1/memories", json=same))
            assert [r.status_code for r in duplicates] == [201] * 12
            assert len({r.json()["id"] for r in duplicates}) == 1
            assert sum(not r.json()["duplicate"] for r in duplicates) == 1
    finally:
        running.stop()
    db = Database(scaleout_env["MEMORY_DATABASE_URL"])
    with db.read() as session:
        assert session.exec(select(func.count()).select_from(Memory)).one() == 2
        assert session.exec(select(func.count()).select_from(Event)).one() == 2
        assert session.exec(select(func.count()).select_from(IdempotencyKey)).one() == 1
    db.dispose()
