"""The Host allow-list of a service bound to loopback: a guard against DNS rebinding.

A web page can make a browser send requests to a name it controls that it has pointed at
127.0.0.1; the browser then sends that name as `Host`. A loopback service answers only to
loopback names (`localhost`, 127.0.0.0/8, `[::1]`, any case) on its own port, on every
route: /v1, /ui and /mcp alike. On /mcp an `Origin`, when sent, must be loopback too: MCP
clients send none, a web page always does. A service bound to another address is reached
by names of its own and relies on tokens (decisions/0051).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Collection
from typing import Any
from urllib.parse import urlsplit

from memory_service.api.errors import error_response
from memory_service.services.access.access import is_loopback

MCP_PREFIX = "/mcp"
ACCEPTED = ("localhost", "127.x.y.z", "[::1]")


def _loopback_name(name: str, *, bracketed: bool) -> bool:
    if not bracketed and name.lower() == "localhost":
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    # An IPv6 address appears in a Host only in brackets, an IPv4 one never does.
    return address.is_loopback and (address.version == 6) == bracketed


def allowed_host(host: str, ports: Collection[int]) -> bool:
    """Whether a Host header names this loopback service: a loopback name, with no port
    or one of `ports`."""
    if host.startswith("["):
        name, closed, rest = host[1:].partition("]")
        if not closed:
            return False
    else:
        name, colon, number = host.partition(":")
        rest = colon + number
    if rest and rest not in {f":{port}" for port in ports}:
        return False
    return _loopback_name(name, bracketed=host.startswith("["))


def allowed_origin(origin: str) -> bool:
    """Whether an Origin header is a page served from this machine (any port)."""
    try:
        parts = urlsplit(origin)
        hostname = parts.hostname
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or not hostname:
        return False
    return _loopback_name(hostname, bracketed=":" in hostname)


class HostAllowList:
    """Pure ASGI middleware: on a loopback bind, refuse a request for another host (421)
    and an /mcp request from another site's page (403)."""

    def __init__(self, app: Any, *, host: str, port: int) -> None:
        self.app = app
        self.active = is_loopback(host)
        self.port = port

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if not self.active or scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        host = headers.get(b"host", b"").decode("latin-1")
        origin = headers.get(b"origin", b"").decode("latin-1")
        server = scope.get("server")
        # The port the request came in on is bound too, even when a server was started
        # on another port than the settings say (`uvicorn --factory --port`).
        port = server[1] if server and server[1] else self.port
        if not allowed_host(host, (self.port, port)):
            response = error_response(
                421,
                "host_not_allowed",
                f"this service listens on loopback and answers only to loopback hosts "
                f"({', '.join(ACCEPTED)}, with no port or port {port}), not "
                f"{repr(host) if host else 'a request without Host'}: use "
                f"http://127.0.0.1:{port} or http://localhost:{port} (to serve other names, "
                "bind the service to another address, with tokens)",
                {"host": host, "accepted": list(ACCEPTED), "port": port},
            )
        elif origin and scope["path"].startswith(MCP_PREFIX) and not allowed_origin(origin):
            response = error_response(
                403,
                "origin_not_allowed",
                f"/mcp answers MCP clients and pages of this machine only, not a page of "
                f"{origin!r}: connect an MCP client (it sends no Origin) instead",
                {"origin": origin},
            )
        else:
            await self.app(scope, receive, send)
            return
        await response(scope, receive, send)
