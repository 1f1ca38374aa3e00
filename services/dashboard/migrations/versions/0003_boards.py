"""The competitions' live boards as the dashboard shows them: each competition's title and
status, and its newest public board (read models, rebuilt by replay).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 05:10:00.000000
"""

import sqlalchemy as sa
from alembic import op


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('competition_facts',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=True),
    sa.Column('level', sa.String(length=16), nullable=True),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('published_on', sa.Date(), nullable=True),
    sa.Column('as_of', sa.DateTime(timezone=True), nullable=False),
    sa.Column('as_of_event', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_competition_facts'))
    )
    op.create_table('board_facts',
    sa.Column('competition_id', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('final', sa.Boolean(), nullable=False),
    sa.Column('frozen', sa.Boolean(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('rows', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('competition_id', name=op.f('pk_board_facts'))
    )
    with op.batch_alter_table('board_facts', schema=None) as batch_op:
        batch_op.create_index('ix_board_facts_status', ['status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('board_facts', schema=None) as batch_op:
        batch_op.drop_index('ix_board_facts_status')

    op.drop_table('board_facts')
    op.drop_table('competition_facts')
