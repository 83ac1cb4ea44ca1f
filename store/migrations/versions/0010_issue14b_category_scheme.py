"""Notices classified in a scheme other than CPV (OCDS imports): the scheme's name and its codes.

Owned by the OCDS import (issue 14, import half): columns declared on ``notices`` in store/schema.py.
Existing notices are CPV notices, hence the server default.

Revision ID: 0010_issue14b
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

revision = '0010_issue14b'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('category_scheme', sa.String(length=40), server_default='CPV', nullable=False))
        batch_op.add_column(sa.Column('category_codes', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.drop_column('category_codes')
        batch_op.drop_column('category_scheme')
