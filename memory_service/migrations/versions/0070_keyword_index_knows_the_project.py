"""the SQLite keyword index holds the project, so a search matches inside one project only

Revision ID: 0070
Revises: 0060
Create Date: 2026-11-26
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0070"
down_revision: str | None = "0060"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BEFORE = "title, content, reasoning, topic, tags"
# The project last: services keep bm25's weights for the others and give it none.
AFTER = f"{BEFORE}, project"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _recreate(AFTER)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _recreate(BEFORE)


def _recreate(columns: str) -> None:
    # External-content FTS5 over memory, kept in step by triggers (as in 0001), rebuilt
    # from the memory table: the index holds no data of its own.
    for trigger in ("memory_fts_ai", "memory_fts_ad", "memory_fts_au"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS memory_fts")
    old = ", ".join(f"old.{c.strip()}" for c in columns.split(","))
    new = ", ".join(f"new.{c.strip()}" for c in columns.split(","))
    op.execute(
        f"CREATE VIRTUAL TABLE memory_fts USING fts5({columns}, content='memory', "
        "content_rowid='pk', tokenize='porter unicode61 remove_diacritics 2')"
    )
    op.execute(
        "CREATE TRIGGER memory_fts_ai AFTER INSERT ON memory BEGIN "
        f"INSERT INTO memory_fts(rowid, {columns}) VALUES (new.pk, {new}); END"
    )
    op.execute(
        "CREATE TRIGGER memory_fts_ad AFTER DELETE ON memory BEGIN "
        f"INSERT INTO memory_fts(memory_fts, rowid, {columns}) "
        f"VALUES ('delete', old.pk, {old}); END"
    )
    op.execute(
        f"CREATE TRIGGER memory_fts_au AFTER UPDATE OF {columns} ON memory BEGIN "
        f"INSERT INTO memory_fts(memory_fts, rowid, {columns}) "
        f"VALUES ('delete', old.pk, {old}); "
        f"INSERT INTO memory_fts(rowid, {columns}) VALUES (new.pk, {new}); END"
    )
    op.execute("INSERT INTO memory_fts(memory_fts) VALUES ('rebuild')")
