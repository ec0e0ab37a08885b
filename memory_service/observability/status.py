"""`memory-service status`: what an operator checks first, read from the configured stores
without loading the model, migrating or writing anything."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from memory_service.settings import Settings


@dataclass
class Reach:
    """Whether a store answered, where it is, and what went wrong when it did not."""

    ok: bool
    where: str
    problem: str | None = None


@dataclass
class Status:
    """Everything `memory-service status` reports, in the shape `--json` prints."""

    sql: Reach
    chroma: Reach
    schema_revision: str | None = None
    schema_head: str | None = None
    index_model: str | None = None
    index_dimension: int | None = None
    configured_model: str | None = None
    outbox_depth: int | None = None
    index_lag_seconds: float | None = None
    tokens_active: int | None = None
    tokens_revoked: int | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        """Nothing needs doing."""
        return not self.problems


def _schema_head() -> str | None:
    """The newest revision of the migrations this code ships."""
    from alembic.script import ScriptDirectory

    from memory_service.store.db import MIGRATIONS

    return ScriptDirectory(str(MIGRATIONS)).get_current_head()


def _chroma(settings: Settings) -> Reach:
    """Ask a Chroma server for its heartbeat; open an embedded index's file read-only (a
    second process must not open embedded Chroma beside the service)."""
    if settings.chroma_url:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        parsed = urlparse(settings.chroma_url)
        try:
            client = chromadb.HttpClient(
                host=parsed.hostname or "127.0.0.1",
                port=parsed.port or 8000,
                ssl=parsed.scheme == "https",
                settings=ChromaSettings(anonymized_telemetry=False),
            )
            client.heartbeat()
        except Exception as exc:  # noqa: BLE001 - any failure means unreachable, reported
            return Reach(False, settings.chroma_url, f"{type(exc).__name__}: {exc}")
        return Reach(True, settings.chroma_url)
    path = settings.chroma_path / "chroma.sqlite3"
    if not path.is_file():
        return Reach(False, str(settings.chroma_path), "no index yet: start the service once")
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)) as conn:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error as exc:
        return Reach(False, str(settings.chroma_path), f"cannot read {path}: {exc}")
    return Reach(True, str(settings.chroma_path))


def gather(settings: Settings) -> Status:
    """The stores' status under `settings`; problems are reported, not raised."""
    from memory_service.cli_backup import masked
    from memory_service.store.embedding.embedder import model_id_for

    url = settings.resolved_database_url
    where = str(settings.sqlite_path) if url.startswith("sqlite") else masked(url)
    status = Status(sql=Reach(True, where), chroma=_chroma(settings))
    status.configured_model = model_id_for(settings.embedding_model, settings.embedding_precision)
    status.schema_head = _schema_head()
    if settings.database_url is None and not Path(settings.sqlite_path).is_file():
        status.sql = Reach(False, where, "no database yet: start the service once")
        status.problems.append(f"SQL store: {status.sql.problem}")
    else:
        _read_sql(settings, status)
    if not status.chroma.ok:
        status.problems.append(f"vector index: {status.chroma.problem}")
    return status


def _read_sql(settings: Settings, status: Status) -> None:
    """Fill in what the SQL store says, or why it could not be read."""
    from memory_service.observability.store_health import index_model, outbox_backlog
    from memory_service.services.access.tokens import list_tokens
    from memory_service.store.db import Database

    db = Database(settings.resolved_database_url)
    try:
        status.schema_revision = db.revision()
        if status.schema_revision != status.schema_head:
            status.problems.append(
                f"schema at {status.schema_revision}, not {status.schema_head}: start the "
                "service (it migrates) or run `memory-service migrate`"
            )
            return
        recorded = index_model(db)
        status.index_model = recorded.get("embedding_model")
        dimension = recorded.get("embedding_dimension")
        status.index_dimension = int(dimension) if dimension else None
        backlog = outbox_backlog(db)
        status.outbox_depth, status.index_lag_seconds = backlog.depth, backlog.lag_seconds
        tokens = list_tokens(db)
        status.tokens_revoked = sum(1 for t in tokens if t.revoked_at is not None)
        status.tokens_active = len(tokens) - status.tokens_revoked
    except Exception as exc:  # noqa: BLE001 - an unreachable database is what status reports
        status.sql = Reach(False, status.sql.where, f"{type(exc).__name__}: {exc}")
        status.problems.append(f"SQL store: {status.sql.problem}")
        return
    finally:
        db.dispose()
    if status.index_model and status.index_model != status.configured_model:
        status.problems.append(
            f"the index was built with {status.index_model}, the service embeds with "
            f"{status.configured_model}: run `memory-service reindex`"
        )


def as_json(status: Status) -> dict[str, Any]:
    """The status as plain data, with `healthy` beside the fields."""
    from dataclasses import asdict

    return {**asdict(status), "healthy": status.healthy}
