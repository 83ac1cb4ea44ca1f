"""Indexes that another index of the same table begins with: dropped.

A unique constraint's index serves every read by its leading column as well as an index of that column alone
(SQLite and PostgreSQL both use an index's leading columns), so these only cost a write per row and their space:
awards, bids and contract modifications by notice (the ``(notice_pk, seq)`` constraint), score rows by scoring run
(``(run_id, organisation_id, category, kind)``: millions of rows in a national store's history), alert occurrences
and deliveries by alert. 0020 did the same for spend lines. Found by comparing every index's columns with every
other index's of its table (``tests/store/test_migrations.py`` now keeps it so).

Revision ID: 0021_issue20_prefix_indexes
Revises: 0020_issue20_spend_recent
"""
from alembic import op

revision = '0021_issue20_prefix_indexes'
down_revision = '0020_issue20_spend_recent'
branch_labels = None
depends_on = None

#: (index, table, column) of each index dropped
DROPPED = (
    ('ix_awards_notice_pk', 'awards', 'notice_pk'),
    ('ix_bids_notice_pk', 'bids', 'notice_pk'),
    ('ix_contract_modifications_notice_pk', 'contract_modifications', 'notice_pk'),
    ('ix_risk_scores_run_id', 'risk_scores', 'run_id'),
    ('ix_alert_occurrences_alert_id', 'alert_occurrences', 'alert_id'),
    ('ix_alert_deliveries_alert_id', 'alert_deliveries', 'alert_id'),
)


def upgrade() -> None:
    for index, table, _column in DROPPED:
        op.drop_index(index, table_name=table)


def downgrade() -> None:
    for index, table, column in DROPPED:
        op.create_index(index, table, [column])
