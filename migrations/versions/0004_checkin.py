"""check-in flag on members; the room's spotlight

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("present", sa.Boolean(), nullable=False, server_default=sa.true())
        )
    with op.batch_alter_table("assembly", schema=None) as batch_op:
        batch_op.add_column(sa.Column("spotlight", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("assembly", schema=None) as batch_op:
        batch_op.drop_column("spotlight")
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.drop_column("present")
