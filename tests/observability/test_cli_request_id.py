"""`agentmem`'s one error line names the request id, which finds the request in the log of
the real service process."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.support.agentmem import agentmem
from tests.support.service import start_service

LINE = re.compile(r"^agentmem: error: (?P<message>.+) \[request id (?P<id>[0-9a-f]{32})\]$")


def test_a_refused_command_prints_the_request_id_the_service_logged(tmp_path: Path) -> None:
    running = start_service(tmp_path / "data")
    try:
        ran = agentmem("log", cwd=tmp_path, url=running.url, project="no-such-project")
        as_json = agentmem(
            "log", "--json", cwd=tmp_path, url=running.url, project="no-such-project"
        )
    finally:
        running.stop()
    assert ran.code == 1
    [line] = [text for text in ran.err.splitlines() if text.strip()]
    match = LINE.match(line)
    assert match, line
    assert "project 'no-such-project' has no memories" in match["message"]
    assert json.loads(as_json.out)["request_id"] != match["id"]  # each request its own
    logged = [
        json.loads(text)
        for text in running.log.read_text().splitlines()
        if text.startswith("{") and match["id"] in text
    ]
    assert [(r["route"], r["status"]) for r in logged if r["event"] == "request"] == [
        ("/v1/search", 404)
    ]
