"""Sign-in to the web UI with an access token, kept in an HttpOnly, SameSite=Strict cookie."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query
from fastapi.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from memory_service.api.deps import UI_SESSION_COOKIE, StoreDep
from memory_service.errors import Unauthorized
from memory_service.services.access import access
from memory_service.ui.forms import check_csrf, check_form
from memory_service.ui.routing import UiRoute
from memory_service.ui.security import cookie_header
from memory_service.ui.templating import page

SESSION_SECONDS = 8 * 3600

router = APIRouter(prefix="/ui", route_class=UiRoute, include_in_schema=False)


def _local(target: str | None) -> str:
    """Where to go after signing in: a UI page of this site, never another site."""
    if target and target.startswith("/ui") and not target.startswith("//"):
        return target
    return "/ui"


@router.get("/signin")
def signin_page(
    request: Request, next_page: Annotated[str | None, Query(alias="next", max_length=500)] = None
) -> Response:
    """The sign-in form: paste an access token."""
    return page(request, "signin.html", next_page=_local(next_page))


@router.post("/signin", dependencies=[Depends(check_csrf)])
async def signin(
    request: Request,
    store: StoreDep,
    token: Annotated[str, Form(max_length=200)] = "",
    next_page: Annotated[str, Form(alias="next", max_length=500)] = "/ui",
) -> Response:
    """Check the token; on success keep it in the session cookie and go on."""
    try:
        await run_in_threadpool(access.authenticate, store, f"Bearer {token.strip()}")
    except Unauthorized as exc:
        return page(request, "signin.html", 401, next_page=_local(next_page), error=exc.message)
    response = RedirectResponse(_local(next_page), status_code=303)
    secure = request.url.scheme == "https"
    value = cookie_header(
        UI_SESSION_COOKIE, token.strip(), secure=secure, max_age=SESSION_SECONDS
    ).decode()
    response.headers.append("set-cookie", value)
    return response


@router.post("/signout", dependencies=[Depends(check_form)])
def signout(request: Request) -> Response:
    """Forget the session cookie."""
    response = RedirectResponse("/ui/signin", status_code=303)
    secure = request.url.scheme == "https"
    response.headers.append(
        "set-cookie", cookie_header(UI_SESSION_COOKIE, "", secure=secure, max_age=0).decode()
    )
    return response
