"""What `agentmem` says and which exit code it gives when something is wrong."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from tests.support.agentmem import agentmem
from tests.support.service import free_port

PROJECT = "shop-errors"


def one_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, text
    assert lines[0].startswith("agentmem: error: ")
    return lines[0]


def test_unreachable_service_exits_2_and_says_how_to_start_it(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    ran = agentmem("inbox", cwd=tmp_path, url=url, project=PROJECT)
    assert ran.code == 2
    line = one_line(ran.err)
    assert url in line and "memory-service" in line
    as_json = agentmem("decide", "x", "--why", "y", "--json", cwd=tmp_path, url=url, project="p")
    assert as_json.code == 2
    assert json.loads(as_json.out)["error"]["code"] == "unreachable"


def test_unknown_project_exits_1_with_the_servers_message(service_url: str, tmp_path: Path) -> None:
    seeded = agentmem(
        "decide", "Use gRPC", "--why", "Typed contracts", "--json",
        cwd=tmp_path, url=service_url, project=PROJECT,
    )  # fmt: skip
    assert seeded.code == 0, seeded.err
    for command in (["search", "orders"], ["log"], ["inbox"]):
        ran = agentmem(*command, cwd=tmp_path, url=service_url, project="no-such-project")
        assert ran.code == 1, (command, ran.err)
        line = one_line(ran.err)
        assert "project 'no-such-project' has no memories" in line
        assert "GET /v1/projects lists" in line  # where to find the projects one may use
    as_json = agentmem("log", "--json", cwd=tmp_path, url=service_url, project="no-such-project")
    assert json.loads(as_json.out)["error"]["code"] == "project_not_found"


def test_malformed_arguments_exit_1_with_one_line(service_url: str, tmp_path: Path) -> None:
    cases = {
        ("handoff", "Orders API ready"): "Missing option '--to'",
        ("search", "orders", "-k", "many"): "Invalid value for '-k'",
        ("frobnicate",): "No such command 'frobnicate'",
        ("decide", "Use gRPC"): "Missing option '--why'",
        ("inbox", "--state", "maybe"): "query.state",
        ("handoff", "x", "--to", "Frontend Dev"): "is not a slug",
        ("start", "--budget", "10"): "--budget",
    }
    for args, expected in cases.items():
        ran = agentmem(*args, cwd=tmp_path, url=service_url, project=PROJECT)
        assert ran.code == 1, (args, ran.err)
        assert expected in one_line(ran.err), (args, ran.err)


def test_refused_transition_exits_1_and_changes_nothing(service_url: str, tmp_path: Path) -> None:
    handoff = agentmem(
        "handoff", "Orders API ready", "--to", "frontend-developer", "--json",
        cwd=tmp_path, url=service_url, project=PROJECT,
    ).json()  # fmt: skip
    as_architect = agentmem("ack", handoff["id"], cwd=tmp_path, url=service_url, project=PROJECT)
    assert as_architect.code == 1
    assert "addressed to 'frontend-developer'" in one_line(as_architect.err)
    state = httpx.get(f"{service_url}/v1/handoffs/{handoff['id']}").json()["state"]
    assert state == "open"
    unknown = agentmem("show", "01HZZZZZZZZZZZZZZZZZZZZZZZ", cwd=tmp_path, url=service_url)
    assert unknown.code == 1
    assert "no memory has id" in one_line(unknown.err)


def test_missing_project_outside_a_git_repository_says_how_to_set_one(
    service_url: str, tmp_path: Path
) -> None:
    ran = agentmem("inbox", cwd=tmp_path, url=service_url)
    assert ran.code == 1
    assert "AGENTMEM_PROJECT" in one_line(ran.err)


def test_undo_without_any_rollback_is_a_user_error(service_url: str, tmp_path: Path) -> None:
    ran = agentmem("undo", cwd=tmp_path, url=service_url, project=PROJECT)
    assert ran.code == 1
    assert "no rollback to undo" in one_line(ran.err)
