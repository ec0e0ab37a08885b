"""SQL tables. They never leave the service layer: the API speaks `schemas`.

`memory` holds the current state of every memory; `event` is the append-only log
whose `after` snapshots are the immutable versions; `outbox` lists memories whose
vector-index entry must be brought up to date after the SQL commit.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """Stores UTC instants; always hands back timezone-aware datetimes."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


JSONType = sa.JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> datetime:
    return datetime.now(UTC)


def _empty_list() -> list[Any]:
    return []


def _empty_dict() -> dict[str, Any]:
    return {}


def _json(default: Any = None) -> Any:
    # Python functions, not the `list` and `dict` builtins: pydantic reads a factory's
    # signature on every construction, and a builtin's must be parsed from its text, once
    # per JSON column of every new memory, a cost the write path felt (ADR 0026).
    factory = _empty_list if default is None else _empty_dict
    return Field(default_factory=factory, sa_column=sa.Column(JSONType, nullable=False))


def _when(**kw: Any) -> Any:
    return Field(default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), **kw))


class Memory(SQLModel, table=True):
    """The current state of one memory (decision, deliverable, handoff or note)."""

    # A session's memories in the order they were written (migration 0060).
    __table_args__ = (
        sa.Index("ix_memory_project_session_pk", "project", "session", "pk"),
        sa.Index("ix_memory_project_kind_occurred", "project", "kind", "occurred_at", "pk"),
    )

    pk: int | None = Field(default=None, primary_key=True)
    id: str = Field(max_length=26, unique=True, index=True)
    project: str = Field(max_length=64, index=True)
    agent: str = Field(max_length=64, index=True)
    kind: str = Field(max_length=16)
    title: str
    content: str
    reasoning: str | None = None
    topic: str | None = Field(default=None, max_length=64, index=True)
    tags: list[str] = _json()
    for_agents: list[str] = _json()
    session: str | None = Field(default=None, max_length=128)
    status: str = Field(max_length=16, index=True)
    supersedes: str | None = Field(default=None, max_length=26)
    superseded_by: str | None = Field(default=None, max_length=26)
    refs: list[str] = _json()
    meta: dict[str, Any] = _json({})
    # Decision record (MADR) fields.
    context: str | None = None
    options: list[dict[str, Any]] = _json()
    outcome: str | None = None
    consequences: dict[str, Any] = _json({})
    decision_makers: list[str] = _json()
    # Handoff fields.
    completed: list[str] = _json()
    pending: list[str] = _json()
    risks: list[str] = _json()
    occurred_at: datetime = _when(nullable=False, index=True)
    recorded_at: datetime = _when(nullable=False)
    updated_at: datetime = _when(nullable=False)
    version: int = 1
    content_hash: str = Field(max_length=64, index=True)


class Event(SQLModel, table=True):
    """One change, appended and never rewritten; `after` is the version it produced."""

    seq: int | None = Field(default=None, primary_key=True)
    project: str = Field(max_length=64, index=True)
    memory_id: str | None = Field(default=None, max_length=26, index=True)
    type: str = Field(max_length=32)
    actor: str = Field(max_length=64)
    at: datetime = _when(nullable=False)
    version: int | None = None
    before: dict[str, Any] | None = Field(default=None, sa_column=sa.Column(JSONType))
    after: dict[str, Any] | None = Field(default=None, sa_column=sa.Column(JSONType))
    rollback_id: str | None = Field(default=None, max_length=26, index=True)
    # Numbered per project without gaps, in commit order (see ProjectCounter).
    project_seq: int | None = None
    # The token that made the change (its name); None in open local mode or from the CLI.
    principal: str | None = Field(default=None, max_length=64)


class ProjectCounter(SQLModel, table=True):
    """The last event number of a project; its row lock orders the project's events."""

    __tablename__ = "project_counter"

    project: str = Field(primary_key=True, max_length=64)
    last_seq: int = 0


class Outbox(SQLModel, table=True):
    """A memory whose vector-index entry lags its SQL row."""

    id: int | None = Field(default=None, primary_key=True)
    memory_id: str = Field(max_length=26, index=True)
    created_at: datetime = _when(nullable=False)


class IdempotencyKey(SQLModel, table=True):
    """A client's retry key and the memory ids its first request produced."""

    __tablename__ = "idempotency_key"

    key: str = Field(primary_key=True, max_length=200)
    memory_ids: list[str] = _json()
    request_hash: str = Field(max_length=64)
    created_at: datetime = _when(nullable=False)


class IndexState(SQLModel, table=True):
    """Facts about the vector index (embedding model id and dimension)."""

    __tablename__ = "index_state"

    key: str = Field(primary_key=True, max_length=64)
    value: str


class Checkpoint(SQLModel, table=True):
    """A marker at an event sequence of a project; QA passing marks one known-good."""

    id: str = Field(primary_key=True, max_length=26)
    project: str = Field(max_length=64, index=True)
    label: str = Field(max_length=200)
    agent: str = Field(max_length=64)
    known_good: bool = False
    note: str | None = None
    seq: int
    created_at: datetime = _when(nullable=False)


class Rollback(SQLModel, table=True):
    """A revert of a project (or part of it) to an earlier sequence, or the undo of one."""

    id: str = Field(primary_key=True, max_length=26)
    project: str = Field(max_length=64, index=True)
    target: str = Field(max_length=64)
    target_seq: int
    actor: str = Field(max_length=64)
    agent: str | None = Field(default=None, max_length=64)
    topic: str | None = Field(default=None, max_length=64)
    undo_of: str | None = Field(default=None, max_length=26)
    undone_by: str | None = Field(default=None, max_length=26)
    reason: str | None = Field(default=None, max_length=1000)
    changed: int = 0
    created_at: datetime = _when(nullable=False)


class EmbeddingCache(SQLModel, table=True):
    """A text's embedding under one model, so restored or repeated texts skip the model."""

    __tablename__ = "embedding_cache"

    key: str = Field(primary_key=True, max_length=64)
    vector: bytes = Field(sa_column=sa.Column(sa.LargeBinary(), nullable=False))


class ApiToken(SQLModel, table=True):
    """An access token: only its SHA-256 is kept; the token itself is shown once."""

    __tablename__ = "api_token"

    id: str = Field(primary_key=True, max_length=26)
    name: str = Field(max_length=64, unique=True)
    role: str = Field(max_length=16)
    agent: str | None = Field(default=None, max_length=64)
    projects: list[str] = _json()  # ["*"] is every project
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = _when(nullable=False)
    revoked_at: datetime | None = Field(
        default=None, sa_column=sa.Column(UTCDateTime(), nullable=True)
    )


class AuditEntry(SQLModel, table=True):
    """An action outside the memory event log (token management), for GET /v1/audit."""

    __tablename__ = "audit_entry"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _when(nullable=False, index=True)
    actor: str = Field(max_length=64)
    action: str = Field(max_length=32)
    target: str | None = Field(default=None, max_length=64)
    details: dict[str, Any] = _json({})


class UiSession(SQLModel, table=True):
    """A web UI sign-in: only its id's SHA-256 is kept, as for tokens; it ends at its
    expiry, at sign-out, or when its token is revoked."""

    __tablename__ = "ui_session"

    id_hash: str = Field(primary_key=True, max_length=64)
    token_id: str = Field(max_length=26, index=True)
    created_at: datetime = _when(nullable=False)
    expires_at: datetime = Field(sa_column=sa.Column(UTCDateTime(), nullable=False))
    ended_at: datetime | None = Field(
        default=None, sa_column=sa.Column(UTCDateTime(), nullable=True)
    )
