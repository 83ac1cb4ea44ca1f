"""Feed articles stored with "&#38;" for "&" in their URL get their real URL and key, merged where both are stored.

Data only (``store.news_repair``): the reader handed over every "&" of an Atom link as "&#38;" (libxml2
2.14), so those articles were stored under a broken URL and a key the corrected reader does not compute.
The downgrade leaves the corrected rows as they are: the broken spelling is not worth restoring.

Revision ID: 0019_feed_ampersands
Revises: 0018_issue20_spend_org_cpv
"""
import logging

from alembic import op

from store.news_repair import repair_feed_ampersands

revision = '0019_feed_ampersands'
down_revision = '0018_issue20_spend_org_cpv'
branch_labels = None
depends_on = None


def upgrade() -> None:
    counts = repair_feed_ampersands(op.get_bind())
    if counts.articles or counts.merged:
        logging.getLogger("supplyradar.store.migrate").info("feed article URLs with '&#38;' corrected: %s", counts)


def downgrade() -> None:
    pass
