"""The service's log: every stdlib logger (ours, uvicorn's, the libraries') through one
structlog formatter, as one JSON object a line, or as readable lines on a terminal.

Each line made while a request runs carries its request id. Lines name tokens by their
name only; no line holds a token or a memory's text.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from typing import Any, Literal, TextIO

import structlog

from memory_service.observability.request_id import current_request_id

LogFormat = Literal["auto", "json", "console"]
# Our handler on the root logger, found again when the log is configured anew.
_MARK = "_agent_memory_handler"


def _request_id(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """Add the id of the request the line was written for, when there is one."""
    if "request_id" not in event:
        request_id = current_request_id()
        if request_id is not None:
            event["request_id"] = request_id
    return event


def _drop_copies(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """Drop what is not the record's own: the message again as another handler's formatter
    left it (`message`, `asctime`), and uvicorn's copy of it in terminal colours."""
    for copy in ("message", "asctime", "color_message"):
        event.pop(copy, None)
    return event


def formatter(*, as_json: bool, colors: bool = False) -> logging.Formatter:
    """The formatter of the service's log lines: JSON, or key=value for a person."""
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if as_json
        else structlog.dev.ConsoleRenderer(colors=colors)
    )
    finishing: list[Any] = [structlog.stdlib.ProcessorFormatter.remove_processors_meta]
    if as_json:
        finishing.append(structlog.processors.format_exc_info)
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[
            structlog.stdlib.add_log_level,
            structlog.stdlib.add_logger_name,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.stdlib.ExtraAdder(),
            _drop_copies,
            _request_id,
        ],
        processors=[*finishing, renderer],
    )


def configure(fmt: LogFormat = "auto", level: str = "info", stream: TextIO | None = None) -> None:
    """Send every log record of this process to `stream` (stderr): as JSON lines, or, with
    'auto', as readable lines when `stream` is a terminal and JSON lines otherwise."""
    out = stream or sys.stderr
    terminal = out.isatty()
    handler = logging.StreamHandler(out)
    handler.setFormatter(
        formatter(as_json=fmt == "json" or (fmt == "auto" and not terminal), colors=terminal)
    )
    setattr(handler, _MARK, True)
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, _MARK, False)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    # httpx logs each request's URL, query string included, at info: the in-process client
    # of the MCP tools would put every tool call's arguments in the log.
    logging.getLogger("httpx").setLevel(max(logging.WARNING, root.level))
