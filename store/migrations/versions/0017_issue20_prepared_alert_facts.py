"""Facts an alert run reads, worked out ahead by the score-suppliers flow (prepared_alert_facts), and the
indexes its stamp is read from.

Revision ID: 0017_issue20_prepared
Revises: 0016_issue20_compact
"""
import sqlalchemy as sa
from alembic import op

revision = '0017_issue20_prepared'
down_revision = '0016_issue20_compact'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'prepared_alert_facts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('key', sa.String(length=100), nullable=False),
        sa.Column('as_of', sa.Date(), nullable=False),
        sa.Column('stamp', sa.String(length=200), nullable=False),
        sa.Column('settings', sa.Text(), nullable=False),
        sa.Column('meta', sa.JSON(), nullable=False),
        sa.Column('arrays', sa.LargeBinary(), nullable=True),
        sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_prepared_alert_facts')),
        sa.UniqueConstraint('kind', 'key', name=op.f('uq_prepared_alert_facts_kind')),
    )
    # the newest notice and organisation change: the stamp prepared facts are checked against, read at once
    op.create_index(op.f('ix_notices_collected_at'), 'notices', ['collected_at'])
    op.create_index(op.f('ix_organisations_updated_at'), 'organisations', ['updated_at'])


def downgrade() -> None:
    op.drop_index(op.f('ix_organisations_updated_at'), table_name='organisations')
    op.drop_index(op.f('ix_notices_collected_at'), table_name='notices')
    op.drop_table('prepared_alert_facts')
