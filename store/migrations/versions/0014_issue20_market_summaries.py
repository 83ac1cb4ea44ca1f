"""Market statistics per category and period (market_summaries), kept up to date by the flows.

Revision ID: 0014_issue20
Revises: 0010_issue19
"""
import sqlalchemy as sa
from alembic import op

revision = '0014_issue20'
down_revision = '0010_issue19'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'market_summaries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('cpv_prefix', sa.String(length=8), nullable=False),
        sa.Column('period', sa.String(length=20), nullable=False),
        sa.Column('start', sa.Date(), nullable=False),
        sa.Column('end', sa.Date(), nullable=False),
        sa.Column('awards', sa.Integer(), nullable=False),
        sa.Column('stats', sa.JSON(), nullable=False),
        sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_market_summaries')),
        sa.UniqueConstraint('cpv_prefix', 'period', name=op.f('uq_market_summaries_cpv_prefix')),
    )


def downgrade() -> None:
    op.drop_table('market_summaries')
