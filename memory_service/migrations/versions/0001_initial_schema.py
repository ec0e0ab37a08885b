"""initial schema: memories, the event log, the outbox, idempotency keys, FTS5/tsvector

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "event",
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("project", sa.String(length=64), nullable=False),
        sa.Column("memory_id", sa.String(length=26), nullable=True),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("before", JSON, nullable=True),
        sa.Column("after", JSON, nullable=True),
        sa.Column("rollback_id", sa.String(length=26), nullable=True),
        sa.Column("project_seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
    )
    # One number per project, so a project's log has no gaps and no two events share one.
    op.create_index(
        "uq_event_project_project_seq", "event", ["project", "project_seq"], unique=True
    )
    op.create_table(
        "project_counter",
        sa.Column("project", sa.String(length=64), nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("project"),
    )
    op.create_index(op.f("ix_event_memory_id"), "event", ["memory_id"], unique=False)
    op.create_index(op.f("ix_event_project"), "event", ["project"], unique=False)
    op.create_index(op.f("ix_event_rollback_id"), "event", ["rollback_id"], unique=False)
    op.create_table(
        "idempotency_key",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("memory_ids", JSON, nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "index_state",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "memory",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("project", sa.String(length=64), nullable=False),
        sa.Column("agent", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("reasoning", sa.Text(), nullable=True),
        sa.Column("topic", sa.String(length=64), nullable=True),
        sa.Column("tags", JSON, nullable=False),
        sa.Column("for_agents", JSON, nullable=False),
        sa.Column("session", sa.String(length=128), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("supersedes", sa.String(length=26), nullable=True),
        sa.Column("superseded_by", sa.String(length=26), nullable=True),
        sa.Column("refs", JSON, nullable=False),
        sa.Column("meta", JSON, nullable=False),
        sa.Column("context", sa.Text(), nullable=True),
        sa.Column("options", JSON, nullable=False),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("consequences", JSON, nullable=False),
        sa.Column("decision_makers", JSON, nullable=False),
        sa.Column("completed", JSON, nullable=False),
        sa.Column("pending", JSON, nullable=False),
        sa.Column("risks", JSON, nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("pk"),
    )
    op.create_index(op.f("ix_memory_agent"), "memory", ["agent"], unique=False)
    op.create_index(op.f("ix_memory_content_hash"), "memory", ["content_hash"], unique=False)
    op.create_index(op.f("ix_memory_id"), "memory", ["id"], unique=True)
    op.create_index(op.f("ix_memory_occurred_at"), "memory", ["occurred_at"], unique=False)
    op.create_index(op.f("ix_memory_project"), "memory", ["project"], unique=False)
    op.create_index(op.f("ix_memory_status"), "memory", ["status"], unique=False)
    op.create_index(op.f("ix_memory_topic"), "memory", ["topic"], unique=False)
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("memory_id", sa.String(length=26), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_outbox_memory_id"), "outbox", ["memory_id"], unique=False)

    if op.get_bind().dialect.name == "sqlite":
        _create_sqlite_fts()
    if op.get_bind().dialect.name == "postgresql":
        _create_postgres_search()


FTS_COLUMNS = "title, content, reasoning, topic, tags"


def _create_sqlite_fts() -> None:
    # External-content FTS5 index over memory, kept in step by triggers, so that
    # no write path can forget it. Porter stemming matches "migrations" to "migrate".
    old = ", ".join(f"old.{c.strip()}" for c in FTS_COLUMNS.split(","))
    new = ", ".join(f"new.{c.strip()}" for c in FTS_COLUMNS.split(","))
    op.execute(
        f"CREATE VIRTUAL TABLE memory_fts USING fts5({FTS_COLUMNS}, content='memory', "
        "content_rowid='pk', tokenize='porter unicode61 remove_diacritics 2')"
    )
    op.execute(
        "CREATE TRIGGER memory_fts_ai AFTER INSERT ON memory BEGIN "
        f"INSERT INTO memory_fts(rowid, {FTS_COLUMNS}) VALUES (new.pk, {new}); END"
    )
    op.execute(
        "CREATE TRIGGER memory_fts_ad AFTER DELETE ON memory BEGIN "
        f"INSERT INTO memory_fts(memory_fts, rowid, {FTS_COLUMNS}) "
        f"VALUES ('delete', old.pk, {old}); END"
    )
    op.execute(
        f"CREATE TRIGGER memory_fts_au AFTER UPDATE OF {FTS_COLUMNS} ON memory BEGIN "
        f"INSERT INTO memory_fts(memory_fts, rowid, {FTS_COLUMNS}) "
        f"VALUES ('delete', old.pk, {old}); "
        f"INSERT INTO memory_fts(rowid, {FTS_COLUMNS}) VALUES (new.pk, {new}); END"
    )


# The same columns and weights as FTS5's bm25 (title 4, topic and tags 2, content 1,
# reasoning 0.6), as tsvector weights A-D; generated, so no write path can forget it.
PG_SEARCH_VECTOR = """
    setweight(to_tsvector('english', coalesce(title, '')), 'A')
    || setweight(to_tsvector('english', coalesce(topic, '')), 'B')
    || setweight(jsonb_to_tsvector('english', tags, '["string"]'), 'B')
    || setweight(to_tsvector('english', content), 'C')
    || setweight(to_tsvector('english', coalesce(reasoning, '')), 'D')
"""


def _create_postgres_search() -> None:
    op.execute(
        f"ALTER TABLE memory ADD COLUMN search_vector tsvector "
        f"GENERATED ALWAYS AS ({PG_SEARCH_VECTOR}) STORED"
    )
    op.execute("CREATE INDEX ix_memory_search_vector ON memory USING gin (search_vector)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS memory_fts")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_memory_search_vector")

    op.drop_index(op.f("ix_outbox_memory_id"), table_name="outbox")
    op.drop_table("outbox")
    op.drop_index(op.f("ix_memory_topic"), table_name="memory")
    op.drop_index(op.f("ix_memory_status"), table_name="memory")
    op.drop_index(op.f("ix_memory_project"), table_name="memory")
    op.drop_index(op.f("ix_memory_occurred_at"), table_name="memory")
    op.drop_index(op.f("ix_memory_id"), table_name="memory")
    op.drop_index(op.f("ix_memory_content_hash"), table_name="memory")
    op.drop_index(op.f("ix_memory_agent"), table_name="memory")
    op.drop_table("memory")
    op.drop_table("index_state")
    op.drop_table("idempotency_key")
    op.drop_index(op.f("ix_event_rollback_id"), table_name="event")
    op.drop_index(op.f("ix_event_project"), table_name="event")
    op.drop_index(op.f("ix_event_memory_id"), table_name="event")
    op.drop_table("project_counter")
    op.drop_index("uq_event_project_project_seq", table_name="event")
    op.drop_table("event")
