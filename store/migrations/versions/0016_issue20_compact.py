"""Score reasons and inputs stored once in ``score_documents``; score rows keep their keys.

Existing rows are moved over (their reasons items and inputs lists keyed as ``store.score_documents``
keys new ones); the downgrade writes the documents back into the rows.

Revision ID: 0016_issue20_compact
Revises: 0015_issue20_web
"""
from collections.abc import Iterator

import sqlalchemy as sa
from alembic import op

from store.score_documents import encode, fetch, keys_of, put

revision = '0016_issue20_compact'
down_revision = '0015_issue20_web'
branch_labels = None
depends_on = None

BATCH = 5000

scores = sa.table(
    'risk_scores', sa.column('id', sa.Integer()), sa.column('reasons', sa.JSON()), sa.column('inputs', sa.JSON()),
    sa.column('reason_refs', sa.JSON()), sa.column('inputs_ref', sa.BigInteger()),
)


def _batches(conn: sa.Connection, *columns: sa.ColumnElement) -> Iterator[list]:
    last = None
    while True:
        query = sa.select(scores.c.id, *columns).order_by(scores.c.id).limit(BATCH)
        if last is not None:
            query = query.where(scores.c.id > last)
        rows = conn.execute(query).all()
        if not rows:
            return
        yield rows
        last = rows[-1].id


def upgrade() -> None:
    op.create_table(
        'score_documents',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=False, nullable=False),
        sa.Column('body', sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_score_documents')),
    )
    with op.batch_alter_table('risk_scores') as batch:
        batch.add_column(sa.Column('reason_refs', sa.JSON(), nullable=True))
        batch.add_column(sa.Column('inputs_ref', sa.BigInteger(), nullable=True))
    conn = op.get_bind()
    update = scores.update().where(scores.c.id == sa.bindparam('b_id')).values(
        reason_refs=sa.bindparam('b_refs'), inputs_ref=sa.bindparam('b_inputs'))
    for rows in _batches(conn, scores.c.reasons, scores.c.inputs):
        documents: dict = {}
        values = []
        for row in rows:
            refs, inputs_ref = encode(row.reasons, row.inputs, documents)
            values.append({'b_id': row.id, 'b_refs': refs, 'b_inputs': inputs_ref})
        put(conn, documents)
        conn.execute(update, values)
    with op.batch_alter_table('risk_scores') as batch:
        batch.alter_column('reason_refs', existing_type=sa.JSON(), nullable=False)
        batch.drop_column('reasons')
        batch.drop_column('inputs')


def downgrade() -> None:
    with op.batch_alter_table('risk_scores') as batch:
        batch.add_column(sa.Column('reasons', sa.JSON(), nullable=True))
        batch.add_column(sa.Column('inputs', sa.JSON(), nullable=True))
    conn = op.get_bind()
    update = scores.update().where(scores.c.id == sa.bindparam('b_id')).values(
        reasons=sa.bindparam('b_reasons'), inputs=sa.bindparam('b_inputs'))
    for rows in _batches(conn, scores.c.reason_refs, scores.c.inputs_ref):
        documents = fetch(conn, keys_of(rows))
        values = [{'b_id': row.id, 'b_reasons': [documents[key] for key in row.reason_refs or ()],
                   'b_inputs': documents[row.inputs_ref] if row.inputs_ref is not None else []} for row in rows]
        conn.execute(update, values)
    with op.batch_alter_table('risk_scores') as batch:
        batch.alter_column('reasons', existing_type=sa.JSON(), nullable=False)
        batch.alter_column('inputs', existing_type=sa.JSON(), nullable=False)
        batch.drop_column('inputs_ref')
        batch.drop_column('reason_refs')
    op.drop_table('score_documents')
