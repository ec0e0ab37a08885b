"""OpenTelemetry tracing is optional: off without the OTEL_* variables, and a service asked
for traces without the `otel` extra installed still serves, saying what to install."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from memory_service.api.app import create_app
from memory_service.observability.tracing import ASKING, wanted
from memory_service.settings import Settings
from memory_service.store.embedding.embedder import Embedder
from tests.support.service import IN_PROCESS_URL

INSTRUMENTATION = "opentelemetry.instrumentation.fastapi"


@pytest.mark.parametrize(
    ("env", "traced"),
    [
        ({}, False),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, True),
        ({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"}, True),
        ({"OTEL_TRACES_EXPORTER": "console"}, True),
        ({"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"}, False),
        ({"OTEL_SDK_DISABLED": "true", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"}, False),
        ({"OTEL_SERVICE_NAME": "agent-memory"}, False),
    ],
)
def test_only_the_standard_variables_turn_tracing_on(env: dict[str, str], traced: bool) -> None:
    assert wanted(env) is traced


def test_tracing_stays_off_by_default(
    tmp_path: Path, embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ASKING:
        monkeypatch.delenv(name, raising=False)
    app = create_app(Settings(data_dir=tmp_path / "data"), embedder=embedder)
    with TestClient(app, base_url=IN_PROCESS_URL) as client:
        assert client.get("/healthz").status_code == 200
    assert INSTRUMENTATION not in sys.modules
    assert not getattr(app, "_is_instrumented_by_opentelemetry", False)


def test_asked_for_traces_without_the_extra_the_service_serves_and_says_what_to_install(
    tmp_path: Path,
    embedder: Embedder,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318")
    monkeypatch.setitem(sys.modules, INSTRUMENTATION, None)  # as if not installed
    caplog.set_level(logging.WARNING, logger="memory_service")
    app = create_app(Settings(data_dir=tmp_path / "data"), embedder=embedder)
    with TestClient(app, base_url=IN_PROCESS_URL) as client:
        assert client.get("/healthz").status_code == 200
    [warning] = [r for r in caplog.records if "OTEL_" in r.getMessage()]
    assert "pip install 'agent-memory[otel]'" in warning.getMessage()
    assert not getattr(app, "_is_instrumented_by_opentelemetry", False)
