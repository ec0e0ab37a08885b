"""Where `agentmem` finds the service and who it speaks as: flags, env, .agentmem.toml.

Precedence, highest first: command-line flags, `AGENTMEM_*` environment variables, the
nearest `.agentmem.toml` up from the working directory, then defaults. Only the standard
library is imported here so that `--help` stays instant.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

DEFAULT_URL = "http://127.0.0.1:8765"
DEFAULT_AGENT = "backend-architect"
CONFIG_FILE = ".agentmem.toml"
KEYS = ("url", "agent", "project", "token")


class ConfigError(Exception):
    """The configuration is missing or malformed; the message says how to fix it."""


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


def load(
    *,
    url: str | None = None,
    agent: str | None = None,
    project: str | None = None,
    token: str | None = None,
    cwd: Path | None = None,
) -> Config:
    """Merge flags, environment, the config file and defaults into one Config."""
    cwd = cwd or Path.cwd()
    source = find_config_file(cwd)
    file = read_config_file(source) if source else {}
    env = {key: os.environ.get(f"AGENTMEM_{key.upper()}") or None for key in KEYS}
    flags = {"url": url, "agent": agent, "project": project, "token": token}

    def pick(key: str) -> str | None:
        return flags[key] or env[key] or file.get(key) or None

    return Config(
        url=(pick("url") or DEFAULT_URL).rstrip("/"),
        agent=pick("agent") or DEFAULT_AGENT,
        project=pick("project") or git_project(cwd),
        token=pick("token"),
        source=source,
    )
