"""The MCP tools over streamable HTTP at /mcp, calling this same app in-process.

The tools are defined once, in `agent_cli.mcp_server`, on top of the agent_cli HTTP
client (see decisions/0031); here that client's transport is the app itself, so a tool
call takes the same route, validation and write path as any REST request. This is the
one place where `memory_service` imports `agent_cli`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import FastAPI

from memory_service.settings import Settings

if TYPE_CHECKING:
    from mcp.server.streamable_http_manager import StreamableHTTPSessionManager

MCP_PATH = "/mcp"
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def mount_mcp(app: FastAPI, settings: Settings) -> StreamableHTTPSessionManager:
    """Add the /mcp route to `app`; the caller runs the returned manager in its lifespan."""
    import httpx
    from mcp.server.transport_security import TransportSecuritySettings

    from agent_cli.client import ServiceClient
    from agent_cli.mcp_server import Defaults, build_server

    transport = httpx.ASGITransport(app=app)
    server = build_server(
        lambda: ServiceClient("http://memory-service", transport=transport), Defaults()
    )
    # DNS-rebinding protection guards a loopback-only service from web pages; a service
    # bound to another address is reached by other host names and relies on tokens instead.
    security = (
        TransportSecuritySettings(
            enable_dns_rebinding_protection=True,
            allowed_hosts=["127.0.0.1:*", "localhost:*", "[::1]:*"],
            allowed_origins=["http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*"],
        )
        if settings.host in LOOPBACK
        else TransportSecuritySettings(enable_dns_rebinding_protection=False)
    )
    mcp_app = server.streamable_http_app(streamable_http_path=MCP_PATH, transport_security=security)
    app.router.routes.extend(mcp_app.routes)
    return server.session_manager
