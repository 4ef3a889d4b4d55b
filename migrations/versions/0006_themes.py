"""themes on the board, drafts with versions, sources, lineage and feedback, the board log

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 10:01:45.314570
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('draft',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assembly_id', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=False),
    sa.Column('rationale', sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('open_tables', sa.JSON(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['assembly_id'], ['assembly.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('draft', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_draft_assembly_id'), ['assembly_id'], unique=False)

    op.create_table('draftfeedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('table_no', sa.Integer(), nullable=True),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['draft_id'], ['draft.id'], ),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('draftfeedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_draftfeedback_draft_id'), ['draft_id'], unique=False)

    op.create_table('draftlineage',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=False),
    sa.Column('child_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['child_id'], ['draft.id'], ),
    sa.ForeignKeyConstraint(['parent_id'], ['draft.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('parent_id', 'child_id')
    )
    with op.batch_alter_table('draftlineage', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_draftlineage_child_id'), ['child_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_draftlineage_parent_id'), ['parent_id'], unique=False)

    op.create_table('draftversion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=False),
    sa.Column('rationale', sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=False),
    sa.Column('author_kind', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('facilitator_id', sa.Integer(), nullable=True),
    sa.Column('table_no', sa.Integer(), nullable=True),
    sa.Column('summary', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['draft_id'], ['draft.id'], ),
    sa.ForeignKeyConstraint(['facilitator_id'], ['facilitator.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('draft_id', 'number')
    )
    with op.batch_alter_table('draftversion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_draftversion_draft_id'), ['draft_id'], unique=False)

    op.create_table('boardaction',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assembly_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('facilitator_id', sa.Integer(), nullable=True),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('summary', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('undo', sa.JSON(), nullable=False),
    sa.Column('undone', sa.Boolean(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['assembly_id'], ['assembly.id'], ),
    sa.ForeignKeyConstraint(['facilitator_id'], ['facilitator.id'], ),
    sa.ForeignKeyConstraint(['item_id'], ['agendaitem.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('boardaction', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_boardaction_assembly_id'), ['assembly_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_boardaction_item_id'), ['item_id'], unique=False)

    op.create_table('theme',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assembly_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.Column('confirmed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['assembly_id'], ['assembly.id'], ),
    sa.ForeignKeyConstraint(['item_id'], ['agendaitem.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('theme', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_theme_assembly_id'), ['assembly_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_theme_item_id'), ['item_id'], unique=False)

    op.create_table('draftsource',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=False),
    sa.Column('theme_id', sa.Integer(), nullable=True),
    sa.Column('note_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['draft_id'], ['draft.id'], ),
    sa.ForeignKeyConstraint(['note_id'], ['note.id'], ),
    sa.ForeignKeyConstraint(['theme_id'], ['theme.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('draftsource', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_draftsource_draft_id'), ['draft_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_draftsource_note_id'), ['note_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_draftsource_theme_id'), ['theme_id'], unique=False)

    op.create_table('suggestionrejection',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('note_id', sa.Integer(), nullable=False),
    sa.Column('theme_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['note_id'], ['note.id'], ),
    sa.ForeignKeyConstraint(['theme_id'], ['theme.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('note_id', 'theme_id')
    )
    with op.batch_alter_table('suggestionrejection', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_suggestionrejection_note_id'), ['note_id'], unique=False)

    op.create_table('themenote',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('theme_id', sa.Integer(), nullable=False),
    sa.Column('note_id', sa.Integer(), nullable=False),
    sa.Column('placed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['note_id'], ['note.id'], ),
    sa.ForeignKeyConstraint(['theme_id'], ['theme.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('note_id')
    )
    with op.batch_alter_table('themenote', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_themenote_theme_id'), ['theme_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('themenote', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_themenote_theme_id'))

    op.drop_table('themenote')
    with op.batch_alter_table('suggestionrejection', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_suggestionrejection_note_id'))

    op.drop_table('suggestionrejection')
    with op.batch_alter_table('draftsource', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_draftsource_theme_id'))
        batch_op.drop_index(batch_op.f('ix_draftsource_note_id'))
        batch_op.drop_index(batch_op.f('ix_draftsource_draft_id'))

    op.drop_table('draftsource')
    with op.batch_alter_table('theme', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_theme_item_id'))
        batch_op.drop_index(batch_op.f('ix_theme_assembly_id'))

    op.drop_table('theme')
    with op.batch_alter_table('boardaction', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_boardaction_item_id'))
        batch_op.drop_index(batch_op.f('ix_boardaction_assembly_id'))

    op.drop_table('boardaction')
    with op.batch_alter_table('draftversion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_draftversion_draft_id'))

    op.drop_table('draftversion')
    with op.batch_alter_table('draftlineage', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_draftlineage_parent_id'))
        batch_op.drop_index(batch_op.f('ix_draftlineage_child_id'))

    op.drop_table('draftlineage')
    with op.batch_alter_table('draftfeedback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_draftfeedback_draft_id'))

    op.drop_table('draftfeedback')
    with op.batch_alter_table('draft', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_draft_assembly_id'))

    op.drop_table('draft')
