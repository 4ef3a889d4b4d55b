"""ballots and agreement checks: questions, secret votes (no member id), who voted, minority statements

Revision ID: 0009
Revises: 0007
Create Date: 2026-11-30 09:41:54.604852
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0009'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('ballot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assembly_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('rule', sa.JSON(), nullable=False),
    sa.Column('follows_id', sa.Integer(), nullable=True),
    sa.Column('results', sa.JSON(), nullable=False),
    sa.Column('turnout', sa.Integer(), nullable=False),
    sa.Column('members', sa.Integer(), nullable=False),
    sa.Column('present', sa.Integer(), nullable=False),
    sa.Column('opened_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('closed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['assembly_id'], ['assembly.id'], ),
    sa.ForeignKeyConstraint(['follows_id'], ['ballot.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('ballot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ballot_assembly_id'), ['assembly_id'], unique=False)

    op.create_table('ballotquestion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ballot_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=True),
    sa.Column('draft_version', sa.Integer(), nullable=True),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=False),
    sa.ForeignKeyConstraint(['ballot_id'], ['ballot.id'], ),
    sa.ForeignKeyConstraint(['draft_id'], ['draft.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('ballotquestion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ballotquestion_ballot_id'), ['ballot_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ballotquestion_draft_id'), ['draft_id'], unique=False)

    op.create_table('ballotkey',
    sa.Column('key_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['ballotquestion.id'], ),
    sa.PrimaryKeyConstraint('key_hash'),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('ballotkey', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ballotkey_question_id'), ['question_id'], unique=False)

    op.create_table('ballotvote',
    sa.Column('voter_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('choice', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('paper', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['ballotquestion.id'], ),
    sa.PrimaryKeyConstraint('voter_hash'),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('ballotvote', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ballotvote_question_id'), ['question_id'], unique=False)

    op.create_table('ballotvoter',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('paper', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ),
    sa.ForeignKeyConstraint(['question_id'], ['ballotquestion.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('question_id', 'member_id')
    )
    with op.batch_alter_table('ballotvoter', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ballotvoter_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ballotvoter_question_id'), ['question_id'], unique=False)

    op.create_table('minoritystatement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('facilitator_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['facilitator_id'], ['facilitator.id'], ),
    sa.ForeignKeyConstraint(['question_id'], ['ballotquestion.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('minoritystatement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_minoritystatement_question_id'), ['question_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('minoritystatement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_minoritystatement_question_id'))

    op.drop_table('minoritystatement')
    with op.batch_alter_table('ballotvoter', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ballotvoter_question_id'))
        batch_op.drop_index(batch_op.f('ix_ballotvoter_member_id'))

    op.drop_table('ballotvoter')
    with op.batch_alter_table('ballotvote', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ballotvote_question_id'))

    op.drop_table('ballotvote')
    with op.batch_alter_table('ballotkey', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ballotkey_question_id'))

    op.drop_table('ballotkey')
    with op.batch_alter_table('ballotquestion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ballotquestion_draft_id'))
        batch_op.drop_index(batch_op.f('ix_ballotquestion_ballot_id'))

    op.drop_table('ballotquestion')
    with op.batch_alter_table('ballot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ballot_assembly_id'))

    op.drop_table('ballot')
