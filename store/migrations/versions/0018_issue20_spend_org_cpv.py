"""What we buy from whom, read off an index: spend lines by (organisation, CPV).

An alert run reads the distinct (supplier, CPV) pairs of our spend; with N times the demo's spend (138,888
lines at demo scale 54) the table scan and its DISTINCT cost ~0.2 CPU-s a run, the covering index ~0.015.

Revision ID: 0018_issue20_spend_org_cpv
Revises: 0017_issue20_prepared
"""
from alembic import op

revision = '0018_issue20_spend_org_cpv'
down_revision = '0017_issue20_prepared'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_spend_lines_org_cpv', 'spend_lines', ['organisation_id', 'cpv'])


def downgrade() -> None:
    op.drop_index('ix_spend_lines_org_cpv', table_name='spend_lines')
