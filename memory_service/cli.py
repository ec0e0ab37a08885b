"""`memory-service`: run the service, rebuild its index, back up, restore and move a store."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from memory_service import cli_tokens

if TYPE_CHECKING:
    from memory_service.services.backup import Transfer
    from memory_service.settings import Settings
    from memory_service.store import Store

T = TypeVar("T")

app = typer.Typer(
    help="agent-memory service: memories, decisions and handoffs for AI agents.",
    no_args_is_help=False,
    add_completion=False,
)
app.add_typer(cli_tokens.app, name="token")


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
    import logging
    import os

    import uvicorn

    from memory_service.api.app import create_app
    from memory_service.settings import Settings

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    given = (("host", host), ("port", port), ("workers", workers))
    settings = Settings(**{k: v for k, v in given if v is not None})  # type: ignore[arg-type]
    refusal = _workers_refusal(settings) or _open_mode_refusal(settings)
    if refusal:
        typer.echo(f"error: {refusal}", err=True)
        raise typer.Exit(2)
    where = settings.chroma_url or settings.data_dir
    typer.echo(f"data in {where}; serving on http://{settings.host}:{settings.port}")
    if settings.workers == 1:
        app_ = create_app(settings)
        uvicorn.run(app_, host=settings.host, port=settings.port, log_level="info")
        return
    # Each worker process builds its own app (model, pools, index client) from the same
    # MEMORY_* environment; the stores coordinate them. Options given on the command line
    # go into that environment too: a worker must know the address it serves on (open
    # local mode is for loopback only).
    for name, value in given:
        if value is not None:
            os.environ[f"MEMORY_{name.upper()}"] = str(value)
    uvicorn.run(
        "memory_service.api.app:create_app",
        factory=True,
        workers=settings.workers,
        host=settings.host,
        port=settings.port,
        log_level="info",
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
    from memory_service.services.access import open_mode_notice
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


def _store(settings: Settings) -> Store:
    from memory_service.store import Store
    from memory_service.store.db import Database
    from memory_service.store.embedder import open_embedder
    from memory_service.store.vectors import open_index

    db = Database(settings.resolved_database_url)
    db.migrate()
    embedder = open_embedder(settings)
    return Store(settings=settings, db=db, vectors=open_index(settings), embedder=embedder)


def _reindex_with_progress(store: Store) -> int:
    from rich.progress import Progress

    from memory_service.services import indexing

    with Progress() as progress:
        task = progress.add_task("indexing", total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        return indexing.reindex(store, progress=advance)


@app.command()
def reindex() -> None:
    """Rebuild the vector index from the SQL records (after a model change or index loss)."""
    from memory_service.settings import Settings

    store = _store(Settings())
    count = _reindex_with_progress(store)
    typer.echo(f"reindexed {count} memories with {store.embedder.model_id}")


@app.command("prepare-model")
def prepare_model(
    rebuild: Annotated[
        bool, typer.Option(help="Make the export again, whatever the cache holds.")
    ] = False,
) -> None:
    """Export the embedding model to ONNX now (otherwise the first start does it)."""
    from memory_service.settings import Settings
    from memory_service.store.embedder import open_embedder

    settings = Settings()
    embedder = open_embedder(settings, rebuild=rebuild)
    typer.echo(f"{embedder.model_id} ready in {settings.model_cache_dir}")


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(1)


@app.command()
def export(
    path: Annotated[Path, typer.Argument(help="File to write; '-' writes to stdout.")],
) -> None:
    """Back up every memory, version, event and idempotency key as JSON Lines."""
    import sys

    from memory_service.services import backup
    from memory_service.settings import Settings
    from memory_service.store.db import Database

    db = Database(Settings().resolved_database_url)
    if db.revision() is None:
        raise _fail(f"{db.url} holds no agent-memory store: nothing to export")
    out = sys.stdout if str(path) == "-" else path.open("w", encoding="utf-8")

    def write(progress: Callable[[int], None]) -> None:
        for line in backup.export_lines(db, progress=progress):
            out.write(line + "\n")

    _with_progress("exporting", backup.count_rows(db), write)
    if out is not sys.stdout:
        out.close()
        typer.echo(f"exported to {path}", err=True)


@app.command("import")
def import_(
    path: Annotated[Path, typer.Argument(help="A file `memory-service export` wrote.")],
    index: Annotated[
        bool, typer.Option(help="Build the vector index now (else the service does on start).")
    ] = True,
) -> None:
    """Restore an export into an empty store (MEMORY_DATABASE_URL), history and all."""
    from memory_service.errors import InvalidInput
    from memory_service.services import backup
    from memory_service.settings import Settings
    from memory_service.store.db import Database

    if not path.is_file():
        raise _fail(f"{path} is not a file: give the path of an export")
    settings = Settings()
    db = Database(settings.resolved_database_url)

    def load(progress: Callable[[int], None]) -> Transfer:
        def lines() -> Iterator[str]:
            with path.open("rb") as file:
                for number, raw in enumerate(file, start=1):
                    progress(len(raw))
                    try:
                        yield raw.decode("utf-8")
                    except UnicodeDecodeError as exc:
                        raise InvalidInput(f"line {number} is not UTF-8 text") from exc

        return backup.import_lines(db, lines())

    try:
        result = _with_progress("importing", path.stat().st_size, load)
    except InvalidInput as exc:
        raise _fail(exc.message) from exc
    _report(result, db.url, settings, index)


@app.command()
def migrate(
    from_url: Annotated[
        str, typer.Option("--from", help="Source database URL (e.g. sqlite:///...).")
    ],
    to_url: Annotated[
        str, typer.Option("--to", help="Empty target database URL (postgresql://...).")
    ],
    index: Annotated[
        bool, typer.Option(help="Index into the configured Chroma (MEMORY_CHROMA_URL) now.")
    ] = True,
) -> None:
    """Move a whole store to another database (e.g. SQLite to PostgreSQL), history and all."""
    from memory_service.errors import InvalidInput
    from memory_service.services import backup
    from memory_service.settings import Settings
    from memory_service.store.db import Database

    source, target = Database(from_url), Database(to_url)
    if source.revision() is None:
        raise _fail(f"{from_url} holds no agent-memory store: check --from")
    try:
        result = _with_progress(
            "copying",
            backup.count_rows(source),
            lambda p: backup.copy_store(source, target, progress=p),
        )
    except InvalidInput as exc:
        raise _fail(exc.message) from exc
    _report(result, target.url, Settings(database_url=to_url), index)


def _with_progress(label: str, total: int, work: Callable[[Callable[[int], None]], T]) -> T:
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True)) as progress:
        task = progress.add_task(label, total=total)
        return work(lambda n: progress.advance(task, n))


def _report(result: Transfer, url: str, settings: Settings, index: bool) -> None:
    rows = ", ".join(f"{n} {table}" for table, n in result.counts.items() if n)
    typer.echo(f"loaded {rows or 'nothing'} into {url}")
    if index:
        count = _reindex_with_progress(_store(settings))
        typer.echo(f"indexed {count} memories into {settings.chroma_url or settings.chroma_path}")
    else:
        typer.echo("every memory is queued in the outbox: the service indexes them on start")


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
