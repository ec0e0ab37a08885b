"""The MCP transports enforce the REST rules: /mcp forwards the caller's token to the tools,
and `agentmem mcp` sends AGENTMEM_TOKEN; both against a real service process with tokens."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from mcp import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

from memory_service.settings import Settings
from memory_service.store.db import Database
from memory_service.store.embedding.embedder import Embedder
from tests.security.conftest import (
    FOREIGN,
    MCP_HEADERS,
    MCP_INITIALIZE,
    OWN,
    issue_tokens,
    secured_app,
)
from tests.support.agentmem import AGENTMEM, agentmem, clean_env
from tests.support.service import service


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    """A service process whose tokens were created before it started."""
    data = tmp_path_factory.mktemp("mcp-access") / "data"
    db = Database(Settings(data_dir=data).resolved_database_url)
    tokens = issue_tokens(db)
    db.dispose()
    with service(data) as url:
        yield url, tokens


@asynccontextmanager
async def session_over(
    transport: str, url: str, token: str | None, project: str
) -> AsyncIterator[ClientSession]:
    if transport == "stdio":
        env = {"AGENTMEM_URL": url, "AGENTMEM_AGENT": "alice", "AGENTMEM_PROJECT": project}
        if token:
            env["AGENTMEM_TOKEN"] = token
        params = StdioServerParameters(command=str(AGENTMEM), args=["mcp"], env=clean_env(**env))
        async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
            await session.initialize()
            yield session
        return
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with (
        create_mcp_http_client(headers=headers) as http,
        streamable_http_client(f"{url}/mcp", http_client=http) as (read, write),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        yield session


async def remember(session: ClientSession, **arguments: Any) -> tuple[bool, str, Any]:
    result = await session.call_tool("remember", {"content": "An MCP note", **arguments})
    text = result.content[0].text if result.content else ""  # type: ignore[union-attr]
    return result.is_error, text, result.structured_content


def test_mcp_over_http_without_a_valid_token_is_401(served: tuple[str, dict[str, str]]) -> None:
    url, tokens = served
    hello = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {}}
    for headers in ({}, {"Authorization": f"Bearer {tokens['bogus']}"}):
        refused = httpx.post(f"{url}/mcp", json=hello, headers=headers)
        assert refused.status_code == 401
        assert refused.json()["error"]["code"] == "unauthorized"
    revoked = httpx.post(
        f"{url}/mcp", json=hello, headers={"Authorization": f"Bearer {tokens['revoked']}"}
    )
    assert revoked.status_code == 401 and "revoked" in revoked.text


@pytest.mark.parametrize("transport", ["http", "stdio"])
def test_tools_meet_the_same_rules_as_rest(
    transport: str, served: tuple[str, dict[str, str]]
) -> None:
    url, tokens = served
    alice = tokens["agent"]

    async def scenario() -> None:
        async with session_over(transport, url, alice, OWN) as session:
            failed, text, made = await remember(session, project=OWN, agent="alice")
            assert not failed, text
            assert made["agent"] == "alice"
            failed, text, _ = await remember(session, project=FOREIGN, agent="alice")
            assert failed and "forbidden" in text and "may not use project 'lab'" in text
            failed, text, _ = await remember(session, project=OWN, agent="bob")
            assert failed and "acts as 'alice'" in text
            found = await session.call_tool("search", {"query": "MCP note"})
            projects = {r["project"] for r in found.structured_content["result"]}  # type: ignore[index]
            assert projects == {OWN}
        log = httpx.get(
            f"{url}/v1/audit", headers={"Authorization": f"Bearer {tokens['admin']}"}
        ).json()["entries"]
        mine = [e for e in log if e["memory_id"] == made["id"]]
        assert [(e["action"], e["actor"], e["principal"]) for e in mine] == [
            ("created", "alice", "alice-token")
        ]

    anyio.run(scenario)


def test_stdio_with_a_bogus_token_reports_the_services_refusal(
    served: tuple[str, dict[str, str]],
) -> None:
    url, tokens = served

    async def scenario() -> None:
        async with session_over("stdio", url, tokens["bogus"], OWN) as session:
            failed, text, _ = await remember(session, project=OWN)
            assert failed and "unauthorized" in text and "AGENTMEM_TOKEN" in text

    anyio.run(scenario)


def test_the_reviewer_may_not_write_as_the_agent_over_mcp(
    served: tuple[str, dict[str, str]],
) -> None:
    url, tokens = served

    async def scenario() -> None:
        async with session_over("http", url, tokens["reviewer"], OWN) as session:
            failed, text, _ = await remember(session, project=OWN, agent="alice")
            assert failed and "acts as 'rita'" in text
            failed, text, made = await remember(
                session, project=OWN, agent="rita", content="Rita's own MCP note"
            )
            assert not failed and made["agent"] == "rita"

    anyio.run(scenario)


def test_agentmem_with_a_bad_token_says_so_in_one_line_and_exits_1(
    served: tuple[str, dict[str, str]], tmp_path: Path
) -> None:
    url, tokens = served
    ran = agentmem("inbox", cwd=tmp_path, url=url, token=tokens["bogus"], project=OWN)
    assert ran.code == 1
    lines = [line for line in ran.err.splitlines() if line.strip()]
    assert len(lines) == 1 and "AGENTMEM_TOKEN" in lines[0], ran.err
    # The same call with a valid token gets past authentication (whatever the inbox holds).
    ok = agentmem("inbox", cwd=tmp_path, url=url, token=tokens["agent"], project=OWN)
    assert "AGENTMEM_TOKEN" not in ok.err and "401" not in ok.err, ok.err


def test_mcp_over_http_keeps_no_session_between_requests(
    served: tuple[str, dict[str, str]],
) -> None:
    url, tokens = served
    alice = {**MCP_HEADERS, "Authorization": f"Bearer {tokens['agent']}"}
    # Each request on a fresh connection, as a load balancer may send it to another worker.
    opened = httpx.post(f"{url}/mcp", json=MCP_INITIALIZE, headers=alice)
    assert opened.status_code == 200 and opened.json()["result"]["serverInfo"]
    assert "mcp-session-id" not in opened.headers  # nothing to find again, in any process
    version = opened.json()["result"]["protocolVersion"]
    call = {
        "jsonrpc": "2.0",
        "id": 2,
        "method": "tools/call",
        "params": {
            "name": "remember",
            "arguments": {"content": "Stateless note", "project": OWN, "agent": "alice"},
        },
    }
    answered = httpx.post(
        f"{url}/mcp", json=call, headers={**alice, "mcp-protocol-version": version}
    )
    assert answered.status_code == 200, answered.text
    result = answered.json()["result"]
    assert not result["isError"], result
    assert result["structuredContent"]["agent"] == "alice"


def test_mcp_requests_count_in_the_tokens_rate_limit(tmp_path: Path, embedder: Embedder) -> None:
    for s in secured_app(tmp_path / "data", embedder, rate_limit="5/minute"):
        alice = {**MCP_HEADERS, **s.headers("agent")}
        statuses = [
            s.client.post("/mcp", json=MCP_INITIALIZE, headers=alice).status_code for _ in range(6)
        ]
        assert statuses == [200] * 5 + [429]
        limited = s.client.post("/mcp", json=MCP_INITIALIZE, headers=alice)
        assert limited.json()["error"]["code"] == "rate_limited"
        assert 1 <= int(limited.headers["retry-after"]) <= 60
        # One window per token, shared by /mcp and REST.
        assert s.call("agent", "GET", "/v1/projects").status_code == 429
        rita = {**MCP_HEADERS, **s.headers("reviewer")}
        assert s.client.post("/mcp", json=MCP_INITIALIZE, headers=rita).status_code == 200
