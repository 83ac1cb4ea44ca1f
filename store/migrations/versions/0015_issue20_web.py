"""The newest notice per source from an index (the source status page read every notice).

Revision ID: 0015_issue20_web
Revises: 0014_issue20
"""
from alembic import op

revision = '0015_issue20_web'
down_revision = '0014_issue20'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_notices_source_published', 'notices', ['source', 'published'])


def downgrade() -> None:
    op.drop_index('ix_notices_source_published', table_name='notices')
