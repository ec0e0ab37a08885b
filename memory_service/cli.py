"""`memory-service`: run the service, rebuild its vector index."""

from __future__ import annotations

from typing import Annotated

import typer

app = typer.Typer(
    help="agent-memory service: memories, decisions and handoffs for AI agents.",
    no_args_is_help=False,
    add_completion=False,
)


@app.callback(invoke_without_command=True)
def main_callback(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option(help="Bind address (MEMORY_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (MEMORY_PORT).")] = None,
) -> None:
    """Serve the HTTP API (the default command)."""
    if ctx.invoked_subcommand is not None:
        return
    serve(host=host, port=port)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address (MEMORY_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (MEMORY_PORT).")] = None,
) -> None:
    """Serve the HTTP API on the embedded defaults or the configured stores."""
    import logging

    import uvicorn

    from memory_service.api.app import create_app
    from memory_service.settings import Settings

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    overrides = {k: v for k, v in (("host", host), ("port", port)) if v is not None}
    settings = Settings(**overrides)  # type: ignore[arg-type]
    typer.echo(f"data in {settings.data_dir}; serving on http://{settings.host}:{settings.port}")
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info")


@app.command()
def reindex() -> None:
    """Rebuild the vector index from the SQL records (after a model change or index loss)."""
    from rich.progress import Progress

    from memory_service.services import indexing
    from memory_service.settings import Settings
    from memory_service.store import Store
    from memory_service.store.db import Database
    from memory_service.store.embedder import Embedder
    from memory_service.store.vectors import VectorIndex

    settings = Settings()
    db = Database(settings.resolved_database_url)
    db.migrate()
    store = Store(
        settings=settings,
        db=db,
        vectors=VectorIndex(
            path=None if settings.chroma_url else settings.chroma_path, url=settings.chroma_url
        ),
        embedder=Embedder(settings.embedding_model),
    )
    with Progress() as progress:
        task = progress.add_task("reindexing", total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        count = indexing.reindex(store, progress=advance)
    typer.echo(f"reindexed {count} memories with {store.embedder.model_id}")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
