"""The real `memory-service` process: HTTP end to end, and recovery from a crash."""

from __future__ import annotations

import subprocess
from pathlib import Path

import httpx
import pytest

from tests.factories import memory_body
from tests.support.service import BIN, free_port, service


def test_service_process_remembers_searches_and_recalls(tmp_path: Path) -> None:
    with service(tmp_path / "data") as url:
        created = httpx.post(
            f"{url}/v1/memories",
            json=memory_body(content="The ledger is append-only and reconciled hourly."),
        )
        assert created.status_code == 201
        memory_id = created.json()["id"]
        found = httpx.post(f"{url}/v1/search", json={"query": "ledger reconciliation"}).json()
        assert found["results"][0]["memory"]["id"] == memory_id
        recall = httpx.post(
            f"{url}/v1/recall",
            json={"agent": "backend-architect", "project": "shop", "format": "markdown"},
        ).json()
        assert memory_id in recall["markdown"]
    # The data outlives the process.
    with service(tmp_path / "data") as url:
        assert httpx.get(f"{url}/v1/memories/{memory_id}").status_code == 200


def test_crash_between_commit_and_index_write_leaves_the_memory_searchable(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    with service(data) as url:
        pass  # a first run creates the store and records the model
    port = free_port()
    crashing = subprocess.Popen(
        [str(BIN), "--port", str(port)],
        env={
            **__import__("os").environ,
            "MEMORY_DATA_DIR": str(data),
            "MEMORY_FAULT_INJECTION": "crash-after-commit",
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        from tests.support.service import wait_ready

        wait_ready(f"http://127.0.0.1:{port}", crashing)
        with pytest.raises(httpx.TransportError):
            httpx.post(
                f"http://127.0.0.1:{port}/v1/memories",
                json=memory_body(content="Blue-green deploys switch traffic at the load balancer."),
                timeout=30,
            )
        assert crashing.wait(timeout=30) == 70
    finally:
        if crashing.poll() is None:
            crashing.kill()
    with service(data) as url:
        results = httpx.post(
            f"{url}/v1/search",
            # No word in common: only the vector index can find it (the floor off, for a
            # paraphrase this model scores as low as an unrelated text).
            json={"query": "how do we release without downtime", "project": "shop", "min_score": 0},
        ).json()["results"]
        assert [r["memory"]["content"] for r in results][:1] == [
            "Blue-green deploys switch traffic at the load balancer."
        ]
        keyword = httpx.post(f"{url}/v1/search", json={"query": "blue-green"}).json()["results"]
        assert len(keyword) == 1
