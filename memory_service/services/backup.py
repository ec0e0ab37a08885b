"""Backup, restore and moving a store: every record as JSON Lines, in one transaction.

An export is a header line, one line per row of every table that holds history (memories,
events, idempotency keys, checkpoints, rollbacks, project counters), and an end line with
the row counts, so a truncated file is refused. Derived state is not exported: an import
queues every memory in the outbox and the vector index is rebuilt from SQL.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from alembic.util.exc import CommandError
from sqlmodel import SQLModel

from memory_service.errors import InvalidInput
from memory_service.models import Memory, Outbox, UTCDateTime, utcnow
from memory_service.store.db import Database

FORMAT = "agent-memory-export"
FORMAT_VERSION = 1
# Rebuilt rather than copied: the outbox is refilled, the index and its caches re-derived.
DERIVED = frozenset({"outbox", "index_state", "embedding_cache"})
BATCH = 500

Progress = Callable[[int], None]


@dataclass
class Transfer:
    """What an export or import carried, by table."""

    revision: str | None
    counts: dict[str, int] = field(default_factory=dict)


def history_tables() -> list[sa.Table]:
    """Every table an export carries, in dependency order."""
    return [t for t in SQLModel.metadata.sorted_tables if t.name not in DERIVED]


def _encode(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _is_time(column: sa.Column[Any]) -> bool:
    return isinstance(column.type, UTCDateTime | sa.DateTime)


def export_lines(db: Database, *, progress: Progress | None = None) -> Iterator[str]:
    """The store as JSON Lines, read from one consistent snapshot."""
    revision = db.revision()
    counts: dict[str, int] = {}
    yield json.dumps(
        {"type": "header", "format": FORMAT, "version": FORMAT_VERSION, "revision": revision}
    )
    with db.read_engine.connect() as conn:
        if db.dialect == "postgresql":
            # One snapshot for every table, while replicas keep writing.
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            for table in history_tables():
                counts[table.name] = 0
                rows = conn.execution_options(yield_per=BATCH).execute(
                    sa.select(table).order_by(*table.primary_key.columns)
                )
                for row in rows.mappings():
                    record = {k: _encode(v) for k, v in row.items()}
                    yield json.dumps({"type": table.name, "row": record}, ensure_ascii=False)
                    counts[table.name] += 1
                    if progress:
                        progress(1)
    yield json.dumps({"type": "end", "counts": counts})


def count_rows(db: Database) -> int:
    """How many rows an export of this store writes (for a progress bar)."""
    with db.read_engine.connect() as conn:
        return sum(
            int(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one())
            for t in history_tables()
        )


def _decoder(table: sa.Table) -> Callable[[dict[str, Any], int], dict[str, Any]]:
    times = {c.name for c in table.columns if _is_time(c)}
    known = {c.name for c in table.columns}

    def decode(row: dict[str, Any], line: int) -> dict[str, Any]:
        unknown = set(row) - known
        if unknown:
            raise InvalidInput(
                f"line {line}: {table.name} has no column {', '.join(sorted(unknown))}: "
                "import with the agent-memory version that made the export"
            )
        return {k: datetime.fromisoformat(v) if k in times and v else v for k, v in row.items()}

    return decode


def _parse(line: str, number: int) -> dict[str, Any]:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"line {number} is not JSON ({exc.msg}): is this an export?") from exc
    if not isinstance(record, dict) or "type" not in record:
        raise InvalidInput(f"line {number} has no `type`: is this an agent-memory export?")
    return record


def read_header(first_line: str) -> dict[str, Any]:
    """The export's header, checked for format and version."""
    header = _parse(first_line, 1)
    if header.get("type") != "header" or header.get("format") != FORMAT:
        raise InvalidInput(
            "line 1 is not an agent-memory export header: give a file that "
            "`memory-service export` wrote"
        )
    if header.get("version") != FORMAT_VERSION:
        raise InvalidInput(
            f"export format version {header.get('version')!r} is not "
            f"supported (this version reads {FORMAT_VERSION})"
        )
    return header


