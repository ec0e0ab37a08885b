"""memory (project, session, pk) index: a session's memories in the order they were written

Revision ID: 0060
Revises: 0050
Create Date: 2026-11-26
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0060"
down_revision: str | None = "0050"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Search ranks a memory by its neighbours in its session (services/search/ranking.py), and the
    # vector index embeds it with the one before it (services/sessions.py).
    op.create_index("ix_memory_project_session_pk", "memory", ["project", "session", "pk"])


def downgrade() -> None:
    op.drop_index("ix_memory_project_session_pk", table_name="memory")
