"""`memory-service export`, `import` and `migrate`: a whole store as JSON Lines, and moved
between databases, with a progress bar; and the store and reindex they share with `reindex`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

if TYPE_CHECKING:
    from memory_service.services.backup import Transfer
    from memory_service.settings import Settings
    from memory_service.store import Store
    from memory_service.store.db import Database

T = TypeVar("T")


def open_cli_store(settings: Settings) -> Store:
    from memory_service.store import Store
    from memory_service.store.db import Database
    from memory_service.store.embedding.embedder import open_embedder
    from memory_service.store.vectors import open_index

    db = Database(settings.resolved_database_url)
    db.migrate()
    embedder = open_embedder(settings)
    return Store(settings=settings, db=db, vectors=open_index(settings), embedder=embedder)


def reindex_with_progress(store: Store) -> int:
    from rich.progress import Progress

    from memory_service.services.indexing import indexing

    with Progress() as progress:
        task = progress.add_task("indexing", total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        return indexing.reindex(store, progress=advance)


def masked(url: str) -> str:
    """A database URL fit to print: its password, if any, shown as ***."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        # Not a URL SQLAlchemy can read, so the password cannot be located: print none of it.
        return "the database URL given"


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(1)


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
        raise _fail(f"{masked(db.url)} holds no agent-memory store: nothing to export")
    out = sys.stdout if str(path) == "-" else path.open("w", encoding="utf-8")

    def write(progress: Callable[[int], None]) -> None:
        for line in backup.export_lines(db, progress=progress):
            out.write(line + "\n")

    _with_progress("exporting", backup.count_rows(db), write)
    if out is not sys.stdout:
        out.close()
        typer.echo(f"exported to {path}", err=True)


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

    source, target = _database(from_url, "--from"), _database(to_url, "--to")
    if source.revision() is None:
        raise _fail(f"{masked(from_url)} holds no agent-memory store: check --from")
    try:
        result = _with_progress(
            "copying",
            backup.count_rows(source),
            lambda p: backup.copy_store(source, target, progress=p),
        )
    except InvalidInput as exc:
        raise _fail(exc.message) from exc
    _report(result, target.url, Settings(database_url=to_url), index)


def _database(url: str, option: str) -> Database:
    """The database at `url`; a URL SQLAlchemy cannot parse is refused without echoing it."""
    from sqlalchemy.exc import ArgumentError

    from memory_service.store.db import Database

    try:
        return Database(url)
    except ArgumentError as exc:
        raise _fail(
            f"{option} is not a database URL: give one such as sqlite:///path/to/memory.sqlite3 "
            "or postgresql://user:password@host/db"
        ) from exc


def _with_progress(label: str, total: int, work: Callable[[Callable[[int], None]], T]) -> T:
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True)) as progress:
        task = progress.add_task(label, total=total)
        return work(lambda n: progress.advance(task, n))


def _report(result: Transfer, url: str, settings: Settings, index: bool) -> None:
    rows = ", ".join(f"{n} {table}" for table, n in result.counts.items() if n)
    typer.echo(f"loaded {rows or 'nothing'} into {masked(url)}")
    if index:
        count = reindex_with_progress(open_cli_store(settings))
        where = masked(settings.chroma_url) if settings.chroma_url else settings.chroma_path
        typer.echo(f"indexed {count} memories into {where}")
    else:
        typer.echo("every memory is queued in the outbox: the service indexes them on start")
