"""What goes wrong between agentmem and the service, as exceptions that carry the service's
own explanation (or, for a request refused before sending, the one it would give)."""

from __future__ import annotations

from typing import Any

import httpx
from pydantic import ValidationError

START_HINT = "start it with `memory-service` (or point AGENTMEM_URL at a running one)"
REQUEST_ID_HEADER = "X-Request-ID"


class ServiceUnreachable(Exception):
    """No answer from the service: it is not running, or the URL is wrong."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"cannot reach the memory service at {url} ({reason}): {START_HINT}")
        self.url = url


class ServiceError(Exception):
    """The service answered with an error; `message` is its explanation, `request_id` the
    id the service logged the request under (None for a request refused before sending)."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: Any = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details or {}
        self.request_id = request_id

    def as_json(self) -> dict[str, Any]:
        error = {"code": self.code, "message": self.message, "details": self.details}
        return {"error": error, "request_id": self.request_id}


def error_of(response: httpx.Response) -> ServiceError:
    """The service's error answer as a ServiceError, with a hint on 401 and 403."""
    try:
        body = response.json()["error"]
        code, message, details = body["code"], body["message"], body.get("details")
    except (ValueError, KeyError, TypeError):
        code, details = "http_error", None
        message = f"HTTP {response.status_code}: {response.text.strip()[:200] or 'no body'}"
    if response.status_code in (401, 403):
        message += " (set AGENTMEM_TOKEN or --token to a token this service accepts)"
    # The header is on every answer of the service, whatever its body.
    request_id = response.headers.get(REQUEST_ID_HEADER)
    return ServiceError(response.status_code, code, message, details, request_id)


def _where(loc: tuple[int | str, ...]) -> str:
    """A validation error's location as the service names fields."""
    return ".".join(str(part) for part in loc) or "body"


def invalid_request(exc: ValidationError) -> ServiceError:
    """A request refused before it is sent, in the words the service uses for a 422."""
    errors = exc.errors()
    message = "; ".join(
        f"{_where(e['loc'])}: {e['msg'].removeprefix('Value error, ')}" for e in errors[:5]
    )
    details = [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in errors]
    return ServiceError(422, "invalid_request", message, {"errors": details})


def unexpected(method: str, path: str, exc: ValidationError) -> ServiceError:
    """An answer the shared schemas do not accept: the service and agentmem differ in version."""
    first = exc.errors()[0]
    message = (
        f"its answer to {method} {path} does not fit agentmem's schemas "
        f"({_where(first['loc'])}: {first['msg']}): use agentmem and a service of one version"
    )
    return ServiceError(502, "unexpected_response", message)
