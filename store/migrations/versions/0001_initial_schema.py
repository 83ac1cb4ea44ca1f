"""Initial schema: notices, lots, awards, organisations, CPV labels, watermarks, quarantine, runs, meta.

Revision ID: 0001
Revises:
Create Date: 2026-11-22 15:18:33.504972
"""
import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Long because a migration is the frozen record of one schema step, every table of the step in one
    # function as Alembic wrote it: splitting it would change nothing a reader or the database needs.
    op.create_table('collection_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=30), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('fetched', sa.Integer(), nullable=False),
    sa.Column('added', sa.Integer(), nullable=False),
    sa.Column('updated', sa.Integer(), nullable=False),
    sa.Column('unchanged', sa.Integer(), nullable=False),
    sa.Column('quarantined', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('details', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_collection_runs'))
    )
    with op.batch_alter_table('collection_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_collection_runs_source'), ['source'], unique=False)

    op.create_table('cpv_codes',
    sa.Column('code', sa.String(length=8), nullable=False),
    sa.Column('label_en', sa.Text(), nullable=False),
    sa.Column('label_nl', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_cpv_codes'))
    )
    op.create_table('organisations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_key', sa.String(length=300), nullable=False),
    sa.Column('name', sa.String(length=500), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=True),
    sa.Column('company_id', sa.String(length=100), nullable=True),
    sa.Column('town', sa.String(length=200), nullable=True),
    sa.Column('postcode', sa.String(length=20), nullable=True),
    sa.Column('first_seen', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisations')),
    sa.UniqueConstraint('org_key', name=op.f('uq_organisations_org_key'))
    )
    op.create_table('quarantine',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=30), nullable=False),
    sa.Column('record_key', sa.String(length=500), nullable=False),
    sa.Column('location', sa.String(length=1000), nullable=False),
    sa.Column('field', sa.String(length=300), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('payload', sa.LargeBinary(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('first_seen', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quarantine')),
    sa.UniqueConstraint('source', 'record_key', name=op.f('uq_quarantine_source'))
    )
    with op.batch_alter_table('quarantine', schema=None) as batch_op:
        batch_op.create_index('ix_quarantine_open', ['source', 'resolved_at'], unique=False)

    op.create_table('store_meta',
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_store_meta'))
    )
    op.create_table('watermarks',
    sa.Column('source', sa.String(length=30), nullable=False),
    sa.Column('scope', sa.String(length=300), nullable=False),
    sa.Column('value', sa.String(length=100), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('source', 'scope', name=op.f('pk_watermarks'))
    )
    op.create_table('notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=30), nullable=False),
    sa.Column('notice_id', sa.String(length=100), nullable=False),
    sa.Column('format', sa.String(length=20), nullable=False),
    sa.Column('notice_type', sa.String(length=200), nullable=False),
    sa.Column('subtype', sa.String(length=20), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('published', sa.Date(), nullable=False),
    sa.Column('buyer_id', sa.Integer(), nullable=False),
    sa.Column('cpv_main', sa.String(length=8), nullable=True),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('procedure_type', sa.String(length=100), nullable=True),
    sa.Column('source_url', sa.String(length=1000), nullable=True),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('duplicate_of_id', sa.Integer(), nullable=True),
    sa.Column('collected_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['buyer_id'], ['organisations.id'], name=op.f('fk_notices_buyer_id_organisations')),
    sa.ForeignKeyConstraint(['duplicate_of_id'], ['notices.id'], name=op.f('fk_notices_duplicate_of_id_notices'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notices')),
    sa.UniqueConstraint('source', 'notice_id', name=op.f('uq_notices_source'))
    )
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notices_buyer_id'), ['buyer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notices_cpv_main'), ['cpv_main'], unique=False)
        batch_op.create_index(batch_op.f('ix_notices_duplicate_of_id'), ['duplicate_of_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notices_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_notices_published'), ['published'], unique=False)

    op.create_table('awards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notice_pk', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('lot_id', sa.String(length=100), nullable=False),
    sa.Column('value', sa.Numeric(precision=20, scale=2), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=True),
    sa.Column('tenders_received', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['notice_pk'], ['notices.id'], name=op.f('fk_awards_notice_pk_notices'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_awards')),
    sa.UniqueConstraint('notice_pk', 'seq', name=op.f('uq_awards_notice_pk'))
    )
    with op.batch_alter_table('awards', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_awards_notice_pk'), ['notice_pk'], unique=False)

    op.create_table('lots',
    sa.Column('notice_pk', sa.Integer(), nullable=False),
    sa.Column('lot_id', sa.String(length=100), nullable=False),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('cpv', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['notice_pk'], ['notices.id'], name=op.f('fk_lots_notice_pk_notices'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('notice_pk', 'lot_id', name=op.f('pk_lots'))
    )
    op.create_table('notice_cpv',
    sa.Column('notice_pk', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=8), nullable=False),
    sa.Column('is_main', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['notice_pk'], ['notices.id'], name=op.f('fk_notice_cpv_notice_pk_notices'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('notice_pk', 'code', name=op.f('pk_notice_cpv'))
    )
    with op.batch_alter_table('notice_cpv', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notice_cpv_code'), ['code'], unique=False)

    op.create_table('notice_identifiers',
    sa.Column('notice_pk', sa.Integer(), nullable=False),
    sa.Column('identifier', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['notice_pk'], ['notices.id'], name=op.f('fk_notice_identifiers_notice_pk_notices'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('notice_pk', 'identifier', name=op.f('pk_notice_identifiers'))
    )
    with op.batch_alter_table('notice_identifiers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notice_identifiers_identifier'), ['identifier'], unique=False)

    op.create_table('award_winners',
    sa.Column('award_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['award_id'], ['awards.id'], name=op.f('fk_award_winners_award_id_awards'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_award_winners_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('award_id', 'organisation_id', name=op.f('pk_award_winners'))
    )
    with op.batch_alter_table('award_winners', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_award_winners_organisation_id'), ['organisation_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('award_winners', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_award_winners_organisation_id'))

    op.drop_table('award_winners')
    with op.batch_alter_table('notice_identifiers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notice_identifiers_identifier'))

    op.drop_table('notice_identifiers')
    with op.batch_alter_table('notice_cpv', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notice_cpv_code'))

    op.drop_table('notice_cpv')
    op.drop_table('lots')
    with op.batch_alter_table('awards', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_awards_notice_pk'))

    op.drop_table('awards')
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notices_published'))
        batch_op.drop_index(batch_op.f('ix_notices_kind'))
        batch_op.drop_index(batch_op.f('ix_notices_duplicate_of_id'))
        batch_op.drop_index(batch_op.f('ix_notices_cpv_main'))
        batch_op.drop_index(batch_op.f('ix_notices_buyer_id'))

    op.drop_table('notices')
    op.drop_table('watermarks')
    op.drop_table('store_meta')
    with op.batch_alter_table('quarantine', schema=None) as batch_op:
        batch_op.drop_index('ix_quarantine_open')

    op.drop_table('quarantine')
    op.drop_table('organisations')
    op.drop_table('cpv_codes')
    with op.batch_alter_table('collection_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_collection_runs_source'))

    op.drop_table('collection_runs')
