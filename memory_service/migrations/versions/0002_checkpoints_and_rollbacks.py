"""checkpoints and rollbacks, and an index for reading a memory's versions in order

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "checkpoint",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("project", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("agent", sa.String(length=64), nullable=False),
        sa.Column("known_good", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_checkpoint_project"), "checkpoint", ["project"], unique=False)
    op.create_table(
        "rollback",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("project", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=64), nullable=False),
        sa.Column("target_seq", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("agent", sa.String(length=64), nullable=True),
        sa.Column("topic", sa.String(length=64), nullable=True),
        sa.Column("undo_of", sa.String(length=26), nullable=True),
        sa.Column("undone_by", sa.String(length=26), nullable=True),
        sa.Column("changed", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_rollback_project"), "rollback", ["project"], unique=False)
    # Time travel reads "the newest version of this memory at or before seq S".
    op.create_index("ix_event_memory_seq", "event", ["memory_id", "seq"], unique=False)
    op.create_index("ix_event_project_seq", "event", ["project", "seq"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_event_project_seq", table_name="event")
    op.drop_index("ix_event_memory_seq", table_name="event")
    op.drop_index(op.f("ix_rollback_project"), table_name="rollback")
    op.drop_table("rollback")
    op.drop_index(op.f("ix_checkpoint_project"), table_name="checkpoint")
    op.drop_table("checkpoint")
