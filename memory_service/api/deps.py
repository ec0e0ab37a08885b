"""Dependencies injected into routes as `Annotated` aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from memory_service.api.rate_limit import TokenRateLimit
from memory_service.services.access import access
from memory_service.services.access.access import Principal
from memory_service.store import Store

# The web UI's session: the token a person signed in with (memory_service.ui.signin).
UI_SESSION_COOKIE = "am_session"
# Documents the scheme in OpenAPI; the header itself is read below for exact messages.
bearer = HTTPBearer(auto_error=False, description="A token from `memory-service token create`.")


async def get_store(request: Request) -> Store:
    # async: a plain attribute read, which FastAPI would otherwise run on a worker thread.
    store: Store = request.app.state.store
    return store


StoreDep = Annotated[Store, Depends(get_store)]


async def get_principal(
    request: Request,
    store: StoreDep,
    _: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    """Who the request speaks for; also what its events record and its rate is counted on."""
    return await authenticate_request(request, store)


async def authenticate_request(request: Request, store: Store) -> Principal:
    """The principal of a request's bearer token, counted against its rate limit."""
    header = request.headers.get("authorization")
    session = request.cookies.get(UI_SESSION_COOKIE)
    if not header and session and request.url.path.startswith("/ui"):
        # Only UI pages accept the cookie: the JSON API stays bearer-only, out of CSRF's reach.
        header = f"Bearer {session}"
    principal = await run_in_threadpool(access.authenticate, store, header)
    if principal.token_id is not None:
        limit: TokenRateLimit = request.app.state.rate_limit
        limit.hit(principal.token_id)
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]
