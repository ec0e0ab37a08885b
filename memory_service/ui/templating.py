"""The Jinja2 environment of the web UI: autoescaped templates, filters for dates, Markdown
(prose, and inline for titles and option names), highlights and ADR numbers."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, PackageLoader, select_autoescape
from markdown_it import MarkdownIt
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse

from memory_service.ui import excerpts, forms, views

# Raw HTML in memories is shown as text, never run: markdown-it escapes it with html=False
# and refuses javascript: and data: links.
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def markdown(text: object) -> Markup:
    """Prose of a memory (context, reasoning ...) as safe HTML."""
    source = text if isinstance(text, str) else "" if text is None else str(text)
    return Markup(_markdown.render(source))  # noqa: S704 - markdown-it escaped it


def when(value: datetime | None, style: str = "datetime") -> str:
    """A time as the pages show it: a date, a month, or a date and time in UTC."""
    if value is None:
        return ""
    if style == "date":
        return value.strftime("%Y-%m-%d")
    if style == "month":
        return value.strftime("%B %Y")
    return value.strftime("%Y-%m-%d %H:%M UTC")


def query(params: dict[str, Any], **changes: Any) -> str:
    """A query string from the current filters with some changed; empty values dropped."""
    merged = {**params, **changes}
    kept = {k: v for k, v in merged.items() if v not in (None, "", [])}
    return ("?" + urlencode(kept, doseq=True)) if kept else ""


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("memory_service.ui", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.filters["markdown"] = markdown
    env.filters["inline"] = excerpts.inline
    env.filters["highlight"] = excerpts.highlight
    env.globals["adr_number"] = views.adr_number
    env.globals["log_lines"] = excerpts.log_lines
    env.globals["plural"] = views.plural
    env.filters["when"] = when
    env.globals["query"] = query
    env.globals["csrf_field"] = forms.csrf_field
    return env


ENV = _environment()


def page(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render a page template with the request in its context."""
    html = ENV.get_template(template).render(request=request, **context)
    return HTMLResponse(html, status_code=status_code)
