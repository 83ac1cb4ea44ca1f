"""Web users: their own language for pages and alert messages (issue 18).

Revision ID: 0009_issue18
Revises: 0010_issue14b
"""
import sqlalchemy as sa
from alembic import op

revision = '0009_issue18'
down_revision = '0010_issue14b'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('web_users') as batch:
        batch.add_column(sa.Column('language', sa.String(length=5), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('web_users') as batch:
        batch.drop_column('language')
