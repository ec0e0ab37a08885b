"""keyword index: a title that is only the content's first line is not indexed twice

Revision ID: 0020
Revises: 0050
Create Date: 2026-11-26

A memory stored without a title gets its first line as title. FTS5 weighted that line four
times (title weight) on top of the content, so bm25 favoured whatever the first sentence
said; on LoCoMo that cost about 0.015 recall@10 (decisions/0020). The index now reads from
a view that blanks such derived titles; explicit titles keep their weight. SQLite only: the
PostgreSQL search vector is left as it is.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0020"
down_revision: str | None = "0050"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = "title, content, reasoning, topic, tags"
TOKENIZE = "tokenize='porter unicode61 remove_diacritics 2'"
_WS = "' ' || char(9, 10, 13)"


def _title(row: str) -> str:
    """SQL for the indexed title: blank when the content starts with it (a derived title)."""
    bare = f"rtrim({row}title, '.')"
    start = f"substr(ltrim({row}content, {_WS}), 1, length({bare}))"
    return f"CASE WHEN {start} = {bare} THEN '' ELSE {row}title END"


def _values(row: str, title: str) -> str:
    return f"{row}pk, {title}, {row}content, {row}reasoning, {row}topic, {row}tags"


def _rebuild(source: str, title: str, old_title: str) -> None:
    for trigger in ("memory_fts_ai", "memory_fts_ad", "memory_fts_au"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS memory_fts")
    op.execute(
        f"CREATE VIRTUAL TABLE memory_fts USING fts5({COLUMNS}, content='{source}', "
        f"content_rowid='pk', {TOKENIZE})"
    )
    new_values, old_values = _values("new.", title), _values("old.", old_title)
    op.execute(
        "CREATE TRIGGER memory_fts_ai AFTER INSERT ON memory BEGIN "
        f"INSERT INTO memory_fts(rowid, {COLUMNS}) VALUES ({new_values}); END"
    )
    op.execute(
        "CREATE TRIGGER memory_fts_ad AFTER DELETE ON memory BEGIN "
        f"INSERT INTO memory_fts(memory_fts, rowid, {COLUMNS}) "
        f"VALUES ('delete', {old_values}); END"
    )
    op.execute(
        f"CREATE TRIGGER memory_fts_au AFTER UPDATE OF {COLUMNS} ON memory BEGIN "
        f"INSERT INTO memory_fts(memory_fts, rowid, {COLUMNS}) "
        f"VALUES ('delete', {old_values}); "
        f"INSERT INTO memory_fts(rowid, {COLUMNS}) VALUES ({new_values}); END"
    )
    op.execute("INSERT INTO memory_fts(memory_fts) VALUES ('rebuild')")


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(
        f"CREATE VIEW memory_fts_source AS SELECT pk, {_title('')} AS title, "
        "content, reasoning, topic, tags FROM memory"
    )
    _rebuild("memory_fts_source", _title("new."), _title("old."))


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    _rebuild("memory", "new.title", "old.title")
    op.execute("DROP VIEW IF EXISTS memory_fts_source")
