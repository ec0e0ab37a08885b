"""What every page route of the web UI shares: refusals as HTML pages, and the reading of
query and form values (empty means unset; names are slugs)."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Query
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from memory_service.api.errors import STATUS
from memory_service.errors import DomainError, InvalidInput, MemoryNotFound, RollbackNotFound
from memory_service.schemas.fields import check_slug
from memory_service.ui.templating import page

Text = Annotated[str | None, Query(max_length=200)]
SECTIONS = ("decisions", "handoffs", "checkpoints")


class UiRoute(APIRoute):
    """A route whose refusals are HTML pages that say what to fix, not JSON bodies."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except DomainError as exc:
                status = STATUS.get(type(exc), 400)
                return page(
                    request,
                    "error.html",
                    status,
                    status=status,
                    message=exc.message,
                    **_within_project(request, exc),
                )
            except RequestValidationError as exc:
                message = "; ".join(
                    f"{'.'.join(str(p) for p in e['loc'][1:])}: {e['msg']}" for e in exc.errors()
                )
                return page(request, "error.html", 422, status=422, message=message)

        return guarded


def _within_project(request: Request, exc: DomainError) -> dict[str, str]:
    """The project and section of a page whose memory or rollback is unknown, so the error
    page keeps the project's navigation. Only then: the project itself passed its checks."""
    project = request.path_params.get("project")
    if not project or not isinstance(exc, MemoryNotFound | RollbackNotFound):
        return {}
    path = request.url.path
    section = next((s for s in SECTIONS if f"/{project}/{s}" in path), "decisions")
    if "/rollbacks/" in path:
        section = "checkpoints"
    return {"project": project, "section": section}


def optional(value: str | None) -> str | None:
    """A query or form value, with the empty string of an unset field as None."""
    return value.strip() if value and value.strip() else None


def canonical(request: Request) -> Response | None:
    """A redirect to the same page without empty query values (what a bare form sends)."""
    params = request.query_params.multi_items()
    kept = [(k, v) for k, v in params if v.strip()]
    if len(kept) == len(params):
        return None
    url = request.url.replace(query=urlencode(kept))
    return RedirectResponse(str(url), status_code=303)


def slug(name: str, value: str | None) -> str | None:
    """A form value that must be a slug (a name such as 'qa-lead'), or None when empty."""
    value = optional(value)
    if value is None:
        return None
    try:
        return check_slug(value)
    except ValueError as exc:
        raise InvalidInput(f"{name}: {exc}") from exc
