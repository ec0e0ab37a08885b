"""Where `agentmem` finds the service and who it speaks as: flags, env, .agentmem.toml.

Precedence, highest first: command-line flags, `AGENTMEM_*` environment variables, the
nearest `.agentmem.toml` up from the working directory, then defaults. That file comes with
the repository, not from the user: its `url` and `token` count only when no flag or variable
sets them and the URL is this machine, or after the user confirms at a terminal, so that a
cloned repository cannot send the user's token and work to a server of its choosing. Only
the standard library is imported here so that `--help` stays instant.
"""

from __future__ import annotations

import ipaddress
import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

DEFAULT_URL = "http://127.0.0.1:8765"
DEFAULT_AGENT = "backend-architect"
CONFIG_FILE = ".agentmem.toml"
KEYS = ("url", "agent", "project", "token")

# Asks the user a yes/no question: True yes, False no, None when no one can be asked.
Confirm = Callable[[str], bool | None]


class ConfigError(Exception):
    """The configuration is missing or malformed; the message says how to fix it."""


class UntrustedConfig(Exception):
    """A repository file would send the token or the work off this machine unconfirmed."""

    exit_code = 2


@dataclass(frozen=True)
class Config:
    url: str
    agent: str
    project: str | None
    token: str | None
    source: Path | None = None

    def require_project(self) -> str:
        if not self.project:
            raise ConfigError(
                'no project: pass --project, set AGENTMEM_PROJECT, add project = "..." to '
                f"{CONFIG_FILE}, or run inside a git repository"
            )
        return self.project


def find_config_file(start: Path) -> Path | None:
    """The nearest .agentmem.toml in `start` or one of its parents."""
    for folder in (start, *start.parents):
        candidate = folder / CONFIG_FILE
        if candidate.is_file():
            return candidate
    return None


def read_config_file(path: Path) -> dict[str, str]:
    """The keys of a .agentmem.toml, refused when unknown or not strings."""
    import tomllib

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}; fix or remove the file") from exc
    unknown = sorted(set(data) - set(KEYS))
    if unknown:
        raise ConfigError(
            f"{path} has unknown keys {', '.join(unknown)}; allowed: {', '.join(KEYS)}"
        )
    for key, value in data.items():
        if not isinstance(value, str):
            raise ConfigError(f'{path}: {key} must be a string, e.g. {key} = "..."')
    return dict(data)


def git_project(start: Path) -> str | None:
    """The enclosing git repository's folder name, as a project slug."""
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            slug = re.sub(r"[^a-z0-9._-]+", "-", folder.name.lower()).strip("-._")
            return slug[:64] or None
    return None


def is_loopback(url: str) -> bool:
    """Whether `url` names this machine: localhost, 127.0.0.0/8 or ::1."""
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return False
    if host is None:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def ask_on_terminal(question: str) -> bool | None:
    """The user's yes or no at the terminal; None when no terminal is there to ask on."""
    if not (sys.stdin.isatty() and sys.stderr.isatty()):
        return None
    sys.stderr.write(f"agentmem: {question} [y/N] ")
    sys.stderr.flush()
    return sys.stdin.readline().strip().lower() in {"y", "yes"}


def trust_repository_file(
    source: Path,
    *,
    url: str,
    url_from_file: bool,
    token: str | None,
    token_from_file: bool,
    confirm: Confirm,
) -> None:
    """Refuse a url or token from a repository file that would go off this machine unconfirmed."""
    if not (url_from_file or token_from_file) or is_loopback(url):
        return
    if url_from_file:
        whose = "the token in that file" if token_from_file else "your token"
        question = f"use URL {url} from {source}" + (f" with {whose}?" if token else "?")
        fix = "set AGENTMEM_URL or pass --url to name the service yourself"
        what = f"{source} names the service {url}"
    else:
        question = f"send the token in {source} to {url}?"
        fix = "set AGENTMEM_TOKEN or pass --token"
        what = f"{source} holds a token that would go to {url}"
    answer = confirm(question)
    if answer:
        return
    why = "you declined it" if answer is False else "no terminal is there to confirm it"
    raise UntrustedConfig(f"{what}, which is not this machine, and {why}: {fix}")


def load(
    *,
    url: str | None = None,
    agent: str | None = None,
    project: str | None = None,
    token: str | None = None,
    cwd: Path | None = None,
    confirm: Confirm | None = None,
) -> Config:
    """Merge flags, environment, the config file and defaults into one Config."""
    cwd = cwd or Path.cwd()
    source = find_config_file(cwd)
    file = read_config_file(source) if source else {}
    env = {key: os.environ.get(f"AGENTMEM_{key.upper()}") or None for key in KEYS}
    flags = {"url": url, "agent": agent, "project": project, "token": token}

    def given(key: str) -> str | None:
        return flags[key] or env[key] or None

    def pick(key: str) -> str | None:
        return given(key) or file.get(key) or None

    config = Config(
        url=(pick("url") or DEFAULT_URL).rstrip("/"),
        agent=pick("agent") or DEFAULT_AGENT,
        project=pick("project") or git_project(cwd),
        token=pick("token"),
        source=source,
    )
    if source is not None:
        trust_repository_file(
            source,
            url=config.url,
            url_from_file=not given("url") and bool(file.get("url")),
            token=config.token,
            token_from_file=not given("token") and bool(file.get("token")),
            confirm=confirm or ask_on_terminal,
        )
    return config
