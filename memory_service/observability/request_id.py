"""The request id of each HTTP request, kept by asgi-correlation-id's pure ASGI middleware.

A client's `X-Request-ID` is kept when it is safe to log and to echo (letters, digits and
`._:-`, at most 128 characters); any other value, or none, gets a new id. The id goes back
on every response, errors included, is in the request's log lines and error bodies, and
travels with the request's MCP tool calls into the routes they call (decisions/0068).
"""

from __future__ import annotations

import re
from uuid import uuid4

from asgi_correlation_id import CorrelationIdMiddleware, correlation_id
from fastapi import FastAPI

HEADER = "X-Request-ID"
MAX_LENGTH = 128
_SAFE = re.compile(rf"[A-Za-z0-9][A-Za-z0-9._:-]{{0,{MAX_LENGTH - 1}}}")


def acceptable(value: str) -> bool:
    """Whether a client's request id may be kept: no spaces, quotes or control characters
    that could forge a log line or a header, and bounded."""
    return _SAFE.fullmatch(value) is not None


def new_request_id() -> str:
    """A fresh id: 32 hex digits, the form nginx's `$request_id` and trace ids take too."""
    return uuid4().hex


def current_request_id() -> str | None:
    """The id of the request this code runs for (None outside a request)."""
    return correlation_id.get()


def install(app: FastAPI) -> None:
    """Give every request of `app` an id; call it last, so it wraps every other middleware."""
    app.add_middleware(
        CorrelationIdMiddleware,
        header_name=HEADER,
        validator=acceptable,
        generator=new_request_id,
    )
