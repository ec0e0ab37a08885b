"""Options shared by every command, and the configuration a command runs with."""

from __future__ import annotations

from typing import Annotated

import typer

from agent_cli.config import Config, ConfigError, load

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON (for agents) instead of tables.")]


def config_of(ctx: typer.Context) -> Config:
    """The configuration from the global flags, the environment and .agentmem.toml."""
    flags = ctx.find_root().obj or {}
    try:
        return load(**flags)
    except ConfigError as exc:
        typer.echo(f"agentmem: error: {exc}", err=True)
        raise typer.Exit(1) from exc


def project_of(ctx: typer.Context, config: Config) -> str:
    try:
        return config.require_project()
    except ConfigError as exc:
        typer.echo(f"agentmem: error: {exc}", err=True)
        raise typer.Exit(1) from exc
