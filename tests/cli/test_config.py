"""Configuration precedence, git project detection, and what `--help` costs to import."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from agent_cli.config import DEFAULT_AGENT, DEFAULT_URL, ConfigError, load
from agent_cli.main import hoist_global_options
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
        'url = "http://10.0.0.5:9000/"\nproject = "from-file"\nagent = "qa-engineer"\n'
        'token = "file-token"\n'
    )
    config = load(cwd=inner / "deep")
    assert (config.url, config.project, config.agent, config.token) == (
        "http://10.0.0.5:9000",
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
