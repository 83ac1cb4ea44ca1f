"""Issue 14: bids (tenders won or lost, with their tenderers), contract modifications (with their
contractors), and the contract id of an award.

Tables declared in store/schema/bids.py; ``awards.contract_id`` in store/schema/shared.py. Notices stored
before this revision keep their awards as parsed then; collecting them again (their parsed content
now hashes differently) replaces them, and the reads leave modification notices out either way.

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('bids',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notice_pk', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('lot_id', sa.String(length=100), nullable=False),
    sa.Column('won', sa.Boolean(), nullable=True),
    sa.Column('rank', sa.Integer(), nullable=True),
    sa.Column('value', sa.Numeric(precision=20, scale=2), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=True),
    sa.Column('tender_id', sa.String(length=100), nullable=True),
    sa.ForeignKeyConstraint(['notice_pk'], ['notices.id'], name=op.f('fk_bids_notice_pk_notices'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bids')),
    sa.UniqueConstraint('notice_pk', 'seq', name=op.f('uq_bids_notice_pk'))
    )
    with op.batch_alter_table('bids', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bids_notice_pk'), ['notice_pk'], unique=False)

    op.create_table('contract_modifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notice_pk', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('lot_id', sa.String(length=100), nullable=True),
    sa.Column('original_notice', sa.String(length=100), nullable=True),
    sa.Column('contract_id', sa.String(length=200), nullable=True),
    sa.Column('value_before', sa.Numeric(precision=20, scale=2), nullable=True),
    sa.Column('value_after', sa.Numeric(precision=20, scale=2), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=True),
    sa.Column('original_value', sa.Numeric(precision=20, scale=2), nullable=True),
    sa.Column('original_currency', sa.String(length=3), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['notice_pk'], ['notices.id'], name=op.f('fk_contract_modifications_notice_pk_notices'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contract_modifications')),
    sa.UniqueConstraint('notice_pk', 'seq', name=op.f('uq_contract_modifications_notice_pk'))
    )
    with op.batch_alter_table('contract_modifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contract_modifications_notice_pk'), ['notice_pk'], unique=False)
        batch_op.create_index(batch_op.f('ix_contract_modifications_original_notice'), ['original_notice'], unique=False)

    op.create_table('bid_tenderers',
    sa.Column('bid_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['bid_id'], ['bids.id'], name=op.f('fk_bid_tenderers_bid_id_bids'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_bid_tenderers_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('bid_id', 'organisation_id', name=op.f('pk_bid_tenderers'))
    )
    with op.batch_alter_table('bid_tenderers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bid_tenderers_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('modification_contractors',
    sa.Column('modification_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['modification_id'], ['contract_modifications.id'], name=op.f('fk_modification_contractors_modification_id_contract_modifications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_modification_contractors_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('modification_id', 'organisation_id', name=op.f('pk_modification_contractors'))
    )
    with op.batch_alter_table('modification_contractors', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_modification_contractors_organisation_id'), ['organisation_id'], unique=False)

    with op.batch_alter_table('awards', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contract_id', sa.String(length=200), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('awards', schema=None) as batch_op:
        batch_op.drop_column('contract_id')

    with op.batch_alter_table('modification_contractors', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_modification_contractors_organisation_id'))

    op.drop_table('modification_contractors')
    with op.batch_alter_table('bid_tenderers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bid_tenderers_organisation_id'))

    op.drop_table('bid_tenderers')
    with op.batch_alter_table('contract_modifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contract_modifications_original_notice'))
        batch_op.drop_index(batch_op.f('ix_contract_modifications_notice_pk'))

    op.drop_table('contract_modifications')
    with op.batch_alter_table('bids', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bids_notice_pk'))

    op.drop_table('bids')
