"""`memory-service`: run the service, rebuild its index, back up, restore and move a store."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from memory_service import cli_backup, cli_status, cli_tokens

if TYPE_CHECKING:
    from memory_service.settings import Settings

T = TypeVar("T")

app = typer.Typer(
    help="agent-memory service: memories, decisions and handoffs for AI agents.",
    no_args_is_help=False,
    add_completion=False,
)
app.add_typer(cli_tokens.app, name="token")
app.command()(cli_backup.export)
app.command("import")(cli_backup.import_)
app.command()(cli_backup.migrate)
app.command()(cli_status.status)


@app.callback(invoke_without_command=True)
def main_callback(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option(help="Bind address (MEMORY_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (MEMORY_PORT).")] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes (MEMORY_WORKERS).")] = None,
) -> None:
    """Serve the HTTP API (the default command)."""
    if ctx.invoked_subcommand is not None:
        return
    serve(host=host, port=port, workers=workers)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address (MEMORY_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (MEMORY_PORT).")] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes (MEMORY_WORKERS).")] = None,
) -> None:
    """Serve the HTTP API on the embedded defaults or the configured stores."""
    import os

    import uvicorn

    from memory_service.api.app import create_app
    from memory_service.observability import logs
    from memory_service.observability.metrics import worker_metrics_dir
    from memory_service.settings import Settings

    given = (("host", host), ("port", port), ("workers", workers))
    settings = Settings(**{k: v for k, v in given if v is not None})  # type: ignore[arg-type]
    logs.configure(settings.log_format, settings.log_level)
    refusal = _workers_refusal(settings) or _open_mode_refusal(settings)
    if refusal:
        typer.echo(f"error: {refusal}", err=True)
        raise typer.Exit(2)
    where = cli_backup.masked(settings.chroma_url) if settings.chroma_url else settings.data_dir
    typer.echo(f"data in {where}; serving on http://{settings.host}:{settings.port}")
    # uvicorn's records go to the handler configured above (log_config=None), and the
    # service logs each request itself, under its id: uvicorn's access line would repeat it.
    if settings.workers == 1:
        app_ = create_app(settings)
        uvicorn.run(
            app_,
            host=settings.host,
            port=settings.port,
            log_config=None,
            access_log=False,
            log_level=settings.log_level,
        )
        return
    # Each worker process builds its own app (model, pools, index client) from the same
    # MEMORY_* environment; the stores coordinate them. Options given on the command line
    # go into that environment too: a worker must know the address it serves on (open
    # local mode is for loopback only).
    for name, value in given:
        if value is not None:
            os.environ[f"MEMORY_{name.upper()}"] = str(value)
    # The workers add their metrics up in files of one directory (decisions/0068).
    with worker_metrics_dir():
        uvicorn.run(
            "memory_service.api.app:worker_app",
            factory=True,
            workers=settings.workers,
            host=settings.host,
            port=settings.port,
            log_config=None,
            access_log=False,
            log_level=settings.log_level,
        )


def _workers_refusal(settings: Settings) -> str | None:
    if settings.workers == 1:
        return None
    embedded = [
        reason
        for reason, applies in (
            (
                "SQLite (set MEMORY_DATABASE_URL=postgresql+psycopg://...)",
                settings.resolved_database_url.startswith("sqlite"),
            ),
            ("embedded Chroma (set MEMORY_CHROMA_URL=http://host:port)", not settings.chroma_url),
        )
        if applies
    ]
    if not embedded:
        return None
    return (
        f"--workers {settings.workers} needs the scale-out stack, but this runs on "
        f"{' and '.join(embedded)}: embedded Chroma and SQLite belong to one process, and "
        "several processes writing them would corrupt the index; run one worker, or move "
        "to PostgreSQL and a Chroma server (see `memory-service migrate`)"
    )


def _open_mode_refusal(settings: Settings) -> str | None:
    """Why the service may not start without tokens on this address (None: it may)."""
    from memory_service.errors import OpenModeRefused
    from memory_service.services.access.access import open_mode_notice
    from memory_service.store.db import Database

    db = Database(settings.resolved_database_url)
    try:
        db.migrate()
        open_mode_notice(db, settings.host)
    except OpenModeRefused as exc:
        return str(exc)
    finally:
        db.dispose()
    return None


@app.command()
def reindex() -> None:
    """Rebuild the vector index from the SQL records (after a model change or index loss)."""
    from memory_service.settings import Settings

    store = cli_backup.open_cli_store(Settings())
    count = cli_backup.reindex_with_progress(store)
    typer.echo(f"reindexed {count} memories with {store.embedder.model_id}")


@app.command("prepare-model")
def prepare_model(
    rebuild: Annotated[
        bool, typer.Option(help="Make the export again, whatever the cache holds.")
    ] = False,
) -> None:
    """Export the embedding model to ONNX now (otherwise the first start does it)."""
    from memory_service.settings import Settings
    from memory_service.store.embedding.embedder import open_embedder

    settings = Settings()
    embedder = open_embedder(settings, rebuild=rebuild)
    typer.echo(f"{embedder.model_id} ready in {settings.model_cache_dir}")


def main() -> None:
    from pydantic import ValidationError

    try:
        app()
    except ValidationError as error:
        # Settings come from MEMORY_* variables: name the variable and what it accepts.
        for problem in error.errors():
            name = "MEMORY_" + "_".join(str(part) for part in problem["loc"]).upper()
            given = problem.get("input")
            typer.echo(f"error: {name}={given!r} is refused: {problem['msg']}", err=True)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