def ensure_empty(db: Database) -> None:
    """Refuse to import into a store that already holds memories or events."""
    inspector = sa.inspect(db.read_engine)
    with db.read_engine.connect() as conn:
        for name in ("memory", "event"):
            if (
                inspector.has_table(name)
                and conn.execute(
                    sa.select(sa.func.count()).select_from(sa.table(name))
                ).scalar_one()
            ):
                raise InvalidInput(
                    f"the target store already has rows in `{name}`: import into a fresh, "
                    "empty database so that no history is merged or overwritten"
                )


def import_lines(
    db: Database, lines: Iterable[str], *, progress: Progress | None = None
) -> Transfer:
    """Load an export into an empty store, all of it in one transaction or none of it."""
    it = iter(lines)
    header = read_header(next(it, ""))
    ensure_empty(db)
    _prepare_schema(db, header.get("revision"))
    tables = {t.name: t for t in history_tables()}
    decoders = {name: _decoder(t) for name, t in tables.items()}
    counts = dict.fromkeys(tables, 0)
    pending: dict[str, list[dict[str, Any]]] = {name: [] for name in tables}
    end: dict[str, Any] | None = None
    with db.write() as session:
        for number, line in enumerate(it, start=2):
            if not line.strip():
                continue
            record = _parse(line, number)
            if end is not None:
                raise InvalidInput(f"line {number} follows the end line: the file is damaged")
            kind = record["type"]
            if kind == "end":
                end = record
                continue
            if kind not in tables or not isinstance(record.get("row"), dict):
                raise InvalidInput(f"line {number}: unknown record type {kind!r}")
            pending[kind].append(decoders[kind](record["row"], number))
            counts[kind] += 1
            if len(pending[kind]) >= BATCH:
                session.execute(tables[kind].insert(), pending[kind])
                pending[kind] = []
            if progress:
                progress(1)
        if end is None:
            raise InvalidInput("the export has no end line: the file is truncated; export again")
        for name, rows in pending.items():
            if rows:
                session.execute(tables[name].insert(), rows)
        expected = {k: int(v) for k, v in end.get("counts", {}).items()}
        if any(counts.get(k, 0) != expected.get(k, 0) for k in {*counts, *expected}):
            raise InvalidInput(
                f"the export's end line counts {expected} rows but the file holds {counts}: "
                "the file is damaged; export again"
            )
        _after_load(session.connection(), db.dialect)
    db.migrate()
    return Transfer(header.get("revision"), counts)


def _prepare_schema(db: Database, revision: str | None) -> None:
    if db.revision() is not None or revision is None:
        db.migrate()
        return
    # A new database is loaded at the schema the export was made with, then upgraded.
    try:
        db.migrate(revision)
    except CommandError as exc:
        raise InvalidInput(
            f"the export is at schema revision {revision!r}, which this agent-memory does "
            "not know: import it with the version that made it (or a newer one)"
        ) from exc


def _after_load(conn: sa.Connection, dialect: str) -> None:
    # Every memory goes to the outbox, so the vector index is rebuilt from the imported rows.
    memory, outbox = Memory.__table__, Outbox.__table__  # type: ignore[attr-defined]
    now = sa.literal(utcnow(), UTCDateTime())
    conn.execute(
        outbox.insert().from_select(
            ["memory_id", "created_at"], sa.select(memory.c.id, now).order_by(memory.c.pk)
        )
    )
    if dialect != "postgresql":
        return
    # Rows came with their own keys: move each serial sequence past the largest one.
    for table in [*history_tables(), outbox]:
        keys = list(table.primary_key.columns)
        if len(keys) != 1 or not isinstance(keys[0].type, sa.Integer):
            continue
        name, column = table.name, keys[0].name
        conn.execute(
            sa.text(
                f"SELECT setval(pg_get_serial_sequence('{name}', '{column}'), "
                f"COALESCE((SELECT MAX({column}) FROM {name}), 0) + 1, false)"
            )
        )


def copy_store(source: Database, target: Database, *, progress: Progress | None = None) -> Transfer:
    """Move every record from one database to an empty other one (e.g. SQLite to PostgreSQL)."""
    return import_lines(target, export_lines(source), progress=progress)
