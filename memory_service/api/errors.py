"""One handler per error class: domain errors become JSON `{"error": {...}}` bodies."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from memory_service import errors
from memory_service.observability.request_id import current_request_id
from memory_service.schemas.errors import ErrorResponse

STATUS = {
    errors.InvalidInput: 422,
    errors.MemoryNotFound: 404,
    errors.ProjectNotFound: 404,
    errors.DecisionConflict: 409,
    errors.StateConflict: 409,
    errors.DecisionStateConflict: 409,
    errors.PayloadTooLarge: 413,
    errors.ScanBudgetExceeded: 413,
    errors.RollbackTargetUnknown: 409,
    errors.NothingToRollBack: 409,
    errors.RollbackNotFound: 404,
    errors.Unauthorized: 401,
    errors.Forbidden: 403,
    errors.RateLimited: 429,
    errors.SecretRejected: 422,
}
# Headers a client needs to act on the error: how to authenticate, when to retry.
HEADERS = {
    errors.Unauthorized: lambda exc: {"WWW-Authenticate": "Bearer"},
    errors.RateLimited: lambda exc: {"Retry-After": str(exc.details.get("retry_after", 1))},
}


# Documented on every API route, so clients (and schema-driven tests) know each error's body.
RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse, "description": text}
    for status, text in {
        400: "Malformed JSON.",
        401: "No valid token: missing, unknown or revoked.",
        403: "The token's role, agent or projects do not allow this.",
        404: "No such memory, handoff, project or rollback (or not visible to the token).",
        409: "The change conflicts with the current state.",
        413: "The body, batch or content is over a limit.",
        422: "A value breaks a rule; the message names it and says what to fix.",
        429: "Over the token's rate limit; retry after the Retry-After header's seconds.",
    }.items()
}


def error_response(
    status: int,
    code: str,
    message: str,
    details: Any = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = {
        "error": {"code": code, "message": message, "details": details or {}},
        # The id a caller quotes to the operator, who finds the request's log lines by it.
        "request_id": current_request_id(),
    }
    return JSONResponse(status_code=status, content=body, headers=headers)


def _location(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body",)]
    return ".".join(parts) or "body"


def _describe(err: dict[str, Any]) -> str:
    msg = str(err.get("msg", "invalid value")).removeprefix("Value error, ")
    return f"{_location(tuple(err.get('loc', ())))}: {msg}"


async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
    errs = list(exc.errors())
    if any(e.get("type") == "json_invalid" for e in errs):
        return error_response(
            400,
            "malformed_json",
            "the request body is not valid JSON: send a JSON object",
            {"errors": [{"loc": list(e.get("loc", ())), "msg": e.get("msg")} for e in errs]},
        )
    message = "; ".join(_describe(e) for e in errs[:5])
    details = {
        "errors": [
            {"loc": list(e.get("loc", ())), "msg": str(e.get("msg")), "type": e.get("type")}
            for e in errs
        ]
    }
    return error_response(422, "invalid_request", message, details)


def _domain(status: int) -> Any:
    async def handler(_: Request, exc: errors.DomainError) -> JSONResponse:
        headers = HEADERS[type(exc)](exc) if type(exc) in HEADERS else None
        return error_response(status, exc.code, exc.message, exc.details, headers)

    return handler


async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
    code = {404: "not_found", 405: "method_not_allowed", 413: "payload_too_large"}.get(
        exc.status_code, "http_error"
    )
    return error_response(exc.status_code, code, str(exc.detail))


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http)  # type: ignore[arg-type]
    for cls, status in STATUS.items():
        app.add_exception_handler(cls, _domain(status))
