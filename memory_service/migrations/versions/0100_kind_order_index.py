"""memory (project, kind, occurred_at, pk) index: a project's newest memories of one kind

Revision ID: 0100
Revises: 0090
Create Date: 2026-12-05
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0100"
down_revision: str | None = "0090"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Recall lists a project's newest decisions, deliverables and open handoffs
    # (services/recall/sections.py): read in index order, not sorted out of every memory.
    op.create_index(
        "ix_memory_project_kind_occurred", "memory", ["project", "kind", "occurred_at", "pk"]
    )


def downgrade() -> None:
    op.drop_index("ix_memory_project_kind_occurred", table_name="memory")
