"""One metric sample and one log line per HTTP request, by route template, never by path.

The log line holds the method, route template, status, duration, request id and the name
of the token the request spoke with: never the token, a path (it can name a project) or a
body. A request whose handler fails before it answers gets a JSON 500 that names its
request id, so the caller can quote it and the operator find the traceback.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import MutableMapping
from typing import Any

from starlette.routing import Mount

from memory_service.observability import metrics
from memory_service.observability.request_id import current_request_id

log = logging.getLogger("memory_service.access")
# Where the route that authenticated a request leaves its token's name for the log line.
TOKEN_NAME = "agent_memory.token_name"
UNMATCHED = "unmatched"


def note_token(scope: MutableMapping[str, Any], name: str | None) -> None:
    """Record the name of the token a request authenticated with (None: open local mode)."""
    scope[TOKEN_NAME] = name


def _template(route: Any) -> str | None:
    """A route's path template; a mount's covers every path under it."""
    path = getattr(route, "path", None)
    if not isinstance(path, str):
        return None
    return f"{path}/{{path}}" if isinstance(route, Mount) else path


def route_template(scope: dict[str, Any]) -> str:
    """The template of the route that served a request (`/v1/memories/{memory_id}`), or
    'unmatched' when none did: a bounded label, whatever paths clients send."""
    found = _template(scope.get("route"))
    if found is not None:
        return found
    # FastAPI names only its own routes in the scope; a plain Starlette route (/mcp) or a
    # mount (/ui/static) is known by the endpoint it handed the request to.
    endpoint = scope.get("endpoint")
    if endpoint is not None:
        for route in getattr(scope.get("app"), "routes", ()):
            if (
                getattr(route, "endpoint", None) is endpoint
                or getattr(route, "app", None) is endpoint
            ):
                return _template(route) or UNMATCHED
    return UNMATCHED


def _failure_body(request_id: str | None) -> bytes:
    """The JSON error of a request that failed inside, naming what the caller quotes."""
    which = f"request id {request_id}" if request_id else "the time of the request"
    return json.dumps(
        {
            "error": {
                "code": "internal_error",
                "message": f"the service failed on this request: retry later, or report "
                f"{which} to its operator, whose log holds the cause",
                "details": {},
            },
            "request_id": request_id,
        }
    ).encode()


class RequestObserver:
    """Pure ASGI middleware: times each HTTP request, counts it and logs one line for it."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        began = time.perf_counter()
        status = 500
        answered = False

        async def observed(message: dict[str, Any]) -> None:
            nonlocal status, answered
            if message["type"] == "http.response.start":
                status, answered = message["status"], True
            await send(message)

        try:
            await self.app(scope, receive, observed)
        except Exception:
            if not answered:
                await _answer_failure(observed)
            raise
        finally:
            seconds = time.perf_counter() - began
            route = route_template(scope)
            metrics.observe_request(scope["method"], route, status, seconds)
            log.info(
                "request",
                extra={
                    "method": scope["method"],
                    "route": route,
                    "status": status,
                    "duration_ms": round(seconds * 1000, 3),
                    "request_id": current_request_id(),
                    "token": scope.get(TOKEN_NAME),
                },
            )


async def _answer_failure(send: Any) -> None:
    """Answer 500 with `_failure_body`, for a request nothing answered yet."""
    body = _failure_body(current_request_id())
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
    await send({"type": "http.response.start", "status": 500, "headers": headers})
    await send({"type": "http.response.body", "body": body})
