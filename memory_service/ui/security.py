"""What every /ui answer carries: security headers, and the CSRF cookie its forms echo.

CSRF protection is a double-submit token: a random value in a SameSite=Strict cookie that
each POST form repeats in a hidden field (`forms.check_form` compares them). A page of
another site can neither read the cookie nor make the browser send it.
"""

from __future__ import annotations

import secrets
from typing import Any

CSRF_COOKIE = "am_csrf"
UI_PREFIX = "/ui"
# No inline script or style anywhere in the UI, so the policy allows only its own files.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"x-content-type-options", b"nosniff"),
]


def cookie_header(name: str, value: str, *, secure: bool, max_age: int | None = None) -> bytes:
    """A Set-Cookie value scoped to the UI: HttpOnly, SameSite=Strict, Secure over HTTPS."""
    parts = [f"{name}={value}", f"Path={UI_PREFIX}", "HttpOnly", "SameSite=Strict"]
    if max_age is not None:
        parts.append(f"Max-Age={max_age}")
    if secure:
        parts.append("Secure")
    return "; ".join(parts).encode()


class UiSecurity:
    """Pure ASGI middleware for /ui: headers on every answer, a CSRF cookie when missing."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(UI_PREFIX):
            await self.app(scope, receive, send)
            return
        cookies = dict(scope.get("headers") or []).get(b"cookie", b"").decode("latin-1")
        names = {part.split("=", 1)[0].strip() for part in cookies.split(";")}
        fresh = None
        if CSRF_COOKIE not in names:
            fresh = secrets.token_urlsafe(32)
            scope.setdefault("state", {})["csrf_token"] = fresh  # the page renders this one
        secure = scope.get("scheme") == "https"

        async def with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                headers += HEADERS
                if not scope["path"].startswith(f"{UI_PREFIX}/static"):
                    headers.append((b"cache-control", b"no-store"))
                if fresh:
                    headers.append(
                        (b"set-cookie", cookie_header(CSRF_COOKIE, fresh, secure=secure))
                    )
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)
