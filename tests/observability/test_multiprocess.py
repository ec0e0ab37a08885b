"""Several worker processes, one scrape: the samples of every worker add up through
PROMETHEUS_MULTIPROC_DIR, and a worker that is gone stops counting in the live gauges."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from memory_service.observability.metrics import MULTIPROC_ENV, worker_metrics_dir
from tests.observability.conftest import sample

WORKER = """
import sys
from memory_service.observability import metrics
metrics.observe_request("GET", "/v1/projects", 200, 0.004)
metrics.pool_checkout("read", 1)
print("recorded", flush=True)
sys.stdin.readline()  # a live worker until the test closes its stdin
"""
SCRAPER = """
from memory_service.observability import metrics
metrics.forget_dead_workers()
print(metrics.render()[0].decode())
"""


def _python(code: str, directory: Path, **kwargs: object) -> subprocess.Popen[str]:
    env = {**os.environ, MULTIPROC_ENV: str(directory)}
    return subprocess.Popen(
        [sys.executable, "-c", code], env=env, text=True, stdout=subprocess.PIPE, **kwargs
    )  # type: ignore[call-overload]


def _scrape(directory: Path) -> str:
    scraper = _python(SCRAPER, directory)
    out, _ = scraper.communicate(timeout=60)
    assert scraper.returncode == 0
    return str(out)


def test_every_workers_samples_add_up_and_dead_workers_leave_the_live_gauges(
    tmp_path: Path,
) -> None:
    workers = [_python(WORKER, tmp_path, stdin=subprocess.PIPE) for _ in range(3)]
    for worker in workers:
        assert worker.stdout is not None and worker.stdout.readline().strip() == "recorded"
    count = "agent_memory_http_request_duration_seconds_count"
    labels = {"method": "GET", "route": "/v1/projects", "status": "200"}
    in_use = "agent_memory_db_pool_connections_in_use"
    while_running = _scrape(tmp_path)
    assert sample(while_running, count, **labels) == 3
    assert sample(while_running, in_use, engine="read") == 3
    workers[0].communicate("\n", timeout=60)  # one worker stops (it never said so)
    one_gone = _scrape(tmp_path)
    assert sample(one_gone, count, **labels) == 3  # what it served still counts
    assert sample(one_gone, in_use, engine="read") == 2
    for worker in workers[1:]:
        worker.communicate("\n", timeout=60)


def test_the_launcher_gives_each_run_a_fresh_directory_and_removes_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(MULTIPROC_ENV, raising=False)
    with worker_metrics_dir():
        made = Path(os.environ[MULTIPROC_ENV])
        assert made.is_dir() and not any(made.iterdir())
    assert MULTIPROC_ENV not in os.environ
    assert not made.exists()


def test_an_operators_directory_is_kept(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(MULTIPROC_ENV, str(tmp_path))
    with worker_metrics_dir():
        assert os.environ[MULTIPROC_ENV] == str(tmp_path)
    assert os.environ[MULTIPROC_ENV] == str(tmp_path) and tmp_path.is_dir()
