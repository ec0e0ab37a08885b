"""web UI sessions: the hash of each session id, its token, expiry and end

Revision ID: 0080
Revises: 0070
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0080"
down_revision: str | None = "0070"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ui_session",
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("token_id", sa.String(length=26), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id_hash"),
    )
    op.create_index(op.f("ix_ui_session_token_id"), "ui_session", ["token_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_ui_session_token_id"), table_name="ui_session")
    op.drop_table("ui_session")
