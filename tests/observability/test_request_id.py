"""X-Request-ID: kept when safe, made when absent or unsafe, echoed on every answer (errors
too, in header and body), and carried into the routes an MCP tool call takes."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from memory_service.api import projects
from memory_service.api.app import create_app
from memory_service.settings import Settings
from memory_service.store.embedding.embedder import Embedder
from tests.factories import memory_body
from tests.observability.conftest import CapturedLog, Tokened
from tests.support.service import IN_PROCESS_URL

MADE = re.compile(r"[0-9a-f]{32}")
MCP_HEADERS = {"accept": "application/json, text/event-stream"}


def test_a_request_id_sent_in_is_echoed_and_logged(
    app_client: TestClient, json_log: CapturedLog
) -> None:
    sent = "agent-run-7f3a:step.01"
    answer = app_client.get("/v1/projects", headers={"X-Request-ID": sent})
    assert answer.status_code == 200
    assert answer.headers["x-request-id"] == sent
    [line] = [r for r in json_log.requests() if r["request_id"] == sent]
    assert (line["route"], line["status"], line["method"]) == ("/v1/projects", 200, "GET")


def test_a_request_without_an_id_gets_a_new_one_each_time(app_client: TestClient) -> None:
    ids = [app_client.get("/healthz").headers["x-request-id"] for _ in range(2)]
    assert all(MADE.fullmatch(i) for i in ids), ids
    assert ids[0] != ids[1]


@pytest.mark.parametrize(
    "unsafe",
    ["has space", "x" * 129, "<script>", "-leading-dash", 'quo"te', "a,b", "semi;colon", "a/b"],
)
def test_an_unsafe_or_overlong_request_id_is_replaced(app_client: TestClient, unsafe: str) -> None:
    echoed = app_client.get("/healthz", headers={"X-Request-ID": unsafe}).headers["x-request-id"]
    assert MADE.fullmatch(echoed), echoed


def test_the_longest_accepted_request_id_is_kept(app_client: TestClient) -> None:
    longest = "r" * 128
    assert (
        app_client.get("/healthz", headers={"X-Request-ID": longest}).headers["x-request-id"]
        == longest
    )


def _same_id_in_header_and_body(answer: Any, status: int) -> str:
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert set(body) == {"error", "request_id"}  # the error object itself is unchanged
    assert body["request_id"] == answer.headers["x-request-id"]
    return str(body["request_id"])


def test_error_answers_carry_the_id_in_header_and_body(
    tmp_path: Path, embedder: Embedder, app_client: TestClient, tokened: Tokened
) -> None:
    sent = {"X-Request-ID": "caller-chosen-1"}
    cases = [
        (app_client.get("/v1/memories/01HZZZZZZZZZZZZZZZZZZZZZZZ", headers=sent), 404),
        (app_client.post("/v1/memories", json=memory_body(colour="red"), headers=sent), 422),
        (app_client.get("/v1/projects", headers={**sent, "host": "rebind.example"}), 421),
        (tokened.client.get("/v1/projects", headers=sent), 401),
    ]
    for answer, status in cases:
        assert _same_id_in_header_and_body(answer, status) == "caller-chosen-1"
    settings = Settings(data_dir=tmp_path / "small", max_body_bytes=64)
    with TestClient(create_app(settings, embedder=embedder), base_url=IN_PROCESS_URL) as small:
        too_big = small.post("/v1/memories", json=memory_body(), headers=sent)
        assert _same_id_in_header_and_body(too_big, 413) == "caller-chosen-1"


def test_a_request_that_fails_inside_gets_a_json_500_naming_its_id(
    tmp_path: Path, embedder: Embedder, monkeypatch: pytest.MonkeyPatch, json_log: CapturedLog
) -> None:
    def broken(*_: Any, **__: Any) -> Any:
        raise RuntimeError("the disk caught fire")

    monkeypatch.setattr(projects, "list_projects", broken)
    app = create_app(Settings(data_dir=tmp_path / "data"), embedder=embedder)
    with TestClient(app, base_url=IN_PROCESS_URL, raise_server_exceptions=False) as client:
        failed = client.get("/v1/projects", headers={"X-Request-ID": "fire-1"})
    assert _same_id_in_header_and_body(failed, 500) == "fire-1"
    error = failed.json()["error"]
    assert error["code"] == "internal_error"
    assert "report request id fire-1" in error["message"]
    assert "disk" not in error["message"]  # the cause stays in the operator's log
    [line] = [r for r in json_log.requests() if r["request_id"] == "fire-1"]
    assert line["status"] == 500


def test_an_mcp_tool_call_logs_under_the_id_of_its_mcp_request(
    app_client: TestClient, json_log: CapturedLog
) -> None:
    call = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "tools/call",
        "params": {
            "name": "remember",
            "arguments": {"content": "Tool calls share their request id.", "project": "shop",
                          "agent": "qa-engineer"},
        },
    }  # fmt: skip
    headers = {**MCP_HEADERS, "X-Request-ID": "mcp-session-9:call-3"}
    answer = app_client.post("/mcp", json=call, headers=headers)
    assert answer.status_code == 200
    assert answer.json()["result"]["isError"] is False, answer.text
    assert answer.headers["x-request-id"] == "mcp-session-9:call-3"
    lines = [r for r in json_log.requests() if r["request_id"] == "mcp-session-9:call-3"]
    routes = {(r["method"], r["route"], r["status"]) for r in lines}
    assert routes == {("POST", "/mcp", 200), ("POST", "/v1/memories", 201)}
