"""The one place where the UI's state-changing forms are guarded.

Every POST form renders `{{ csrf_field(request) }}` and every POST route depends on
`check_form` (sign-in, which has no session yet, on `check_csrf`): the hidden field must
repeat the CSRF cookie (see `security`), and a browser that names the page's origin must
name this one.
"""

from __future__ import annotations

import hmac
from urllib.parse import urlsplit

from markupsafe import Markup, escape
from starlette.requests import Request

from memory_service.api.deps import PrincipalDep
from memory_service.errors import Forbidden
from memory_service.ui.security import CSRF_COOKIE

FIELD = "csrf_token"


def csrf_token(request: Request) -> str:
    """The CSRF token of this browser: its cookie, or the one this answer sets."""
    return request.cookies.get(CSRF_COOKIE) or str(getattr(request.state, "csrf_token", ""))


def csrf_field(request: Request) -> Markup:
    """The hidden input that carries the form's CSRF token."""
    return Markup(f'<input type="hidden" name="{FIELD}" value="{escape(csrf_token(request))}">')


async def check_form(request: Request, principal: PrincipalDep) -> None:
    """Refuse a form post without a valid session (401) or forged (403)."""
    del principal  # authenticated first: a missing session is a 401, not a CSRF failure
    await check_csrf(request)


async def check_csrf(request: Request) -> None:
    """Refuse a forged form post: another origin, or a CSRF token that does not match."""
    origin = request.headers.get("origin")
    if origin and (origin == "null" or urlsplit(origin).netloc != request.headers.get("host")):
        raise Forbidden("this form was sent from another site: open the page here and submit it")
    cookie = request.cookies.get(CSRF_COOKIE, "")
    sent = (await request.form()).get(FIELD)
    if not cookie or not isinstance(sent, str) or not hmac.compare_digest(cookie, sent):
        raise Forbidden(
            "the form's security token is missing or stale: reload the page and submit again"
        )
