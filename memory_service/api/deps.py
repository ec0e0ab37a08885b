"""Dependencies injected into routes as `Annotated` aliases."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from memory_service.api.rate_limit import AuthFailureLimit, TokenRateLimit
from memory_service.errors import Unauthorized
from memory_service.observability import metrics
from memory_service.observability.requests import note_token
from memory_service.services.access import access, ui_sessions
from memory_service.services.access.access import Principal
from memory_service.store import Store

# The web UI's session id, which a person got by signing in (memory_service.ui.signin).
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


def client_address(scope: Mapping[str, Any]) -> str:
    """The address a request came from, which failed authentications are counted on."""
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def _count(state: Any, principal: Principal) -> Principal:
    if principal.token_id is not None:
        limit: TokenRateLimit = state.rate_limit
        limit.hit(principal.token_id)
    return principal


async def checked_principal(
    state: Any, store: Store, authorization: str | None, address: str
) -> Principal:
    """The principal of an `Authorization` value, counted against its token's rate; while
    `address` is over its failed authentications, refused before the token is looked at."""
    failures: AuthFailureLimit = state.auth_failures
    failures.check(address)
    try:
        principal = await run_in_threadpool(access.authenticate, store, authorization)
    except Unauthorized:
        guessed = bool(authorization and authorization.strip())
        metrics.count_auth_failure("invalid" if guessed else "missing")
        if guessed:
            # A wrong token is a guess; a request without one guesses nothing.
            failures.failed(address)
        raise
    return _count(state, principal)


async def authenticate_request(request: Request, store: Store) -> Principal:
    """The principal of a request's bearer token or UI session, counted against its rate."""
    header = request.headers.get("authorization")
    session = request.cookies.get(UI_SESSION_COOKIE)
    address = client_address(request.scope)
    if not header and session and request.url.path.startswith("/ui"):
        # Only UI pages accept the cookie: the JSON API stays bearer-only, out of CSRF's reach.
        # A session id is too long to guess, so a stale one is not counted as a failure.
        request.app.state.auth_failures.check(address)
        resolved = await run_in_threadpool(ui_sessions.resolve, store.db, session)
        principal = _count(request.app.state, resolved)
    else:
        principal = await checked_principal(request.app.state, store, header, address)
    note_token(request.scope, principal.name)
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]
