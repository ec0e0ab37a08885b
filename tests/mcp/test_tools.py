"""The MCP SDK's own client against both transports: stdio (`agentmem mcp`) and HTTP (/mcp)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import anyio
import httpx
import httpx2
import pytest
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client

from tests.support.mcp import call, connect
from tests.support.service import free_port, service

REQUIRED_TOOLS = {"remember", "recall", "search", "rollback", "checkpoint", "handoff", "inbox"}


@pytest.fixture(scope="module")
def service_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with service(tmp_path_factory.mktemp("service") / "data") as url:
        yield url


@pytest.mark.parametrize("transport", ["stdio", "http"])
def test_every_tool_works_against_the_real_service(
    transport: str, service_url: str, tmp_path: Path
) -> None:
    project = f"mcp-{transport}"
    # Over HTTP the server has no configured agent or project: calls name them.
    who: dict[str, str] = {} if transport == "stdio" else {"project": project}
    me = {**who, **({} if transport == "stdio" else {"agent": "backend-architect"})}

    async def scenario() -> None:
        async with connect(transport, service_url, project) as session:
            tools = {t.name: t for t in (await session.list_tools()).tools}
            assert REQUIRED_TOOLS <= set(tools)
            for tool in tools.values():
                assert tool.description and len(tool.description) > 40
                for name, prop in tool.input_schema["properties"].items():
                    assert prop.get("description"), (tool.name, name)

            first = await call(
                session, "remember", kind="decision", title="Orders live in PostgreSQL",
                content="Orders are stored in PostgreSQL.", topic="database-schema",
                reasoning="Multi-row transactions.", **me,
            )  # fmt: skip
            assert first["status"] == "accepted" and first["project"] == project
            good = await call(session, "checkpoint", label="qa-passed", known_good=True, **me)
            assert good["known_good"] is True
            second = await call(
                session, "remember", kind="decision", title="Orders live in DynamoDB",
                content="Orders move to DynamoDB.", topic="database-schema",
                reasoning="Write scale.", supersedes=first["id"], **me,
            )  # fmt: skip
            found = await call(session, "search", query="where are orders stored", **who)
            assert [r["id"] for r in found][:1] == [second["id"]]

            handed = await call(
                session, "handoff", to_agent="frontend-developer",
                summary="Orders API ready", pending=["Pagination"], refs=[second["id"]], **me,
            )  # fmt: skip
            assert handed["state"] == "open"
            inbox = await call(session, "inbox", agent="frontend-developer", project=project)
            assert [h["id"] for h in inbox] == [handed["id"]]
            acked = await call(
                session, "acknowledge_handoff", handoff_id=handed["id"],
                agent="frontend-developer", note="on it",
            )  # fmt: skip
            assert acked["state"] == "acknowledged"
            context = await call(session, "recall", agent="frontend-developer", project=project)
            assert handed["id"] in context and "Orders live in DynamoDB" in context

            dry = await call(session, "rollback", dry_run=True, **me)
            assert second["id"] in {c["memory_id"] for c in dry["changes"]}
            rolled = await call(session, "rollback", **me)
            current = httpx.get(f"{service_url}/v1/memories/{first['id']}").json()
            assert current["status"] == "accepted"
            undone = await call(
                session, "undo_rollback", rollback_id=rolled["id"], agent="backend-architect"
            )
            assert undone["undo_of"] == rolled["id"]
            assert httpx.get(f"{service_url}/v1/memories/{second['id']}").json()["status"] == (
                "accepted"
            )
            closed = await call(
                session, "complete_handoff", handoff_id=handed["id"],
                agent="frontend-developer", note="merged",
            )  # fmt: skip
            assert closed["state"] == "completed"

    anyio.run(scenario)


def test_tool_errors_carry_the_services_message_over_http(service_url: str) -> None:
    async def scenario() -> None:
        async with connect("http", service_url, None) as session:
            missing = await session.call_tool("remember", {"content": "x"})
            assert missing.is_error
            assert "project is required" in missing.content[0].text  # type: ignore[union-attr]
            bad = await session.call_tool(
                "handoff",
                {"to_agent": "Front End", "summary": "x", "project": "p", "agent": "a"},
            )
            assert bad.is_error
            assert "not a slug" in bad.content[0].text  # type: ignore[union-attr]

    anyio.run(scenario)


def test_stdio_server_reports_an_unreachable_service_in_the_tool_result(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"

    async def scenario() -> None:
        async with connect("stdio", url, "shop") as session:
            result = await session.call_tool("recall", {})
            assert result.is_error
            text = result.content[0].text  # type: ignore[union-attr]
            assert "memory-service" in text and url in text

    anyio.run(scenario)


def test_http_transport_refuses_a_foreign_host_header(service_url: str) -> None:
    body = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
    port = service_url.rsplit(":", 1)[1]
    headers = {
        "content-type": "application/json",
        "accept": "application/json, text/event-stream",
    }
    for host in ("evil.example:80", f"rebind.evil.example:{port}", "localhost:1"):
        response = httpx.post(
            f"{service_url}/mcp", content=json.dumps(body), headers={**headers, "host": host}
        )
        assert response.status_code == 421
        assert response.json()["error"]["code"] == "host_not_allowed"
    # Loopback names in any case and form, on the service's port, are this service.
    for host in (f"LOCALHOST:{port}", f"[::1]:{port}", f"127.0.0.2:{port}"):
        response = httpx.post(
            f"{service_url}/mcp", content=json.dumps(body), headers={**headers, "host": host}
        )
        assert response.status_code == 200, (host, response.text)


def test_an_sdk_client_needs_no_session_and_no_kept_connection(service_url: str) -> None:
    project = "mcp-stateless"
    me = {"project": project, "agent": "backend-architect"}
    session_ids: list[str | None] = []

    async def note(response: httpx2.Response) -> None:
        session_ids.append(response.headers.get("mcp-session-id"))

    async def scenario() -> None:
        # No connection is kept: every request goes on a fresh one, as it would to
        # whichever worker or replica a load balancer picks.
        http = httpx2.AsyncClient(
            limits=httpx2.Limits(max_keepalive_connections=0),
            event_hooks={"response": [note]},
            timeout=60,
        )
        async with (
            http,
            streamable_http_client(f"{service_url}/mcp", http_client=http) as (read, write),
            ClientSession(read, write) as session,
        ):
            await session.initialize()
            made = await call(session, "remember", content="Stateless transport chosen.", **me)
            found = await call(session, "search", query="stateless transport", project=project)
            assert [r["id"] for r in found][:1] == [made["id"]]

    anyio.run(scenario)
    assert len(session_ids) >= 3 and set(session_ids) == {None}
