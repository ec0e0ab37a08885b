"""The MCP tools over streamable HTTP at /mcp, calling this same app in-process.

The tools are defined once, in `agent_cli.mcp_server`, on top of the agent_cli HTTP
client (see decisions/0031); here that client's transport is the app itself, so a tool
call takes the same route, validation and write path as any REST request. This is the
one place where `memory_service` imports `agent_cli`.

The caller's bearer token is checked, and the request counted against its rate, before a
request reaches the MCP transport; the in-process client forwards the token, so every tool
call meets the same rules as REST, and the request id, so the routes a tool call takes log
under the id of the MCP request that carried it. The transport is stateless
(decisions/0057): no session lives in this process, so any worker or replica answers any
request.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

import httpx
from fastapi import FastAPI

from memory_service.api.deps import checked_principal, client_address
from memory_service.api.errors import HEADERS, STATUS, error_response
from memory_service.errors import RateLimited, Unauthorized
from memory_service.observability.request_id import HEADER, current_request_id
from memory_service.observability.requests import note_token

if TYPE_CHECKING:
    from mcp.server.streamable_http_manager import StreamableHTTPSessionManager

MCP_PATH = "/mcp"
IN_PROCESS_URL = "http://localhost"
# The MCP transport hands each tool call the context of the HTTP request that carried it.
_caller_token: ContextVar[str | None] = ContextVar("mcp_caller_token", default=None)
_caller_address: ContextVar[str] = ContextVar("mcp_caller_address", default="unknown")


class McpAuth:
    """Pure ASGI middleware: /mcp requests need a valid token, which tool calls forward."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(MCP_PATH):
            await self.app(scope, receive, send)
            return
        header = dict(scope.get("headers") or []).get(b"authorization", b"").decode("latin-1")
        state = scope["app"].state
        address = client_address(scope)
        try:
            principal = await checked_principal(state, state.store, header or None, address)
        except (Unauthorized, RateLimited) as exc:
            kind = type(exc)
            response = error_response(
                STATUS[kind], exc.code, exc.message, exc.details, HEADERS[kind](exc)
            )
            await response(scope, receive, send)
            return
        note_token(scope, principal.name)
        _caller_token.set(header.partition(" ")[2].strip() or None)
        _caller_address.set(address)
        await self.app(scope, receive, send)


class _CallerTransport(httpx.ASGITransport):
    """The app in-process, each request carrying the request id of the MCP call it serves."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        request_id = current_request_id()
        if request_id:
            request.headers[HEADER] = request_id
        return await super().handle_async_request(request)


def mount_mcp(app: FastAPI) -> StreamableHTTPSessionManager:
    """Add the /mcp route to `app`; the caller runs the returned manager in its lifespan."""
    from mcp.server.transport_security import TransportSecuritySettings

    from agent_cli.client import ServiceClient
    from agent_cli.mcp_server import Defaults, build_server

    def caller_client() -> ServiceClient:
        # The caller's address, not the transport's default 127.0.0.1: a tool's requests are
        # the caller's, and 127.0.0.1 over its failures must not stop every caller's tools.
        transport = _CallerTransport(app=app, client=(_caller_address.get(), 0))
        # A loopback name: the app's Host allow-list (api/hosts.py) applies to these calls too.
        return ServiceClient(IN_PROCESS_URL, transport=transport, token=_caller_token.get())

    server = build_server(caller_client, Defaults())
    mcp_app = server.streamable_http_app(
        streamable_http_path=MCP_PATH,
        # Every request stands alone and answers with one JSON body: the tools are request
        # and response, and nothing ties a client to the process that served it before.
        stateless_http=True,
        json_response=True,
        # The app-wide HostAllowList checks Host (and Origin on /mcp) the same way on every
        # route; the SDK's own exact-string check would only repeat it, less well.
        transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
    )
    app.router.routes.extend(mcp_app.routes)
    app.add_middleware(McpAuth)
    return server.session_manager
