"""the lottery: pool (personal data, deletable), quotas, computed lottery, public draw, audit

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 10:01:46
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _text(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def _when() -> sqlmodel.sql.sqltypes.UTCDateTime:
    return sqlmodel.sql.sqltypes.UTCDateTime()


def upgrade() -> None:
    op.create_table(
        "lottery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assembly_id", sa.Integer(), nullable=False),
        sa.Column("status", _text(12), nullable=False),
        sa.Column("panel_size", sa.Integer(), nullable=False),
        sa.Column("panels", sa.Integer(), nullable=False),
        sa.Column("household_columns", sa.JSON(), nullable=False),
        sa.Column("quotas", sa.JSON(), nullable=False),
        sa.Column("features", sa.JSON(), nullable=False),
        sa.Column("pool_size", sa.Integer(), nullable=False),
        sa.Column("pool", sa.JSON(), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("progress_stage", _text(40), nullable=False),
        sa.Column("progress_fraction", sa.Float(), nullable=False),
        sa.Column("progress_at", _when(), nullable=True),
        sa.Column("error", _text(4000), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("panel", sa.JSON(), nullable=False),
        sa.Column("kept", sa.JSON(), nullable=False),
        sa.Column("replacements", sa.JSON(), nullable=False),
        sa.Column("dropped", sa.JSON(), nullable=False),
        sa.Column("seed_text", _text(2000), nullable=False),
        sa.Column("seed_normalised", _text(2000), nullable=False),
        sa.Column("seed_sha256", _text(64), nullable=False),
        sa.Column("seed_rule", _text(40), nullable=False),
        sa.Column("draw_index", sa.Integer(), nullable=True),
        sa.Column("lottery_sha256", _text(64), nullable=False),
        sa.Column("version", _text(40), nullable=False),
        sa.Column("algorithm", _text(40), nullable=False),
        sa.Column("retention_days", sa.Integer(), nullable=False),
        sa.Column("audit", sa.JSON(), nullable=True),
        sa.Column("created_at", _when(), nullable=False),
        sa.Column("computed_at", _when(), nullable=True),
        sa.Column("drawn_at", _when(), nullable=True),
        sa.Column("confirmed_at", _when(), nullable=True),
        sa.Column("delete_after", _when(), nullable=True),
        sa.Column("pool_deleted_at", _when(), nullable=True),
        sa.ForeignKeyConstraint(["assembly_id"], ["assembly.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("lottery", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lottery_assembly_id"), ["assembly_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("lottery", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lottery_assembly_id"))
    op.drop_table("lottery")
