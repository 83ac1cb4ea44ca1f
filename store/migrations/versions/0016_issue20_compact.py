"""Score reasons and inputs stored once in ``score_documents``; score rows keep their keys.

Existing rows are moved over (their reasons items and inputs lists keyed as ``store.score_documents``
keys new ones); the downgrade writes the documents back into the rows.

Revision ID: 0016_issue20_compact
Revises: 0015_issue20_web
"""
from collections.abc import Callable, Iterator

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


def _move(new: tuple[sa.Column, ...], old: tuple[str, ...], required: tuple[str, ...],
          convert: Callable[[sa.Connection, list], list[tuple]]) -> None:
    """Add the ``new`` columns, fill them from the ``old`` ones (``convert``: a value tuple per row), drop ``old``."""
    with op.batch_alter_table('risk_scores') as batch:
        for column in new:
            batch.add_column(column)  # nullable until filled
    conn = op.get_bind()
    names = [column.name for column in new]
    update = scores.update().where(scores.c.id == sa.bindparam('b_id')).values(
        {name: sa.bindparam('b_' + name) for name in names})
    for rows in _batches(conn, *(scores.c[name] for name in old)):
        conn.execute(update, [{'b_id': row.id, **{'b_' + name: value for name, value in zip(names, values, strict=True)}}
                              for row, values in zip(rows, convert(conn, rows), strict=True)])
    with op.batch_alter_table('risk_scores') as batch:
        for name in required:
            batch.alter_column(name, existing_type=sa.JSON(), nullable=False)
        for name in old:
            batch.drop_column(name)


def _to_documents(conn: sa.Connection, rows: list) -> list[tuple]:
    documents: dict = {}
    values = [encode(row.reasons, row.inputs, documents) for row in rows]
    put(conn, documents)
    return values


def _from_documents(conn: sa.Connection, rows: list) -> list[tuple]:
    documents = fetch(conn, keys_of(rows))
    return [([documents[key] for key in row.reason_refs or ()],
             documents[row.inputs_ref] if row.inputs_ref is not None else []) for row in rows]


def upgrade() -> None:
    op.create_table(
        'score_documents',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=False, nullable=False),
        sa.Column('body', sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_score_documents')),
    )
    _move((sa.Column('reason_refs', sa.JSON(), nullable=True), sa.Column('inputs_ref', sa.BigInteger(), nullable=True)),
          ('reasons', 'inputs'), ('reason_refs',), _to_documents)


def downgrade() -> None:
    _move((sa.Column('reasons', sa.JSON(), nullable=True), sa.Column('inputs', sa.JSON(), nullable=True)),
          ('reason_refs', 'inputs_ref'), ('reasons', 'inputs'), _from_documents)
    op.drop_table('score_documents')
