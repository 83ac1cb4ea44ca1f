"""Risk models: trained model registry and anything beyond risk_scores.

Owned by the risk area: its tables are declared in store/schema/risk.py. Intentionally empty: the
risk area needs no table of its own. Scores and runs live in the shared ``scoring_runs`` and
``risk_scores`` (revision 0002); trained models are files with JSON metadata in
``<data_dir>/models/`` (``pipelines.model_files``), which keeps a model, its card and its library
versions together and lets a file-based model be copied between installations.

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
