"""`memory-service --workers 2`: whichever worker answers a scrape, it reports the requests
of both (the launcher's PROMETHEUS_MULTIPROC_DIR), on the scale-out stack."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.observability.conftest import sample
from tests.support.servers import ChromaServer, PostgresServer, scaleout_settings
from tests.support.service import start_service


@pytest.fixture
def scaleout_env(postgres: PostgresServer, chroma_server: ChromaServer) -> Iterator[dict[str, str]]:
    with scaleout_settings(postgres, chroma_server) as env:
        yield env


def test_every_scrape_counts_the_requests_of_every_worker(
    tmp_path: Path, scaleout_env: dict[str, str]
) -> None:
    running = start_service(tmp_path / "data", "--workers", "2", **scaleout_env)
    try:
        labels = {"method": "GET", "route": "/v1/projects", "status": "200"}
        count = "agent_memory_http_request_duration_seconds_count"
        # New connections each time, so both workers answer some of them.
        for _ in range(12):
            assert httpx.get(f"{running.url}/v1/projects").status_code == 200
        scrapes = [httpx.get(f"{running.url}/metrics", timeout=30).text for _ in range(6)]
    finally:
        running.stop()
    assert [sample(text, count, **labels) for text in scrapes] == [12.0] * 6
