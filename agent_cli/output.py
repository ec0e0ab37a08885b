"""Running a command against the service and showing its result: JSON or rich tables.

Exit codes: 0 ok, 1 the request was refused (the server's message is printed on one
line), 2 the service could not be reached (with how to start it), 3 the service failed.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any, TypeVar

import typer
from pydantic import ValidationError

from agent_cli.client import (
    ServiceClient,
    ServiceError,
    ServiceUnreachable,
    invalid_request,
    to_json,
)
from agent_cli.config import Config

T = TypeVar("T")
USER_ERROR, UNREACHABLE, SERVICE_FAILED = 1, 2, 3


def fail(message: str, code: int = USER_ERROR, *, as_json: bool = False, body: Any = None) -> None:
    """Print one line on stderr (and the error as JSON on stdout for agents), then exit."""
    line = " ".join(message.split())
    typer.echo(f"agentmem: error: {line}", err=True)
    if as_json:
        typer.echo(json.dumps(body or {"error": {"code": "error", "message": line}}))
    raise typer.Exit(code)


def call(config: Config, fn: Callable[[ServiceClient], Awaitable[T]], *, as_json: bool) -> T:
    """Run `fn` with a client of the configured service; failures become an exit code.

    A request model built inside `fn` that breaks a rule of the shared schemas is refused
    before it is sent, as the service would refuse it (exit 1).
    """

    async def go() -> T:
        async with ServiceClient(config.url, token=config.token) as client:
            try:
                return await fn(client)
            except ValidationError as exc:
                raise invalid_request(exc) from exc

    try:
        return asyncio.run(go())
    except ServiceUnreachable as exc:
        body = {"error": {"code": "unreachable", "message": str(exc), "details": {}}}
        fail(str(exc), UNREACHABLE, as_json=as_json, body=body)
    except ServiceError as exc:
        code = SERVICE_FAILED if exc.status >= 500 else USER_ERROR
        message = exc.message if exc.status < 500 else f"the service failed: {exc.message}"
        if exc.request_id:
            # What the operator looks the request up by in the service's log.
            message += f" [request id {exc.request_id}]"
        fail(message, code, as_json=as_json, body=exc.as_json())
    raise AssertionError("unreachable")  # fail() always exits


def print_json(value: Any) -> None:
    typer.echo(json.dumps(to_json(value) if not isinstance(value, dict) else value, indent=2))


def console() -> Any:
    from rich.console import Console

    # Piped output (a log, `less`) gets a wide table rather than the 80-column default.
    width = None if sys.stdout.isatty() else 160
    return Console(highlight=False, soft_wrap=False, width=width)


def table(title: str | None, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """A rich table on stdout; an empty one says so instead."""
    from rich.table import Table

    rows = list(rows)
    out = console()
    if not rows:
        out.print(f"[dim]{title or 'nothing'}: none[/dim]" if title else "[dim]none[/dim]")
        return
    grid = Table(title=title, title_justify="left", show_lines=False)
    for column in columns:
        grid.add_column(column, no_wrap=column in ("id", "date", "at", "score", "seq", "v"))
    for row in rows:
        grid.add_row(*("" if v is None else str(v) for v in row))
    out.print(grid)


def say(text: str) -> None:
    """A line for humans, with rich markup."""
    console().print(text)


def warn(text: str) -> None:
    typer.echo(f"agentmem: warning: {' '.join(text.split())}", err=True)


def short_time(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if hasattr(value, "strftime") else str(value)


def bullet_list(label: str, items: Sequence[str]) -> str:
    return "" if not items else f"{label}:\n" + "\n".join(f"  - {i}" for i in items)


def echo_stdout(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
