"""The service's log: one JSON line per request with its fields and no secret or content,
readable lines on a terminal, and every line of a request under its request id."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from memory_service.api.app import create_app
from memory_service.observability import logs
from memory_service.settings import Settings
from memory_service.store.embedding.embedder import Embedder
from tests.observability.conftest import CapturedLog, Tokened
from tests.support.service import IN_PROCESS_URL

CONTENT = "The nightly export keeps seven generations."


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def restored_root() -> Iterator[None]:
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_a_request_is_one_json_line_naming_its_token_never_holding_it(
    tokened: Tokened, json_log: CapturedLog
) -> None:
    headers = {**tokened.as_(tokened.agent), "X-Request-ID": "log-line-1"}
    body = {"project": "shop", "agent": "alice", "kind": "note", "content": CONTENT}
    made = tokened.client.post("/v1/memories", json=body, headers=headers)
    assert made.status_code == 201, made.text
    read = tokened.client.get(f"/v1/memories/{made.json()['id']}", headers=headers)
    assert read.status_code == 200
    lines = [r for r in json_log.requests() if r["request_id"] == "log-line-1"]
    assert [(r["method"], r["route"], r["status"]) for r in lines] == [
        ("POST", "/v1/memories", 201),
        ("GET", "/v1/memories/{memory_id}", 200),
    ]
    for line in lines:
        assert set(line) == {
            "event", "level", "logger", "timestamp", "method", "route", "status",
            "duration_ms", "request_id", "token",
        }  # fmt: skip
        assert line["event"] == "request" and line["level"] == "info"
        assert line["token"] == "alice-token"
        assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    # Every line of the service (TestClient's own client logs under httpx2, not it).
    text = json.dumps([line for line in json_log.lines() if line["logger"] != "httpx2"])
    for secret in (tokened.agent, CONTENT, made.json()["id"]):
        assert secret not in text


def test_open_local_mode_requests_log_no_token_name(
    app_client: TestClient, json_log: CapturedLog
) -> None:
    app_client.get("/v1/projects", headers={"X-Request-ID": "open-1"})
    [line] = [r for r in json_log.requests() if r["request_id"] == "open-1"]
    assert line["token"] is None


def test_lines_written_while_a_request_runs_carry_its_id(
    tmp_path: Path, embedder: Embedder, json_log: CapturedLog
) -> None:
    app = create_app(Settings(data_dir=tmp_path / "data"), embedder=embedder)

    @app.get("/probe")
    def probe() -> dict[str, str]:
        logging.getLogger("memory_service.probe").warning("deep inside a request")
        return {}

    with TestClient(app, base_url=IN_PROCESS_URL) as client:
        client.get("/probe", headers={"X-Request-ID": "deep-1"})
    [line] = [line for line in json_log.lines() if line["logger"] == "memory_service.probe"]
    assert line["request_id"] == "deep-1"
    assert line["event"] == "deep inside a request" and line["level"] == "warning"


def test_a_terminal_gets_readable_lines_and_a_pipe_gets_json(restored_root: None) -> None:
    terminal, pipe = Terminal(), io.StringIO()
    access = logging.getLogger("memory_service.access")
    fields = {"method": "GET", "route": "/v1/projects", "status": 200, "duration_ms": 1.5}
    logs.configure("auto", "info", stream=terminal)
    access.info("request", extra=fields)
    logs.configure("auto", "info", stream=pipe)
    access.info("request", extra=fields)
    readable = terminal.getvalue()
    plain = re.sub(r"\x1b\[[0-9;]*m", "", readable)  # a terminal gets colours
    assert "request" in plain and "route=/v1/projects" in plain and "status=200" in plain
    with pytest.raises(json.JSONDecodeError):
        json.loads(readable.splitlines()[0])
    [line] = [json.loads(text) for text in pipe.getvalue().splitlines()]
    assert {k: line[k] for k in fields} == fields
    # Configuring again replaced the handler: the terminal got nothing more.
    assert readable == terminal.getvalue() and len(readable.splitlines()) == 1


def test_uvicorns_colour_copies_stay_out_of_json(restored_root: None) -> None:
    pipe = io.StringIO()
    logs.configure("json", "info", stream=pipe)
    logging.getLogger("uvicorn.error").info(
        "Started server process [%d]", 42, extra={"color_message": "\x1b[1mStarted\x1b[0m"}
    )
    line = json.loads(pipe.getvalue())
    assert line["event"] == "Started server process [42]"
    assert "color_message" not in line
