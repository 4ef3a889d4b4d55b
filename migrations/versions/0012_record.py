"""the public record: settings (commissioned by, members' statement, observer link, retention), the council's responses, anonymous evaluation surveys

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 12:00:00

Survey answers (``surveyanswer``) have no member id and no time; on SQLite the table has no
rowid, so the rows sit in the order of their random keys.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'recordsettings',
        sa.Column('assembly_id', sa.Integer(), nullable=False),
        sa.Column('commissioned_by', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column('statement', sqlmodel.sql.sqltypes.AutoString(length=20000), nullable=False),
        sa.Column('observer_nonce', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('observer_notes', sa.Boolean(), nullable=False),
        sa.Column('evaluation_public', sa.Boolean(), nullable=False),
        sa.Column('retention_days', sa.Integer(), nullable=True),
        sa.Column('retained_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['assembly_id'], ['assembly.id'], ),
        sa.PrimaryKeyConstraint('assembly_id'),
    )
    op.create_table(
        'councilresponse',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('assembly_id', sa.Integer(), nullable=False),
        sa.Column('question_id', sa.Integer(), nullable=False),
        sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column('justification', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column('body', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('responded_on', sa.Date(), nullable=False),
        sa.Column('links', sa.JSON(), nullable=False),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['assembly_id'], ['assembly.id'], ),
        sa.ForeignKeyConstraint(['question_id'], ['ballotquestion.id'], ),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_councilresponse_assembly_id'), 'councilresponse', ['assembly_id'], unique=False)
    op.create_index(op.f('ix_councilresponse_question_id'), 'councilresponse', ['question_id'], unique=False)
    op.create_table(
        'survey',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('assembly_id', sa.Integer(), nullable=False),
        sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column('session_id', sa.Integer(), nullable=True),
        sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column('opened_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column('closed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['assembly_id'], ['assembly.id'], ),
        sa.ForeignKeyConstraint(['session_id'], ['session.id'], ),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_survey_assembly_id'), 'survey', ['assembly_id'], unique=False)
    op.create_table(
        'surveyanswer',
        sa.Column('answer_key', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('survey_id', sa.Integer(), nullable=False),
        sa.Column('answers', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], ),
        sa.PrimaryKeyConstraint('answer_key'),
        sqlite_with_rowid=False,
    )
    op.create_index(op.f('ix_surveyanswer_survey_id'), 'surveyanswer', ['survey_id'], unique=False)
    op.create_table(
        'surveyrespondent',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('survey_id', sa.Integer(), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['member_id'], ['member.id'], ),
        sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('survey_id', 'member_id'),
    )
    op.create_index(op.f('ix_surveyrespondent_member_id'), 'surveyrespondent', ['member_id'], unique=False)
    op.create_index(op.f('ix_surveyrespondent_survey_id'), 'surveyrespondent', ['survey_id'], unique=False)


def downgrade() -> None:
    op.drop_table('surveyrespondent')
    op.drop_table('surveyanswer')
    op.drop_table('survey')
    op.drop_table('councilresponse')
    op.drop_table('recordsettings')
