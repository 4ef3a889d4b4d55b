"""roles per assembly: memberships (account x assembly x role [x tables]) and one-time invitations

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 15:00:00

Until now every account could open every assembly. So that nothing changes for an install
that is upgraded, every existing account becomes organiser of every existing assembly; from
here on an account sees only the assemblies it has a role in (docs/security.md).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "membership",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assembly_id", sa.Integer(), nullable=False),
        sa.Column("facilitator_id", sa.Integer(), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("tables", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assembly_id"],
            ["assembly.id"],
        ),
        sa.ForeignKeyConstraint(
            ["facilitator_id"],
            ["facilitator.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("assembly_id", "facilitator_id"),
    )
    op.create_index(op.f("ix_membership_assembly_id"), "membership", ["assembly_id"], unique=False)
    op.create_index(
        op.f("ix_membership_facilitator_id"), "membership", ["facilitator_id"], unique=False
    )
    op.create_table(
        "invitation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assembly_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("tables", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("used_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("used_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["assembly_id"],
            ["assembly.id"],
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["facilitator.id"],
        ),
        sa.ForeignKeyConstraint(
            ["used_by"],
            ["facilitator.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_invitation_assembly_id"), "invitation", ["assembly_id"], unique=False)
    op.create_index(op.f("ix_invitation_code_hash"), "invitation", ["code_hash"], unique=True)
    # behaviour unchanged for an upgraded install: every account organises every assembly
    op.execute(
        "INSERT INTO membership (assembly_id, facilitator_id, role, tables, created_at) "
        "SELECT assembly.id, facilitator.id, 'organiser', '', CURRENT_TIMESTAMP "
        "FROM assembly CROSS JOIN facilitator"
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_invitation_code_hash"), table_name="invitation")
    op.drop_index(op.f("ix_invitation_assembly_id"), table_name="invitation")
    op.drop_table("invitation")
    op.drop_index(op.f("ix_membership_facilitator_id"), table_name="membership")
    op.drop_index(op.f("ix_membership_assembly_id"), table_name="membership")
    op.drop_table("membership")
