"""a rollback keeps the reason its actor gave

Revision ID: 0090
Revises: 0080
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0090"
down_revision: str | None = "0080"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("rollback") as batch:
        batch.add_column(sa.Column("reason", sa.String(length=1000), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("rollback") as batch:
        batch.drop_column("reason")
