"""Risk models: trained model registry and anything beyond risk_scores.

Owned by the risk area: its tables are declared in store/schema_risk.py.

Revision ID: 0006
Revises: 0005
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
