"""Configuration precedence, trust in a repository's file, git project detection, and what
`--help` costs to import."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from agent_cli.config import (
    DEFAULT_AGENT,
    DEFAULT_URL,
    ConfigError,
    UntrustedConfig,
    is_loopback,
    load,
)
from agent_cli.main import hoist_global_options, main
from tests.support.agentmem import AGENTMEM, clean_env


@pytest.fixture(autouse=True)
def _no_agentmem_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("URL", "AGENT", "PROJECT", "TOKEN"):
        monkeypatch.delenv(f"AGENTMEM_{key}", raising=False)


def test_defaults_and_the_git_repository_name_as_project(tmp_path: Path) -> None:
    repo = tmp_path / "My Shop"
    (repo / ".git").mkdir(parents=True)
    (repo / "src" / "api").mkdir(parents=True)
    config = load(cwd=repo / "src" / "api")
    assert config.url == DEFAULT_URL
    assert config.agent == DEFAULT_AGENT
    assert config.project == "my-shop"
    assert config.token is None
    assert load(cwd=tmp_path).project is None


def test_flags_beat_env_which_beats_the_nearest_config_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".agentmem.toml").write_text('project = "outer"\nagent = "outer-agent"\n')
    inner = tmp_path / "team"
    (inner / "deep").mkdir(parents=True)
    (inner / ".agentmem.toml").write_text(
        'url = "http://127.0.0.5:9000/"\nproject = "from-file"\nagent = "qa-engineer"\n'
        'token = "file-token"\n'
    )
    config = load(cwd=inner / "deep")
    assert (config.url, config.project, config.agent, config.token) == (
        "http://127.0.0.5:9000",
        "from-file",
        "qa-engineer",
        "file-token",
    )
    assert config.source == inner / ".agentmem.toml"
    monkeypatch.setenv("AGENTMEM_PROJECT", "from-env")
    monkeypatch.setenv("AGENTMEM_TOKEN", "env-token")
    assert load(cwd=inner / "deep").project == "from-env"
    assert load(cwd=inner / "deep").token == "env-token"
    assert load(cwd=inner / "deep", project="from-flag").project == "from-flag"
    assert load(cwd=inner / "deep").agent == "qa-engineer"


def test_a_malformed_config_file_names_itself_and_the_fix(tmp_path: Path) -> None:
    (tmp_path / ".agentmem.toml").write_text('projekt = "shop"\n')
    with pytest.raises(ConfigError, match="unknown keys projekt"):
        load(cwd=tmp_path)
    (tmp_path / ".agentmem.toml").write_text("project = [1]\n")
    with pytest.raises(ConfigError, match="project must be a string"):
        load(cwd=tmp_path)
    (tmp_path / ".agentmem.toml").write_text("project = \n")
    with pytest.raises(ConfigError, match="cannot read"):
        load(cwd=tmp_path)


def test_global_options_after_the_command_are_moved_before_it() -> None:
    assert hoist_global_options(["inbox", "--project", "shop", "--json", "--agent=qa"]) == [
        "--project",
        "shop",
        "--agent=qa",
        "inbox",
        "--json",
    ]
    assert hoist_global_options(["decide", "t", "--", "--project"]) == [
        "decide",
        "t",
        "--",
        "--project",
    ]


def test_help_imports_no_http_client_nor_table_library() -> None:
    probe = (
        "import sys\n"
        "from agent_cli.main import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit as exit:\n"
        "    assert exit.code == 0, exit.code\n"
        "heavy = {'httpx', 'rich', 'pydantic', 'mcp', 'memory_service'} & set(sys.modules)\n"
        "print(sorted(heavy))\n"
    )
    ran = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=clean_env()
    )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip().splitlines()[-1] == "[]"


def test_shell_completion_completes_command_names(tmp_path: Path) -> None:
    ran = subprocess.run(
        [str(AGENTMEM)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=clean_env(
            _AGENTMEM_COMPLETE="complete_bash", COMP_WORDS="agentmem inb", COMP_CWORD="1"
        ),
    )
    assert ran.returncode == 0, ran.stderr
    assert "inbox" in ran.stdout.split()


EVIL = "https://evil.example"


def _repository(tmp_path: Path, **keys: str) -> Path:
    """A cloned repository whose .agentmem.toml holds these keys."""
    (tmp_path / ".agentmem.toml").write_text(
        'project = "shop"\n' + "".join(f'{k} = "{v}"\n' for k, v in keys.items())
    )
    return tmp_path


class Asked:
    """A prompt that records each question and gives one answer."""

    def __init__(self, answer: bool | None) -> None:
        self.answer = answer
        self.questions: list[str] = []

    def __call__(self, question: str) -> bool | None:
        self.questions.append(question)
        return self.answer


def test_a_remote_repository_url_with_the_env_token_is_refused_before_any_request(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    sent: list[str] = []

    async def record(self: httpx.AsyncClient, request: httpx.Request, **_: object) -> None:
        sent.append(f"{request.url} {request.headers.get('authorization')}")
        raise httpx.ConnectError("recorded, not sent", request=request)

    monkeypatch.setattr(httpx.AsyncClient, "send", record)
    monkeypatch.chdir(_repository(tmp_path, url=EVIL))
    monkeypatch.setenv("AGENTMEM_TOKEN", "env-token")
    with pytest.raises(SystemExit) as exit:
        main(["inbox", "--json"])
    assert exit.value.code == 2
    assert sent == []
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "[y/N]" not in err
    assert f"names the service {EVIL}, which is not this machine" in err
    assert "no terminal is there to confirm it: set AGENTMEM_URL or pass --url" in err


@pytest.mark.parametrize(
    "url", ["http://localhost:8765", "http://127.0.0.2:9000", "http://[::1]:8765"]
)
def test_a_loopback_url_from_the_repository_file_is_used_without_asking_a_remote_one_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    monkeypatch.setenv("AGENTMEM_TOKEN", "env-token")
    asked = Asked(False)
    config = load(cwd=_repository(tmp_path, url=url, token="file-token"), confirm=asked)
    assert (config.url, config.token, asked.questions) == (url, "env-token", [])
    monkeypatch.delenv("AGENTMEM_TOKEN")
    assert load(cwd=tmp_path, confirm=asked).token == "file-token"
    assert asked.questions == []
    _repository(tmp_path, url=EVIL, token="file-token")
    with pytest.raises(UntrustedConfig):
        load(cwd=tmp_path, confirm=asked)


def test_hosts_that_only_look_like_loopback_are_not() -> None:
    for url in ("http://LOCALHOST", "http://127.255.0.1", "http://[::1]", DEFAULT_URL):
        assert is_loopback(url), url
    for url in (
        EVIL,
        "http://127.0.0.1.evil.example",
        "http://localhost@evil.example",
        "http://evil.example/127.0.0.1",
        "http://localhost.evil.example",
        "http://[::ffff:8.8.8.8]",
        "http://0.0.0.0:8765",
        "127.0.0.1:8765",
    ):
        assert not is_loopback(url), url


def test_a_url_from_flag_or_env_wins_over_the_file_without_asking(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = _repository(tmp_path, url=EVIL)
    asked = Asked(False)
    monkeypatch.setenv("AGENTMEM_TOKEN", "env-token")
    monkeypatch.setenv("AGENTMEM_URL", "https://memory.example.com")
    assert load(cwd=repo, confirm=asked).url == "https://memory.example.com"
    assert load(cwd=repo, url="https://other.example.com", confirm=asked).url == (
        "https://other.example.com"
    )
    assert asked.questions == []
    monkeypatch.delenv("AGENTMEM_URL")
    with pytest.raises(UntrustedConfig, match="set AGENTMEM_URL or pass --url"):
        load(cwd=repo, confirm=Asked(None))


def test_a_remote_repository_url_is_used_once_confirmed_and_refused_once_declined(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = _repository(tmp_path, url=EVIL)
    monkeypatch.setenv("AGENTMEM_TOKEN", "env-token")
    yes = Asked(True)
    config = load(cwd=repo, confirm=yes)
    assert (config.url, config.token) == (EVIL, "env-token")
    assert yes.questions == [f"use URL {EVIL} from {repo / '.agentmem.toml'} with your token?"]
    no = Asked(False)
    with pytest.raises(UntrustedConfig, match="you declined it: set AGENTMEM_URL or pass --url"):
        load(cwd=repo, confirm=no)
    assert len(no.questions) == 1


def test_a_repository_token_goes_only_to_this_machine_or_once_confirmed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = _repository(tmp_path, token="file-token")
    assert load(cwd=repo, confirm=Asked(False)).token == "file-token"
    monkeypatch.setenv("AGENTMEM_URL", "https://memory.example.com")
    with pytest.raises(UntrustedConfig, match="set AGENTMEM_TOKEN or pass --token"):
        load(cwd=repo, confirm=Asked(None))
    yes = Asked(True)
    assert load(cwd=repo, confirm=yes).token == "file-token"
    assert yes.questions == [
        f"send the token in {repo / '.agentmem.toml'} to https://memory.example.com?"
    ]
    assert load(cwd=repo, token="flag-token", confirm=Asked(False)).token == "flag-token"


def test_help_says_when_the_repository_file_is_trusted(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exit:
        main(["--help"])
    assert exit.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    assert (
        "A url or token from .agentmem.toml (a file of the repository, not yours) is used only "
        "when no flag or AGENTMEM_* variable sets it and the URL is this machine (localhost, "
        "127.x, ::1), or after you confirm at a terminal; otherwise agentmem stops with exit "
        "code 2" in text
    )


def test_at_a_terminal_agentmem_asks_and_stops_when_the_answer_is_no(tmp_path: Path) -> None:
    import os
    import pty

    repo = _repository(tmp_path, url=EVIL)
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [str(AGENTMEM), "inbox"],
        cwd=repo,
        env=clean_env(AGENTMEM_TOKEN="env-token"),
        stdin=follower,
        stderr=follower,
        stdout=subprocess.PIPE,
    )
    os.close(follower)
    seen = b""
    while b"[y/N]" not in seen:
        chunk = os.read(leader, 1024)
        assert chunk, seen
        seen += chunk
    os.write(leader, b"n\n")
    assert proc.wait(timeout=60) == 2
    while True:
        try:
            chunk = os.read(leader, 1024)
        except OSError:  # the terminal closes with the process on Linux
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    assert proc.stdout is not None and proc.stdout.read() == b""
    text = seen.decode()
    assert f"use URL {EVIL} from {repo / '.agentmem.toml'} with your token? [y/N]" in text
    assert "you declined it: set AGENTMEM_URL or pass --url" in text
