"""The SQL record store: engines, SQLite pragmas, transactions, locks and migrations."""

from __future__ import annotations

import contextvars
import json
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import orjson
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlmodel import Session

from memory_service.observability import metrics
from memory_service.store.embedding.batching import MicroBatcher
from memory_service.store.group_commit import Joint, Outcome, Work, commit_together

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
# PostgreSQL advisory lock keys (one bigint space, app-wide): writers, migrations.
WRITE_LOCK = 7_001_001
MIGRATE_LOCK = 7_001_002
# As long as SQLite's own busy timeout: a writer waits this long for the lock, then fails.
BUSY_TIMEOUT_S = 30
# Units of work that commit together at most (see Database.write_together).
GROUP_COMMIT_MAX = 64
# SQLite's page cache per connection, in KiB. Its default (2 MiB) held less than one
# search reads at 100,000 memories; this size holds it, and the search time it saves there
# is worth the resident memory it costs (decisions/0028).
SQLITE_CACHE_KIB = 16 * 1024
R = TypeVar("R")
# Nineteen digits in a row may be an integer beyond 64 bits (see read_json).
_LONG_DIGITS = re.compile(r"\d{19}")


def read_json(text: str) -> Any:
    """A JSON column's value, as `json.loads` reads it. orjson parses a memory's eleven JSON
    columns in less time, on every memory read, but turns integers beyond 64 bits
    into floats and refuses NaN and Infinity, which `json.dumps` writes: text with a long
    run of digits, or that orjson refuses, goes to the standard library."""
    if _LONG_DIGITS.search(text):
        return json.loads(text)
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def _sqlite_engine(url: str, *, immediate: bool) -> sa.Engine:
    engine = sa.create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_S},
        pool_pre_ping=False,
        json_deserializer=read_json,
    )

    @sa.event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        # Autocommit at the driver level, so the "begin" hook below decides the lock mode.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_S * 1000}")
        cur.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
        cur.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(conn: sa.Connection) -> None:
        # Writers take the write lock up front: a deferred transaction that upgrades
        # from read to write can fail with SQLITE_BUSY instead of waiting.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _count_checkouts(engine: sa.Engine, label: str) -> None:
    """Keep the pool-in-use gauge of `engine` as its connections go out and come back."""
    sa.event.listen(engine, "checkout", lambda *_: metrics.pool_checkout(label, 1))
    sa.event.listen(engine, "checkin", lambda *_: metrics.pool_checkout(label, -1))


def normalize_url(url: str) -> str:
    """`postgresql://` and `postgres://` mean the installed psycopg 3 driver."""
    for scheme in ("postgresql://", "postgres://"):
        if url.startswith(scheme):
            return "postgresql+psycopg://" + url[len(scheme) :]
    return url


class Database:
    """Two engines on one database: reads run concurrently, writes serialise."""

    def __init__(self, url: str) -> None:
        url = normalize_url(url)
        self.url = url
        self.dialect = sa.make_url(url).get_backend_name()
        if self.dialect == "sqlite":
            db_path = sa.make_url(url).database
            if db_path:
                Path(db_path).parent.mkdir(parents=True, exist_ok=True)
            self.read_engine = _sqlite_engine(url, immediate=False)
            self.write_engine = _sqlite_engine(url, immediate=True)
            # This process's writers queue here rather than in SQLite's busy handler, which
            # polls with sleeps of up to 100 ms: the next writer starts the moment the last
            # one commits (ADR 0026). Other processes still meet SQLite's own lock.
            self._writers: threading.Lock | None = threading.Lock()
        else:
            self.read_engine = sa.create_engine(
                url, pool_pre_ping=True, pool_size=10, max_overflow=20, pool_timeout=60
            )
            self.write_engine = self.read_engine
            self._writers = None
        if self.write_engine is self.read_engine:
            _count_checkouts(self.read_engine, "shared")
        else:
            _count_checkouts(self.read_engine, "read")
            _count_checkouts(self.write_engine, "write")
        self._group: MicroBatcher[Work, Outcome] = MicroBatcher(
            self._commit_together, max_items=GROUP_COMMIT_MAX
        )

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for queries; rolled back at the end."""
        with Session(self.read_engine, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session whose work commits as one transaction, or not at all; one at a time."""
        with self._queued(), Session(self.write_engine, expire_on_commit=False) as session:
            with session.begin():
                if self.dialect == "postgresql":
                    # Writers serialise across every replica, as BEGIN IMMEDIATE does on
                    # SQLite: each write reads committed state and decides on it alone
                    # (dedupe, idempotency keys, state checks, per-project event order).
                    session.execute(sa.select(sa.func.pg_advisory_xact_lock(WRITE_LOCK)))
                yield session

    def write_together(self, fn: Callable[[Session], R], *, joint: Joint | None = None) -> R:
        """`fn(session)` in a write transaction shared with the writers waiting with it.

        Group commit: callers that arrive while a transaction commits wait, then commit
        together (one transaction, one fsync). Each runs in its own savepoint, so its error
        undoes only its own work and reaches only it; a failed commit reaches them all.
        Waiting works with the same `joint` key are first tried in one call, in one
        savepoint (a batch's statements instead of each work's own); if that call fails,
        each is done alone as above, so an error still reaches only its own caller.
        """
        [outcome] = self._group([Work(fn, contextvars.copy_context(), joint)])
        if outcome.error is not None:
            raise outcome.error
        return outcome.result  # type: ignore[no-any-return]

    def _commit_together(self, works: list[Work]) -> list[Outcome]:
        with self.write() as session:
            return commit_together(session, works)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A transaction that does not wait for PostgreSQL writers' lock (row locks guard it)."""
        with self._queued(), Session(self.write_engine, expire_on_commit=False) as session:
            with session.begin():
                yield session

    @contextmanager
    def _queued(self) -> Iterator[None]:
        # SQLite only: every transaction on the write engine is a writer (BEGIN IMMEDIATE).
        if self._writers is None:
            yield
            return
        if not self._writers.acquire(timeout=BUSY_TIMEOUT_S):
            raise TimeoutError(f"no write lock on the SQLite database after {BUSY_TIMEOUT_S} s")
        try:
            yield
        finally:
            self._writers.release()

    def migrate(self, revision: str = "head") -> None:
        """Bring the schema to an Alembic revision (the newest by default)."""
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        cfg.set_main_option("sqlalchemy.url", self.url.replace("%", "%%"))
        with self.write_engine.begin() as conn:
            if self.dialect == "postgresql":
                # Replicas start together; the first migrates, the others then find head.
                conn.execute(sa.select(sa.func.pg_advisory_xact_lock(MIGRATE_LOCK)))
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)

    def revision(self) -> str | None:
        """The Alembic revision the database is at (None when it has no schema yet)."""
        from alembic.runtime.migration import MigrationContext

        with self.read_engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def dispose(self) -> None:
        self.read_engine.dispose()
        self.write_engine.dispose()
