"""The app in-process with its log captured as the service writes it, and metric readings.

The metrics live in one registry per process (as Prometheus client libraries keep them),
so tests compare a reading before and after what they do, never an absolute count.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from memory_service.api.app import create_app
from memory_service.observability import logs
from memory_service.observability.metrics import enable_metrics
from memory_service.services.access import tokens
from memory_service.settings import Settings
from memory_service.store.db import Database
from memory_service.store.embedding.embedder import Embedder
from tests.support.service import IN_PROCESS_URL


@dataclass
class CapturedLog:
    """The service's log lines, as the configured JSON formatter wrote them."""

    stream: io.StringIO

    def lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.stream.getvalue().splitlines() if line]

    def requests(self) -> list[dict[str, Any]]:
        """The one-per-request lines."""
        return [line for line in self.lines() if line.get("logger") == "memory_service.access"]


@pytest.fixture
def json_log() -> Iterator[CapturedLog]:
    """The process's log configured as `memory-service` configures it, into a buffer."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    captured = CapturedLog(io.StringIO())
    logs.configure("json", "info", stream=captured.stream)
    try:
        yield captured
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample in Prometheus text (0 when absent)."""
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                return float(s.value)
    return 0.0


@pytest.fixture
def app_client(tmp_path: Path, embedder: Embedder) -> Iterator[TestClient]:
    """The app in open local mode on an embedded store."""
    settings = Settings(data_dir=tmp_path / "data")
    with TestClient(create_app(settings, embedder=embedder), base_url=IN_PROCESS_URL) as client:
        yield client


@dataclass
class Tokened:
    client: TestClient
    admin: str
    agent: str

    def as_(self, token: str | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"} if token else {}


def issue(data_dir: Path) -> tuple[str, str]:
    """An admin token and an agent token (alice, project shop) in a new store."""
    db = Database(Settings(data_dir=data_dir).resolved_database_url)
    db.migrate()
    admin = tokens.create_token(db, name="ops", role="admin", agent=None, projects=None, actor="t")
    agent = tokens.create_token(
        db, name="alice-token", role="agent", agent="alice", projects=["shop"], actor="t"
    )
    db.dispose()
    return admin.token, agent.token


@pytest.fixture
def tokened(tmp_path: Path, embedder: Embedder) -> Iterator[Tokened]:
    """The app with an admin and an agent token, and a rate limit of three a minute."""
    data = tmp_path / "tokened"
    admin, agent = issue(data)
    settings = Settings(data_dir=data, rate_limit="3/minute")
    with TestClient(create_app(settings, embedder=embedder), base_url=IN_PROCESS_URL) as client:
        yield Tokened(client, admin, agent)


@pytest.fixture(autouse=True)
def metrics_back_on() -> Iterator[None]:
    """A test that turns metrics off leaves them on for the next."""
    yield
    enable_metrics(True)
