"""A real Prometheus (Debian's package) scrapes a real service process with an admin token,
as deploy/prometheus.yml does, and its HTTP API gives the request histogram back."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from memory_service.services.access import tokens
from memory_service.settings import Settings
from memory_service.store.db import Database
from tests.factories import memory_body
from tests.support.service import ServiceProcess, free_port, start_service

ROOT = Path(__file__).resolve().parents[2]
INSTALL_HINT = "Debian's prometheus package is missing: run `bash scripts/install --for-tests`"
SCRAPE_CONFIG = """
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: agent-memory
    metrics_path: /metrics
    authorization:
      credentials_file: {token_file}
    static_configs:
      - targets: ["127.0.0.1:{port}"]
"""


def _binary(name: str) -> str:
    found = shutil.which(name) or (
        f"/usr/bin/{name}" if Path(f"/usr/bin/{name}").exists() else None
    )
    if found is None:
        pytest.skip(INSTALL_HINT)
    return found


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[ServiceProcess, str]]:
    """A service process whose store has an admin token, and that token."""
    data = tmp_path / "data"
    db = Database(Settings(data_dir=data).resolved_database_url)
    db.migrate()
    admin = tokens.create_token(db, name="prometheus", role="admin", agent=None, projects=None,
                                actor="test")  # fmt: skip
    db.dispose()
    running = start_service(data)
    try:
        yield running, admin.token
    finally:
        running.stop()


def _until(what: str, probe: Any, process: subprocess.Popen[bytes], log: Path) -> Any:
    """Poll `probe` until it returns something, while Prometheus keeps running."""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text(errors="replace")[-3000:]
        found = probe()
        if found:
            return found
        time.sleep(0.5)
    raise AssertionError(f"Prometheus never showed {what}:\n{log.read_text()[-3000:]}")


def test_prometheus_scrapes_the_service_and_reads_the_request_histogram_back(
    tmp_path: Path, served: tuple[ServiceProcess, str]
) -> None:
    prometheus, promtool = _binary("prometheus"), _binary("promtool")
    service, token = served
    token_file = tmp_path / "token"
    token_file.write_text(token)
    config = tmp_path / "prometheus.yml"
    port = service.url.rsplit(":", 1)[1]
    config.write_text(SCRAPE_CONFIG.format(token_file=token_file, port=port))
    checked = subprocess.run([promtool, "check", "config", str(config)], capture_output=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr

    bearer = {"Authorization": f"Bearer {token}", "X-Request-ID": "seen-by-prometheus"}
    with httpx.Client(base_url=service.url, headers=bearer, timeout=60) as client:
        assert client.post("/v1/memories", json=memory_body()).status_code == 201
        for _ in range(3):
            assert client.get("/v1/projects").status_code == 200
        assert client.get("/metrics", headers={"Authorization": ""}).status_code == 401

    api = f"http://127.0.0.1:{free_port()}"
    log = tmp_path / "prometheus.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [prometheus, f"--config.file={config}", f"--storage.tsdb.path={tmp_path / 'tsdb'}",
             f"--web.listen-address={api.removeprefix('http://')}"],
            stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:

        def target_up() -> Any:
            try:
                targets = httpx.get(f"{api}/api/v1/targets", timeout=5).json()
            except (httpx.TransportError, ValueError):
                return None
            active = targets["data"]["activeTargets"]
            return active if active and active[0]["health"] == "up" else None

        [target] = _until("the service's target up", target_up, process, log)
        assert target["labels"]["job"] == "agent-memory"

        query = (
            'agent_memory_http_request_duration_seconds_bucket{route="/v1/projects",'
            'method="GET",status="200",le="+Inf"}'
        )

        def histogram() -> Any:
            answer = httpx.get(f"{api}/api/v1/query", params={"query": query}, timeout=5).json()
            return answer["data"]["result"]

        [series] = _until("the request histogram", histogram, process, log)
        assert float(series["value"][1]) == 3
        assert series["metric"]["job"] == "agent-memory"
    finally:
        process.terminate()
        process.wait(timeout=30)

    # The service's own log: JSON lines, the requests above under the id they sent.
    lines = [json.loads(line) for line in service.log.read_text().splitlines() if line[:1] == "{"]
    mine = [line for line in lines if line.get("request_id") == "seen-by-prometheus"]
    assert {(line["route"], line["token"]) for line in mine} >= {("/v1/projects", "prometheus")}


def test_the_shipped_scrape_config_passes_promtool() -> None:
    promtool = _binary("promtool")
    checked = subprocess.run(
        [promtool, "check", "config", "--syntax-only", str(ROOT / "deploy" / "prometheus.yml")],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
