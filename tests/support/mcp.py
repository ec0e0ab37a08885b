"""The MCP SDK's own client on either transport: stdio (`agentmem mcp`) or HTTP (/mcp)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from mcp import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client

from tests.support.agentmem import AGENTMEM, clean_env

TRANSPORTS = ["stdio", "http"]


@asynccontextmanager
async def connect(
    transport: str, url: str, project: str | None, agent: str = "backend-architect"
) -> AsyncIterator[ClientSession]:
    """An initialised MCP client session over the named transport.

    Over stdio, `agentmem mcp` acts as `agent` on `project` (AGENTMEM_*); over HTTP the
    server has no defaults, so calls name their agent and project.
    """
    if transport == "stdio":
        env = {"AGENTMEM_URL": url, "AGENTMEM_AGENT": agent}
        if project:
            env["AGENTMEM_PROJECT"] = project
        params = StdioServerParameters(command=str(AGENTMEM), args=["mcp"], env=clean_env(**env))
        async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
            await session.initialize()
            yield session
    else:
        async with (
            streamable_http_client(f"{url}/mcp") as (read, write),
            ClientSession(read, write) as session,
        ):
            await session.initialize()
            yield session


async def call(session: ClientSession, tool: str, **arguments: Any) -> Any:
    """The tool's structured result; fails the test when the tool reports an error."""
    result = await session.call_tool(tool, arguments)
    assert not result.is_error, result.content
    assert result.structured_content is not None
    content = result.structured_content
    # The SDK wraps an answer that is not an object (a list, a string) as {"result": ...}.
    return content["result"] if set(content) == {"result"} else content


async def refused(session: ClientSession, tool: str, **arguments: Any) -> str:
    """The error text of a call the tool must refuse; fails the test when it succeeds."""
    result = await session.call_tool(tool, arguments)
    assert result.is_error, (tool, arguments, result.structured_content)
    return " ".join(getattr(part, "text", "") for part in result.content)
