"""projector scenes (assembly.scene, scene_ref), facilitator display names

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('assembly', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scene', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False, server_default='now'))
        batch_op.add_column(sa.Column('scene_ref', sa.Integer(), nullable=True))
    with op.batch_alter_table('facilitator', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False, server_default=''))
    # The table plan was a "wall grouping"; it is a scene now.
    op.execute("UPDATE assembly SET scene = 'plan', wall_group = 'table' WHERE wall_group = 'plan'")


def downgrade() -> None:
    with op.batch_alter_table('facilitator', schema=None) as batch_op:
        batch_op.drop_column('name')
    with op.batch_alter_table('assembly', schema=None) as batch_op:
        batch_op.drop_column('scene_ref')
        batch_op.drop_column('scene')
