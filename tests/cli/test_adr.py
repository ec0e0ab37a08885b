"""`agentmem adr export` / `adr import` against a real service process."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from tests.support.agentmem import Ran, agentmem

NYGARD = """\
# {n}. {title}

Date: 2025-0{n}-01

## Status

{status}

## Context

Context of {title}.

## Decision

We will {title}.

## Consequences

Some.
"""


def _ok(ran: Ran) -> Any:
    assert ran.code == 0, ran.err
    return ran.json()


def test_export_then_import_a_folder_round_trips_through_the_cli(
    service_url: str, tmp_path: Path
) -> None:
    def cli(*args: str, project: str = "cli-adr") -> Ran:
        return agentmem(*args, cwd=tmp_path, url=service_url, project=project)

    first = _ok(cli("decide", "Use SQLite", "--topic", "storage", "--why", "One file.", "--json"))
    second = _ok(
        cli(
            "decide",
            "Use PostgreSQL",
            "--topic",
            "storage",
            "--why",
            "Replicas.",
            "--supersedes",
            first["id"],
            "--json",
        )
    )
    out = tmp_path / "adr"
    exported = _ok(cli("adr", "export", "--out", str(out), "--json"))
    assert exported["files"] == ["README.md", "0001-use-sqlite.md", "0002-use-postgresql.md"]
    assert exported["written"] == exported["files"]
    old = (out / "0001-use-sqlite.md").read_text()
    assert "status: superseded" in old and f"memory-id: {first['id']}" in old
    assert "Superseded by [0002](0002-use-postgresql.md)" in old
    assert f"memory-id: {second['id']}" in (out / "0002-use-postgresql.md").read_text()

    again = _ok(cli("adr", "import", str(out), "--json"))
    assert (again["created"], again["updated"], again["unchanged"], again["skipped"]) == (
        0,
        0,
        2,
        1,
    )
    history = httpx.get(f"{service_url}/v1/memories/{first['id']}/history").json()
    assert [v["event"] for v in history["versions"]] == ["created", "superseded"]

    unchanged = _ok(cli("adr", "export", "--out", str(out), "--json"))
    assert unchanged["written"] == []

    human = cli("adr", "import", str(out))
    assert human.code == 0 and "0 created, 0 updated, 2 unchanged, 1 skipped" in human.out


def test_import_an_adr_tools_folder_into_a_new_project(service_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "doc" / "adr"
    folder.mkdir(parents=True)
    (folder / "0001-use-make.md").write_text(
        NYGARD.format(n=1, title="use make", status="Superseded by [2. use just](0002-use-just.md)")
    )
    (folder / "0002-use-just.md").write_text(
        NYGARD.format(
            n=2, title="use just", status="Accepted\n\nSupersedes [1. use make](0001-use-make.md)"
        )
    )
    ran = agentmem(
        "adr",
        "import",
        str(folder),
        "--project",
        "cli-nygard",
        "--json",
        cwd=tmp_path,
        url=service_url,
        agent="release-engineer",
    )
    result = _ok(ran)
    assert result["created"] == 2 and result["project"] == "cli-nygard"
    ids = {f["number"]: f["memory_id"] for f in result["files"]}
    make = httpx.get(f"{service_url}/v1/memories/{ids[1]}").json()
    assert make["status"] == "superseded" and make["superseded_by"] == ids[2]
    assert make["superseded_by_title"] == "use just" and make["agent"] == "release-engineer"
    assert make["context"] == "Context of use make." and make["content"] == "We will use make."


def test_import_errors_are_one_line_with_exit_code_1(service_url: str, tmp_path: Path) -> None:
    missing = agentmem(
        "adr", "import", str(tmp_path / "nope"), cwd=tmp_path, url=service_url, project="cli-bad"
    )
    assert missing.code == 1 and "is not a folder" in missing.err
    assert len(missing.err.strip().splitlines()) == 1

    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "0001-x.md").write_text("---\nstatus: maybe\n---\n\n# X\n")
    refused = agentmem(
        "adr", "import", str(folder), cwd=tmp_path, url=service_url, project="cli-bad"
    )
    assert refused.code == 1
    line, _, request_id = refused.err.strip().partition(" [request id ")
    assert line == (
        "agentmem: error: 0001-x.md: status 'maybe' is not one of proposed, accepted, "
        "rejected, deprecated, superseded"
    )
    assert request_id.endswith("]")  # the service's id for this request, to quote in a report

    unknown = agentmem(
        "adr",
        "export",
        "--out",
        str(tmp_path / "o"),
        cwd=tmp_path,
        url=service_url,
        project="cli-no-such-project",
    )
    assert unknown.code == 1 and "project 'cli-no-such-project' has no memories" in unknown.err


REPO_DECISIONS = Path(__file__).resolve().parents[2] / "decisions"
# Later ADRs of this repository that say they supersede an earlier one (decisions/0066).
REPLACED = {
    "0004": "0020-ranking-by-similarity-keyword-relevance-and-session-lift.md",
    "0022": "0033-a-text-has-one-vector-one-text-per-model-run.md",
    "0052": "0055-secret-rules-of-our-own-with-a-scan-budget.md",
    "0054": "0058-server-side-ui-sessions.md",
    "0060": "0067-resends-become-versions.md",
}


def test_this_repositorys_decision_log_shows_its_true_statuses_and_links(
    service_url: str, tmp_path: Path
) -> None:
    def cli(*args: str) -> Ran:
        return agentmem(*args, cwd=tmp_path, url=service_url, project="agent-memory-log")

    imported = _ok(cli("adr", "import", str(REPO_DECISIONS), "--json"))
    assert imported["created"] == len(list(REPO_DECISIONS.glob("[0-9]*.md")))
    out = tmp_path / "log"
    _ok(cli("adr", "export", "--out", str(out), "--json"))
    files = {p.name: p.read_text() for p in out.glob("*.md")}
    by_number = {name[:4]: text for name, text in files.items() if name[:4].isdigit()}
    for old, new_file in REPLACED.items():
        old_file = next(name for name in files if name.startswith(old))
        assert "status: superseded" in by_number[old], old
        assert f"Superseded by [{new_file[:4]}]({new_file})" in by_number[old], old
        assert "status: accepted" in by_number[new_file[:4]], new_file
        assert f"Supersedes [{old}]({old_file})" in by_number[new_file[:4]], new_file
    superseded = {n for n, text in by_number.items() if "status: superseded" in text}
    assert set(REPLACED) <= superseded
    assert all("\nSuperseded by [" in by_number[n] for n in superseded)
    # Dates are the days each file was added in git, not one day for all.
    assert "date: 2026-11-26" in by_number["0004"] and "date: 2026-12-05" in by_number["0060"]
    assert "date: 2026-12-05" in by_number["0056"]
    index = files["README.md"]
    assert f"| superseded by [0020]({REPLACED['0004']}) | 2026-11-26 |" in index
