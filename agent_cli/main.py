"""`agentmem`: the memory service from the command line, for agents and the people beside them.

Only typer is imported at start-up; each command imports what it needs when it runs,
so that `agentmem --help` answers at once.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Annotated

import typer

from agent_cli.commands import adr, handoffs, lookup, record, rollback, session
from agent_cli.config import UntrustedConfig
from agent_cli.options import config_of

GLOBAL_OPTIONS = ("--url", "--agent", "--project", "--token")
app = typer.Typer(
    name="agentmem",
    help="Remember decisions, deliverables and handoffs; recall them at session start; roll "
    "back to the last known-good state. Settings: flags, AGENTMEM_* variables or .agentmem.toml."
    "\n\nA url or token from .agentmem.toml (a file of the repository, not yours) is used only "
    "when no flag or AGENTMEM_* variable sets it and the URL is this machine (localhost, "
    "127.x, ::1), or after you confirm at a terminal; otherwise agentmem stops with exit "
    "code 2, so that a repository cannot send your token to a server of its choosing.",
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


@app.callback()
def configure(
    ctx: typer.Context,
    url: Annotated[
        str | None, typer.Option("--url", help="Service URL [AGENTMEM_URL; http://127.0.0.1:8765].")
    ] = None,
    agent: Annotated[
        str | None,
        typer.Option("--agent", help="Who you are [AGENTMEM_AGENT; backend-architect]."),
    ] = None,
    project: Annotated[
        str | None,
        typer.Option("--project", help="Project slug [AGENTMEM_PROJECT; the git repository]."),
    ] = None,
    token: Annotated[
        str | None, typer.Option("--token", help="Bearer token [AGENTMEM_TOKEN].")
    ] = None,
) -> None:
    """Global options (also accepted after the command); every command takes --json."""
    ctx.obj = {"url": url, "agent": agent, "project": project, "token": token}


for command in (
    session.start,
    record.decide,
    record.deliver,
    handoffs.handoff,
    handoffs.inbox,
    handoffs.ack,
    handoffs.complete,
    rollback.checkpoint,
    rollback.checkpoints,
    rollback.rollback,
    rollback.undo,
    lookup.search,
    lookup.show,
    lookup.history,
    lookup.log,
):
    app.command()(command)
app.add_typer(adr.app)


@app.command()
def mcp(ctx: typer.Context) -> None:
    """Serve the MCP tools over stdio, as a client of the running service."""
    import anyio

    from agent_cli.client import ServiceClient
    from agent_cli.mcp_server import Defaults, build_server
    from agent_cli.mcp_support import kept

    config = config_of(ctx)

    async def serve() -> None:
        # One client for the server's life: its connections are kept alive between calls.
        async with ServiceClient(config.url, token=config.token) as client:
            defaults = Defaults(agent=config.agent, project=config.project)
            await build_server(kept(client), defaults).run_stdio_async()

    anyio.run(serve)


def hoist_global_options(args: Sequence[str]) -> list[str]:
    """Move --url/--agent/--project/--token given after the command to before it."""
    front: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            rest.extend(args[i:])
            break
        name = arg.split("=", 1)[0]
        if name in GLOBAL_OPTIONS:
            step = 1 if "=" in arg else 2
            front.extend(args[i : i + step])
            i += step
            continue
        rest.append(arg)
        i += 1
    return front + rest


def main(argv: Sequence[str] | None = None) -> None:
    """Run the CLI; a usage error is one line and exit code 1, like any user error."""
    command = typer.main.get_command(app)
    args = hoist_global_options(sys.argv[1:] if argv is None else argv)
    try:
        code = command.main(args=args, prog_name="agentmem", standalone_mode=False)
    except typer.Abort:
        typer.echo("agentmem: aborted", err=True)
        sys.exit(130)
    except UntrustedConfig as exc:
        typer.echo(f"agentmem: error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except typer.TyperException as exc:  # typer's own click: usage and parameter errors
        ctx = getattr(exc, "ctx", None)
        if type(exc).__name__ == "NoArgsIsHelpError" and ctx is not None:
            typer.echo(ctx.get_help())
            sys.exit(0)
        format_message = getattr(exc, "format_message", None)
        message = " ".join((format_message() if format_message else str(exc)).split())
        where = f" (see `{ctx.command_path} --help`)" if ctx is not None else ""
        typer.echo(f"agentmem: error: {message}{where}", err=True)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
