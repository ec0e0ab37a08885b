"""Sign-in to the web UI with an access token, which opens a server-side session; the
browser keeps only the session id, in an HttpOnly, SameSite=Strict cookie."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query
from fastapi.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from memory_service.api.deps import (
    UI_SESSION_COOKIE,
    StoreDep,
    checked_principal,
    client_address,
)
from memory_service.errors import RateLimited, Unauthorized
from memory_service.services.access import ui_sessions
from memory_service.ui.forms import check_csrf, check_form
from memory_service.ui.routing import UiRoute
from memory_service.ui.security import cookie_header
from memory_service.ui.templating import page

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
    """Check the token; on success open a session, keep its id in the cookie and go on."""
    try:
        principal = await checked_principal(
            request.app.state, store, f"Bearer {token.strip()}", client_address(request.scope)
        )
    except (Unauthorized, RateLimited) as exc:
        status = 401 if isinstance(exc, Unauthorized) else 429
        refused = page(
            request, "signin.html", status, next_page=_local(next_page), error=exc.message
        )
        if isinstance(exc, RateLimited):
            refused.headers["Retry-After"] = str(exc.details["retry_after"])
        return refused
    token_id = principal.token_id
    assert token_id is not None  # a bearer token always names its record
    lifetime = store.settings.ui_session_seconds
    previous = request.cookies.get(UI_SESSION_COOKIE)
    if previous:
        # A fresh id at every sign-in: an id planted in this browser before is worth nothing.
        await run_in_threadpool(ui_sessions.end_session, store.db, previous)
    session_id = await run_in_threadpool(
        ui_sessions.open_session,
        store.db,
        token_id=token_id,
        lifetime=timedelta(seconds=lifetime),
    )
    response = RedirectResponse(_local(next_page), status_code=303)
    secure = request.url.scheme == "https"
    value = cookie_header(UI_SESSION_COOKIE, session_id, secure=secure, max_age=lifetime)
    response.headers.append("set-cookie", value.decode())
    return response


@router.post("/signout", dependencies=[Depends(check_form)])
async def signout(request: Request, store: StoreDep) -> Response:
    """End the session on the server and forget its cookie."""
    session_id = request.cookies.get(UI_SESSION_COOKIE)
    if session_id:
        await run_in_threadpool(ui_sessions.end_session, store.db, session_id)
    response = RedirectResponse("/ui/signin", status_code=303)
    secure = request.url.scheme == "https"
    response.headers.append(
        "set-cookie", cookie_header(UI_SESSION_COOKIE, "", secure=secure, max_age=0).decode()
    )
    return response
