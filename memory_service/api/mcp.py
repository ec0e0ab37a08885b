"""The MCP tools over streamable HTTP at /mcp, calling this same app in-process.

The tools are defined once, in `agent_cli.mcp_server`, on top of the agent_cli HTTP
client (see decisions/0031); here that client's transport is the app itself, so a tool
call takes the same route, validation and write path as any REST request. This is the
one place where `memory_service` imports `agent_cli`.

The caller's bearer token is checked before a request reaches the MCP transport, and is
forwarded by the in-process client, so every tool call meets the same rules as REST.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from memory_service.api.errors import error_response
from memory_service.errors import Unauthorized
from memory_service.services.access import access
from memory_service.settings import Settings

if TYPE_CHECKING:
    from mcp.server.streamable_http_manager import StreamableHTTPSessionManager

MCP_PATH = "/mcp"
LOOPBACK = ("127.0.0.1", "localhost", "::1")
# The MCP transport hands each tool call the context of the HTTP request that carried it.
_caller_token: ContextVar[str | None] = ContextVar("mcp_caller_token", default=None)


class McpAuth:
    """Pure ASGI middleware: /mcp requests need a valid token, which tool calls forward."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(MCP_PATH):
            await self.app(scope, receive, send)
            return
        header = dict(scope.get("headers") or []).get(b"authorization", b"").decode("latin-1")
        try:
            store = scope["app"].state.store
            await run_in_threadpool(access.authenticate, store, header or None)
        except Unauthorized as exc:
            response = error_response(
                401, exc.code, exc.message, exc.details, {"WWW-Authenticate": "Bearer"}
            )
            await response(scope, receive, send)
            return
        _caller_token.set(header.partition(" ")[2].strip() or None)
        await self.app(scope, receive, send)


def mount_mcp(app: FastAPI, settings: Settings) -> StreamableHTTPSessionManager:
    """Add the /mcp route to `app`; the caller runs the returned manager in its lifespan."""
    import httpx
    from mcp.server.transport_security import TransportSecuritySettings

    from agent_cli.client import ServiceClient
    from agent_cli.mcp_server import Defaults, build_server

    transport = httpx.ASGITransport(app=app)
    server = build_server(
        lambda: ServiceClient(
            "http://memory-service", transport=transport, token=_caller_token.get()
        ),
        Defaults(),
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
    app.add_middleware(McpAuth)
    return server.session_manager
