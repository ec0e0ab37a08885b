"""`memory-service token`: create, list and revoke the access tokens of this store."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from memory_service.store.db import Database

app = typer.Typer(help="Access tokens: create (shown once), list and revoke.", no_args_is_help=True)


def _db() -> Database:
    from memory_service.settings import Settings
    from memory_service.store.db import Database

    db = Database(Settings().resolved_database_url)
    db.migrate()
    return db


def _operator() -> str:
    """Who runs the command, for the audit log: the OS user at this store's machine."""
    import getpass

    try:
        return f"cli:{getpass.getuser()}"[:64]
    except (KeyError, OSError):  # no passwd entry, e.g. in a bare container
        return "cli"


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(1)


@app.command("create")
def create(
    name: Annotated[str, typer.Option(help="A unique slug naming the token, e.g. alice-laptop.")],
    role: Annotated[str, typer.Option(help="agent, reviewer or admin.")],
    agent: Annotated[
        str | None, typer.Option(help="The agent slug it acts as (required for agent).")
    ] = None,
    projects: Annotated[
        str | None, typer.Option(help="Comma-separated project slugs, or '*' for every project.")
    ] = None,
) -> None:
    """Create a token and print it once: only its hash is stored."""
    from memory_service.errors import DomainError
    from memory_service.services.access import tokens

    names = [p.strip() for p in projects.split(",") if p.strip()] if projects else None
    try:
        issued = tokens.create_token(
            _db(), name=name, role=role, agent=agent, projects=names, actor=_operator()
        )
    except DomainError as exc:
        raise _fail(exc.message) from exc
    record = issued.record
    scope = ", ".join(record.projects)
    typer.echo(
        f"created {record.role} token {record.name!r}"
        + (f" acting as {record.agent}" if record.agent else "")
        + f" on {scope}; it is shown only now, keep it (e.g. as AGENTMEM_TOKEN):",
        err=True,
    )
    typer.echo(issued.token)


@app.command("list")
def list_() -> None:
    """List the tokens (never the tokens themselves): name, role, agent, projects, state."""
    from memory_service.services.access import tokens

    rows = tokens.list_tokens(_db())
    if not rows:
        typer.echo("no tokens: the service runs in open local mode (loopback only)")
        return
    for t in rows:
        state = f"revoked {t.revoked_at:%Y-%m-%d %H:%M}" if t.revoked_at else "active"
        typer.echo(
            f"{t.name}\t{t.role}\t{t.agent or '-'}\t{','.join(t.projects)}\t"
            f"created {t.created_at:%Y-%m-%d %H:%M}\t{state}"
        )


@app.command("revoke")
def revoke(name: Annotated[str, typer.Argument(help="The token's name.")]) -> None:
    """Revoke a token: its next request is refused with 401."""
    from memory_service.errors import DomainError
    from memory_service.services.access import tokens

    try:
        record = tokens.revoke_token(_db(), name=name, actor=_operator())
    except DomainError as exc:
        raise _fail(exc.message) from exc
    typer.echo(f"revoked token {record.name!r}")
