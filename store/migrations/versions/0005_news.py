"""News articles, links to suppliers and countries, sanctions list.

Owned by the news area: its tables are declared in store/schema/news.py.

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('news_articles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('url_hash', sa.String(length=64), nullable=False),
    sa.Column('url', sa.String(length=1000), nullable=False),
    sa.Column('title_key', sa.String(length=300), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.Column('published', sa.DateTime(timezone=True), nullable=True),
    sa.Column('published_on', sa.Date(), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=True),
    sa.Column('source', sa.String(length=30), nullable=False),
    sa.Column('outlet', sa.String(length=200), nullable=False),
    sa.Column('event_class', sa.String(length=30), nullable=True),
    sa.Column('class_probabilities', sa.JSON(), nullable=True),
    sa.Column('model_version', sa.String(length=100), nullable=True),
    sa.Column('collected_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_news_articles')),
    sa.UniqueConstraint('url_hash', name=op.f('uq_news_articles_url_hash'))
    )
    with op.batch_alter_table('news_articles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_news_articles_event_class'), ['event_class'], unique=False)
        batch_op.create_index(batch_op.f('ix_news_articles_published_on'), ['published_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_news_articles_title_key'), ['title_key'], unique=False)

    op.create_table('news_article_organisations',
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('confidence', sa.Double(), nullable=False),
    sa.Column('matched', sa.String(length=500), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['news_articles.id'], name=op.f('fk_news_article_organisations_article_id_news_articles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_news_article_organisations_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('article_id', 'organisation_id', name=op.f('pk_news_article_organisations'))
    )
    with op.batch_alter_table('news_article_organisations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_news_article_organisations_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('news_article_countries',
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('confidence', sa.Double(), nullable=False),
    sa.Column('matched', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['news_articles.id'], name=op.f('fk_news_article_countries_article_id_news_articles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('article_id', 'country', name=op.f('pk_news_article_countries'))
    )
    with op.batch_alter_table('news_article_countries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_news_article_countries_country'), ['country'], unique=False)

    op.create_table('news_fetch_states',
    sa.Column('url', sa.String(length=1000), nullable=False),
    sa.Column('source', sa.String(length=30), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('etag', sa.String(length=500), nullable=True),
    sa.Column('last_modified', sa.String(length=100), nullable=True),
    sa.Column('last_status', sa.String(length=300), nullable=False),
    sa.Column('checked_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('url', name=op.f('pk_news_fetch_states'))
    )
    op.create_table('sanctions_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('list_name', sa.String(length=30), nullable=False),
    sa.Column('logical_id', sa.String(length=50), nullable=False),
    sa.Column('subject_type', sa.String(length=20), nullable=False),
    sa.Column('names', sa.JSON(), nullable=False),
    sa.Column('countries', sa.JSON(), nullable=False),
    sa.Column('programmes', sa.JSON(), nullable=False),
    sa.Column('eu_reference', sa.String(length=100), nullable=True),
    sa.Column('designated', sa.String(length=20), nullable=True),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('first_seen', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sanctions_entries')),
    sa.UniqueConstraint('list_name', 'logical_id', name=op.f('uq_sanctions_entries_list_name'))
    )
    with op.batch_alter_table('sanctions_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sanctions_entries_subject_type'), ['subject_type'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('sanctions_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sanctions_entries_subject_type'))
    op.drop_table('sanctions_entries')
    op.drop_table('news_fetch_states')
    with op.batch_alter_table('news_article_countries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_news_article_countries_country'))
    op.drop_table('news_article_countries')
    with op.batch_alter_table('news_article_organisations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_news_article_organisations_organisation_id'))
    op.drop_table('news_article_organisations')
    with op.batch_alter_table('news_articles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_news_articles_title_key'))
        batch_op.drop_index(batch_op.f('ix_news_articles_published_on'))
        batch_op.drop_index(batch_op.f('ix_news_articles_event_class'))
    op.drop_table('news_articles')
