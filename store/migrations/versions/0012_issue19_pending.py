"""Quarantine entries say whether they are pending (fetched again by the next run) or refused.

Revision ID: 0009_issue19
Revises: 0009_issue18
"""
import sqlalchemy as sa
from alembic import op

revision = '0009_issue19'
down_revision = '0009_issue18'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('quarantine', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=20), server_default='refused', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('quarantine', schema=None) as batch_op:
        batch_op.drop_column('kind')
