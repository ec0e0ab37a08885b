"""Failed authentication is limited per client address: past the limit, every request from
that address is refused (429) before its token is looked at, on /v1, /ui sign-in and /mcp."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from memory_service.settings import Settings
from tests.security.conftest import (
    MCP_HEADERS,
    MCP_INITIALIZE,
    OWN,
    Secured,
    secured_app,
    sign_in,
)
from tests.support.service import IN_PROCESS_URL

LIMIT = "3/minute"


@pytest.fixture
def guarded(tmp_path: Any, embedder: Any) -> Iterator[Secured]:
    """A secured app that lets one address fail three times a minute."""
    yield from secured_app(tmp_path / "data", embedder, auth_failure_limit=LIMIT)


def mcp(client: TestClient, token: str) -> Any:
    headers = {**MCP_HEADERS, "Authorization": f"Bearer {token}"}
    return client.post("/mcp", json=MCP_INITIALIZE, headers=headers)


def test_after_the_limit_an_address_is_refused_even_with_a_valid_token(guarded: Secured) -> None:
    s = guarded
    # Failures count wherever a token is checked: the API, the UI's sign-in and /mcp.
    assert s.call("bogus", "GET", "/v1/projects").status_code == 401
    assert sign_in(s.client, s.tokens["bogus"]).status_code == 401
    assert mcp(s.client, s.tokens["revoked"]).status_code == 401

    blocked = s.call("admin", "GET", "/v1/projects")
    assert blocked.status_code == 429
    assert 1 <= int(blocked.headers["retry-after"]) <= 60
    error = blocked.json()["error"]
    assert error["code"] == "rate_limited" and "wrong token" in error["message"]
    assert "MEMORY_AUTH_FAILURE_LIMIT" in error["message"]
    refused_mcp = mcp(s.client, s.tokens["admin"])
    assert refused_mcp.status_code == 429 and "retry-after" in refused_mcp.headers
    refused_ui = sign_in(s.client, s.tokens["admin"])
    assert refused_ui.status_code == 429 and "retry-after" in refused_ui.headers
    assert "wrong token" in refused_ui.text


def test_other_addresses_are_not_held_back(guarded: Secured) -> None:
    s = guarded
    for _ in range(3):
        assert s.call("bogus", "GET", "/v1/projects").status_code == 401
    assert s.call("admin", "GET", "/v1/projects").status_code == 429
    elsewhere = TestClient(s.client.app, base_url=IN_PROCESS_URL, client=("192.0.2.7", 40000))
    answered = elsewhere.get("/v1/projects", headers=s.headers("admin"))
    assert answered.status_code == 200


def test_a_tool_call_over_mcp_speaks_from_its_callers_address(guarded: Secured) -> None:
    s = guarded
    local = TestClient(s.client.app, base_url=IN_PROCESS_URL, client=("127.0.0.1", 40000))
    for _ in range(3):
        assert local.get("/v1/projects", headers=s.headers("bogus")).status_code == 401
    assert local.get("/v1/projects", headers=s.headers("admin")).status_code == 429
    # Another address's tool call makes its REST requests in-process, as that address.
    arguments = {"content": "Made from afar", "project": OWN, "agent": "alice"}
    call = {
        "jsonrpc": "2.0",
        "id": 2,
        "method": "tools/call",
        "params": {"name": "remember", "arguments": arguments},
    }
    headers = {**MCP_HEADERS, **s.headers("agent"), "mcp-protocol-version": "2025-06-18"}
    remote = TestClient(s.client.app, base_url=IN_PROCESS_URL, client=("192.0.2.7", 40000))
    result = remote.post("/mcp", json=call, headers=headers).json()["result"]
    assert not result["isError"], result
    assert result["structuredContent"]["agent"] == "alice"


def test_requests_without_a_token_guess_nothing_and_are_not_counted(guarded: Secured) -> None:
    s = guarded
    for _ in range(5):
        assert s.call("none", "GET", "/v1/projects").status_code == 401
    assert s.call("admin", "GET", "/v1/projects").status_code == 200


def test_valid_tokens_are_not_failures(guarded: Secured) -> None:
    s = guarded
    for _ in range(5):
        assert s.call("agent", "GET", "/v1/projects").status_code == 200
    assert s.call("bogus", "GET", "/v1/projects").status_code == 401


def test_a_limit_that_is_no_rate_is_refused_at_start_with_how_to_write_one() -> None:
    from memory_service.api.app import create_app
    from memory_service.errors import InvalidInput

    with pytest.raises(InvalidInput, match="MEMORY_AUTH_FAILURE_LIMIT='often'.*20/minute"):
        create_app(Settings(auth_failure_limit="often"))
