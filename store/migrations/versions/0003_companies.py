"""Company register and insolvency signals (KvK snapshots, insolvency cases).

Owned by the companies area: its tables are declared in store/schema/companies.py.

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('company_snapshots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('kvk_number', sa.String(length=8), nullable=False),
    sa.Column('observed_on', sa.Date(), nullable=False),
    sa.Column('confirmed_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('source_url', sa.String(length=1000), nullable=True),
    sa.Column('fetched_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_company_snapshots_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_company_snapshots')),
    sa.UniqueConstraint('kvk_number', 'observed_on', name=op.f('uq_company_snapshots_kvk_number'))
    )
    with op.batch_alter_table('company_snapshots', schema=None) as batch_op:
        batch_op.create_index('ix_company_snapshots_org_day', ['organisation_id', 'observed_on'], unique=False)

    op.create_table('insolvency_cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_number', sa.String(length=40), nullable=False),
    sa.Column('kvk_number', sa.String(length=8), nullable=True),
    sa.Column('name', sa.String(length=500), nullable=True),
    sa.Column('court', sa.String(length=200), nullable=True),
    sa.Column('legal_person', sa.Boolean(), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('fetched_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('removed_on', sa.Date(), nullable=True),
    sa.Column('removed_reason', sa.String(length=200), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_insolvency_cases')),
    sa.UniqueConstraint('case_number', name=op.f('uq_insolvency_cases_case_number'))
    )
    with op.batch_alter_table('insolvency_cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_insolvency_cases_kvk_number'), ['kvk_number'], unique=False)

    op.create_table('insolvency_checks',
    sa.Column('kvk_number', sa.String(length=8), nullable=False),
    sa.Column('checked_on', sa.Date(), nullable=False),
    sa.Column('cases', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('kvk_number', name=op.f('pk_insolvency_checks'))
    )
    op.create_table('insolvency_publications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('kenmerk', sa.String(length=60), nullable=False),
    sa.Column('published_on', sa.Date(), nullable=False),
    sa.Column('code', sa.String(length=4), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('event_kind', sa.String(length=60), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['insolvency_cases.id'], name=op.f('fk_insolvency_publications_case_id_insolvency_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_insolvency_publications')),
    sa.UniqueConstraint('kenmerk', name=op.f('uq_insolvency_publications_kenmerk'))
    )
    with op.batch_alter_table('insolvency_publications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_insolvency_publications_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_insolvency_publications_published_on'), ['published_on'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('insolvency_publications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_insolvency_publications_published_on'))
        batch_op.drop_index(batch_op.f('ix_insolvency_publications_case_id'))
    op.drop_table('insolvency_publications')
    op.drop_table('insolvency_checks')
    with op.batch_alter_table('insolvency_cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_insolvency_cases_kvk_number'))
    op.drop_table('insolvency_cases')
    with op.batch_alter_table('company_snapshots', schema=None) as batch_op:
        batch_op.drop_index('ix_company_snapshots_org_day')
    op.drop_table('company_snapshots')
