"""Who we bought from lately, read off an index: spend lines by (booking day, organisation).

An alert run's "our current suppliers" reads the distinct organisations of the last year's spend; with
N times the demo's spend (138,881 lines at demo scale 54) the booking-day index found the lines and each
line was then read for its organisation: ~0.035 CPU-s a run, ~0.015 off the covering index. The index by
booking day alone is its prefix, so it goes; so does the one by organisation alone, the prefix of
``ix_spend_lines_org_cpv`` (0018): one index fewer to write per imported line.

Revision ID: 0020_issue20_spend_recent
Revises: 0019_feed_ampersands
"""
from alembic import op

revision = '0020_issue20_spend_recent'
down_revision = '0019_feed_ampersands'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_spend_lines_booked_on_org', 'spend_lines', ['booked_on', 'organisation_id'])
    op.drop_index('ix_spend_lines_booked_on', table_name='spend_lines')
    op.drop_index('ix_spend_lines_organisation_id', table_name='spend_lines')


def downgrade() -> None:
    op.create_index('ix_spend_lines_organisation_id', 'spend_lines', ['organisation_id'])
    op.create_index('ix_spend_lines_booked_on', 'spend_lines', ['booked_on'])
    op.drop_index('ix_spend_lines_booked_on_org', table_name='spend_lines')
