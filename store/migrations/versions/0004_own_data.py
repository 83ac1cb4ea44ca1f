"""Own spend and contracts, supplier identity matching and decisions.

Owned by the own data area: its tables are declared in store/schema/own_data.py.

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Long because a migration is the frozen record of one schema step, every table of the step in one
    # function as Alembic wrote it: splitting it would change nothing a reader or the database needs.
    op.create_table(
        'own_data_imports',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('file_name', sa.String(length=500), nullable=False),
        sa.Column('file_sha256', sa.String(length=64), nullable=False),
        sa.Column('encoding', sa.String(length=30), nullable=False),
        sa.Column('delimiter', sa.String(length=5), nullable=True),
        sa.Column('rows_read', sa.Integer(), nullable=False),
        sa.Column('rows_added', sa.Integer(), nullable=False),
        sa.Column('rows_updated', sa.Integer(), nullable=False),
        sa.Column('rows_unchanged', sa.Integer(), nullable=False),
        sa.Column('rows_removed', sa.Integer(), nullable=False),
        sa.Column('rows_skipped', sa.Integer(), nullable=False),
        sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_own_data_imports')),
        sa.UniqueConstraint('kind', 'file_name', name=op.f('uq_own_data_imports_kind')),
    )
    op.create_table(
        'own_data_issues',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('import_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('source_file', sa.String(length=500), nullable=False),
        sa.Column('row_number', sa.Integer(), nullable=False),
        sa.Column('column', sa.String(length=200), nullable=True),
        sa.Column('code', sa.String(length=40), nullable=False),
        sa.Column('message', sa.Text(), nullable=False),
        sa.Column('raw_value', sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(['import_id'], ['own_data_imports.id'], name=op.f('fk_own_data_issues_import_id_own_data_imports'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_own_data_issues')),
    )
    with op.batch_alter_table('own_data_issues', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_own_data_issues_import_id'), ['import_id'], unique=False)
        batch_op.create_index('ix_own_data_issues_kind_code', ['kind', 'code'], unique=False)

    op.create_table(
        'spend_line_details',
        sa.Column('spend_line_id', sa.Integer(), nullable=False),
        sa.Column('invoice_number', sa.String(length=100), nullable=True),
        sa.Column('supplier_ref', sa.String(length=100), nullable=True),
        sa.Column('contract_ref', sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(['spend_line_id'], ['spend_lines.id'], name=op.f('fk_spend_line_details_spend_line_id_spend_lines'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('spend_line_id', name=op.f('pk_spend_line_details')),
    )
    op.create_table(
        'match_candidates',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name_key', sa.String(length=500), nullable=False),
        sa.Column('source_name', sa.String(length=500), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('score', sa.Double(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('sources', sa.JSON(), nullable=False),
        sa.Column('explanation', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_match_candidates_organisation_id_organisations'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_match_candidates')),
        sa.UniqueConstraint('name_key', 'organisation_id', name=op.f('uq_match_candidates_name_key')),
    )
    with op.batch_alter_table('match_candidates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_match_candidates_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_match_candidates_status'), ['status'], unique=False)

    op.create_table(
        'match_decisions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name_key', sa.String(length=500), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('decision', sa.String(length=10), nullable=False),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('decided_by', sa.String(length=200), nullable=False),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_match_decisions_organisation_id_organisations'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_match_decisions')),
        sa.UniqueConstraint('name_key', 'organisation_id', name=op.f('uq_match_decisions_name_key')),
    )
    with op.batch_alter_table('match_decisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_match_decisions_organisation_id'), ['organisation_id'], unique=False)

    op.create_table(
        'organisation_merges',
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('canonical_id', sa.Integer(), nullable=False),
        sa.Column('method', sa.String(length=20), nullable=False),
        sa.Column('score', sa.Double(), nullable=True),
        sa.Column('merged_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['canonical_id'], ['organisations.id'], name=op.f('fk_organisation_merges_canonical_id_organisations'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_organisation_merges_organisation_id_organisations'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('organisation_id', name=op.f('pk_organisation_merges')),
    )
    with op.batch_alter_table('organisation_merges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organisation_merges_canonical_id'), ['canonical_id'], unique=False)


def downgrade() -> None:
    op.drop_table('organisation_merges')
    op.drop_table('match_decisions')
    op.drop_table('match_candidates')
    op.drop_table('spend_line_details')
    op.drop_table('own_data_issues')
    op.drop_table('own_data_imports')
