"""The one place where the UI's state-changing forms are guarded.

Every POST form renders `{{ csrf_field(request) }}` and every POST route depends on
`check_form`. Until sign-in exists (issue 6) both are empty; adding a CSRF token then means
filling in these two functions, not touching each form.
"""

from __future__ import annotations

from markupsafe import Markup
from starlette.requests import Request


def csrf_field(request: Request) -> Markup:
    """The hidden input that will carry the form's CSRF token (none before sign-in)."""
    del request
    return Markup("")


async def check_form(request: Request) -> None:
    """Refuse a forged form post (nothing to check before sign-in)."""
    del request
