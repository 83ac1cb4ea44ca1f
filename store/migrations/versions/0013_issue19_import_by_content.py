"""Own-data imports are recognised by their content (kind, SHA-256), not their file name.

Revision ID: 0010_issue19
Revises: 0009_issue19
"""
from alembic import op

revision = '0010_issue19'
down_revision = '0009_issue19'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Two earlier imports of the same content under different names would collide: keep the newest.
    op.execute(
        "DELETE FROM own_data_imports WHERE id NOT IN "
        "(SELECT max(id) FROM own_data_imports GROUP BY kind, file_sha256)"
    )
    with op.batch_alter_table('own_data_imports', schema=None) as batch_op:
        batch_op.drop_constraint('uq_own_data_imports_kind', type_='unique')
        batch_op.create_unique_constraint('uq_own_data_imports_kind', ['kind', 'file_sha256'])
        batch_op.create_index('ix_own_data_imports_name', ['kind', 'file_name'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('own_data_imports', schema=None) as batch_op:
        batch_op.drop_index('ix_own_data_imports_name')
        batch_op.drop_constraint('uq_own_data_imports_kind', type_='unique')
        batch_op.create_unique_constraint('uq_own_data_imports_kind', ['kind', 'file_name'])
