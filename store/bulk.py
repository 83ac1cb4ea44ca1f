"""Many rows into one table as one driver ``executemany``, and their ids read back, without SQLAlchemy's work per row.

``session.execute(table.insert(), rows)`` builds, for every row, a dict of its bound parameters and then a
tuple passed through each column's bind processor: with the ``IN`` lists SQLAlchemy renders anew for every
read-back (``select_in``), about a quarter of the CPU time of storing a page of notices. Here the statement
is compiled once per dialect, table, column set and conflict clause, each column's bind processor (the one
SQLAlchemy itself would apply, from its type's dialect implementation) is looked up once, and the rows go
to ``Connection.exec_driver_sql`` as the driver's parameters: the same SQL, the same values, still one
``executemany`` (prepared once and pipelined on psycopg), errors still raised as SQLAlchemy's
(``IntegrityError``...).

Rows must all carry the same keys (as ``executemany`` requires anyway); a column with a default that the
rows leave out would need SQLAlchemy to fill it in, so such rows are sent the ordinary way.

``insert_returning`` is the same for rows whose ids are wanted back (``INSERT ... ON CONFLICT DO NOTHING
RETURNING``: SQLite's executemany returns no rows, so, as SQLAlchemy does, one statement with a ``VALUES``
group per row), ``update_by_key`` for one column set by key (an own data import links thousands of lines).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from itertools import chain
from operator import itemgetter
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult, Dialect
from sqlalchemy.orm import Session

#: ``None`` (plain insert), ``"nothing"`` (``ON CONFLICT (...) DO NOTHING``) or ``"update"`` (``DO UPDATE`` of the
#: given columns with the new row's values).
Conflict = tuple[str, tuple[str, ...], tuple[str, ...]] | None

#: Rows per ``INSERT ... RETURNING`` and its most bound parameters (SQLAlchemy's page size and SQLite's limit).
RETURNING_PAGE_ROWS = 1000
MAX_PARAMETERS = 32_766

_Prepared = tuple[str, bool, tuple[str, ...], tuple[Callable[[Any], Any] | None, ...]]
_PREPARED: dict[tuple[Any, ...], _Prepared | None] = {}


def insert_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]], *, conflict: Conflict = None) -> None:
    """``session.execute(insert(table)[.on_conflict...], rows)``, sent as one driver ``executemany``.

    ``conflict`` is ``("nothing", index columns, ())`` or ``("update", index columns, columns to set)``.
    """
    if not rows:
        return
    connection = session.connection()
    prepared = _prepared(connection.dialect, table, tuple(rows[0]), conflict)
    if prepared is None:
        session.execute(_statement(connection.dialect, table, conflict), list(rows))
        return
    sql, positional, names, processors = prepared
    values = _values(rows, names, processors)
    params = values if positional else [dict(zip(names, value, strict=True)) for value in values]
    connection.exec_driver_sql(sql, params)


def insert_returning(session: Session, table: Table, rows: Sequence[dict[str, Any]], returning: Sequence[str], *,
                     conflict: Conflict = None) -> list[tuple[Any, ...]]:
    """``session.execute(insert(table)[.on_conflict...].returning(*returning), rows).all()`` as plain tuples.

    What SQLAlchemy itself sends for it ("insertmanyvalues": one ``INSERT ... VALUES (...), (...) ... RETURNING``
    per page of up to ``RETURNING_PAGE_ROWS`` rows, an executemany cannot return rows on SQLite), without its
    dict and bind processing per row: the rows' values, processed column by column as ``insert_rows`` does, go
    to the driver as one flat list of positional parameters. The rows come back in the order the database
    returns them, as with SQLAlchemy. ``conflict``: ``None`` or ``("nothing", index columns, ())``.
    """
    if not rows:
        return []
    connection = session.connection()
    dialect = connection.dialect
    prepared = _prepared(dialect, table, tuple(rows[0]), conflict)
    if prepared is None or (conflict is not None and conflict[0] != "nothing"):
        stmt = _statement(dialect, table, conflict).returning(*(table.c[name] for name in returning))
        return [tuple(row) for row in session.execute(stmt, list(rows))]
    _sql, _positional, names, processors = prepared
    values = _values(rows, names, processors)
    quote = dialect.identifier_preparer.quote
    group = f"({', '.join(['?' if dialect.paramstyle == 'qmark' else '%s'] * len(names))})"
    head = f"INSERT INTO {quote(table.name)} ({', '.join(quote(name) for name in names)}) VALUES "
    tail = (f" ON CONFLICT ({', '.join(quote(name) for name in conflict[1])}) DO NOTHING" if conflict else "") + \
        f" RETURNING {', '.join(quote(name) for name in returning)}"
    page = max(1, min(RETURNING_PAGE_ROWS, MAX_PARAMETERS // len(names)))
    found: list[tuple[Any, ...]] = []
    for start in range(0, len(values), page):
        chunk = values[start : start + page]
        sql = head + ", ".join([group] * len(chunk)) + tail
        found += _fetched(connection.exec_driver_sql(sql, tuple(chain.from_iterable(chunk))))
    return found


def _prepared(dialect: Dialect, table: Table, keys: tuple[str, ...], conflict: Conflict) -> _Prepared | None:
    """``_prepare``'s answer, computed once per dialect, table, column set and conflict clause."""
    cache_key = (dialect.name, dialect.paramstyle, table.fullname, keys, conflict)
    if cache_key not in _PREPARED:
        _PREPARED[cache_key] = _prepare(dialect, table, keys, conflict)
    return _PREPARED[cache_key]


def _values(rows: Sequence[dict[str, Any]], names: tuple[str, ...],
            processors: tuple[Callable[[Any], Any] | None, ...]) -> list[tuple[Any, ...]]:
    """The rows' values in ``names`` order, through the columns' bind processors."""
    if not any(processors):
        return list(map(itemgetter(*names), rows)) if len(names) > 1 else [(row[names[0]],) for row in rows]
    # column by column, each read off the rows as it is zipped into the rows' tuples (not the rows' tuples taken
    # apart into columns and zipped again)
    columns = [map(itemgetter(name), rows) if process is None else _processed(process, list(map(itemgetter(name), rows)))
               for name, process in zip(names, processors, strict=True)]
    return list(zip(*columns, strict=True))


def _processed(process: Callable[[Any], Any], values: list[Any]) -> Iterator[Any]:
    """``map(process, values)``, processing an object met more than once only once: a bind processor is a function
    of its value, and a page's rows share many (the time they were written, ``None``, ``True``: the processors of
    SQLite's dates and flags and of JSON are Python functions, a tenth of storing a page's rows, half of it spent on
    the same few objects). Applied to ``None`` too, as SQLAlchemy does (JSON stores it as ``null``)."""
    ids = list(map(id, values))
    objects = dict(zip(ids, values, strict=True))  # (all alive, in ``values``: an id names one object)
    if len(objects) == len(values):
        return map(process, values)
    done = {key: process(value) for key, value in objects.items()}
    return map(done.__getitem__, ids)


def _prepare(dialect: Dialect, table: Table, keys: tuple[str, ...], conflict: Conflict) -> _Prepared | None:
    """The compiled SQL, whether it is positional, the parameters' names in order and their bind processors.

    ``None`` when the rows leave out a column with a default, or the statement binds anything but the rows'
    columns: then SQLAlchemy sends them.
    """
    if any(column.key not in keys and (column.default is not None or column.onupdate is not None)
           for column in table.columns):
        return None
    compiled = _statement(dialect, table, conflict).compile(dialect=dialect, column_keys=list(keys))
    names = tuple(compiled.positiontup or ()) if compiled.positional else tuple(compiled.binds)
    if sorted(names) != sorted(keys) or any(name not in table.c for name in names):
        return None
    processors = tuple(table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names)
    return compiled.string, compiled.positional, names, processors


def _statement(dialect: Dialect, table: Table, conflict: Conflict):  # a dialect Insert
    """The dialect's ``INSERT`` with its ``ON CONFLICT`` clause (SQLite and PostgreSQL); a plain one elsewhere."""
    if conflict is None:
        return table.insert()
    if dialect.name == "postgresql":
        stmt = postgresql.insert(table)
    elif dialect.name == "sqlite":
        stmt = sqlite.insert(table)
    else:
        raise NotImplementedError(f"upserts are written for SQLite and PostgreSQL, not {dialect.name}")
    mode, index, columns = conflict
    if mode == "nothing":
        return stmt.on_conflict_do_nothing(index_elements=list(index))
    return stmt.on_conflict_do_update(index_elements=list(index), set_={name: stmt.excluded[name] for name in columns})


def select_in(session: Session, table: Table, columns: Sequence[str], key: str, values: Sequence[Any], *,
              equal: dict[str, Any] | None = None, distinct: bool = False) -> list[tuple[Any, ...]]:
    """``SELECT [DISTINCT] columns FROM table WHERE <column = value, ...> AND key IN (values)`` as the driver's own
    statement: the ids of a page's rows read back. SQLAlchemy renders an ``IN`` list anew for every execution
    (a bound parameter and its processing per value); here it is a list of placeholders. For keys and columns
    of plain text and whole numbers, whose values the driver takes and gives as they are.
    """
    if not values:
        return []
    connection = session.connection()
    dialect = connection.dialect
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    quote = dialect.identifier_preparer.quote
    conditions = [f"{quote(name)} = {mark}" for name in equal or {}]
    conditions.append(f"{quote(key)} IN ({', '.join([mark] * len(values))})")
    sql = (f"SELECT {'DISTINCT ' if distinct else ''}{', '.join(quote(c) for c in columns)} "
           f"FROM {quote(table.name)} WHERE {' AND '.join(conditions)}")
    return _fetched(connection.exec_driver_sql(sql, (*(equal or {}).values(), *values)))


def _fetched(result: CursorResult) -> list[tuple[Any, ...]]:
    """A driver statement's rows as the driver's own tuples (SQLite's and psycopg's), read at once: SQLAlchemy, giving
    them row by row, makes a ``Row`` of each and takes it apart again (a third of reading back a page's ids). Its
    statement is the driver's own SQL, so SQLAlchemy has nothing to convert in them."""
    try:
        rows = result.cursor.fetchall()
    finally:
        result.close()
    return rows if not rows or type(rows[0]) is tuple else [tuple(row) for row in rows]


def update_by_key(session: Session, table: Table, key: str, column: str, pairs: Sequence[tuple[Any, Any]]) -> int:
    """``UPDATE table SET column = new WHERE key = value`` for each ``(value, new)``, in the given order, as one
    driver ``executemany`` of the driver's own statement: SQLAlchemy builds and processes a dict of parameters
    per row. For whole numbers and plain text, which the driver takes as they are (as ``select_in``). The rows
    found, summed over the statements (SQLite and psycopg both sum); -1 when the driver cannot tell.
    """
    if not pairs:
        return 0
    connection = session.connection()
    dialect = connection.dialect
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    quote = dialect.identifier_preparer.quote
    sql = f"UPDATE {quote(table.name)} SET {quote(column)} = {mark} WHERE {quote(key)} = {mark}"
    return connection.exec_driver_sql(sql, [(new, value) for value, new in pairs]).rowcount


#: Pairs per ``update_from_values`` statement: two bound parameters each, within SQLite's limit.
UPDATE_PAGE_PAIRS = MAX_PARAMETERS // 2


def update_from_values(session: Session, table: Table, key: str, column: str, pairs: Sequence[tuple[Any, Any]]) -> int:
    """``update_by_key`` for distinct keys as ``UPDATE table SET column = v.column2 FROM (VALUES (value, new), ...)
    AS v WHERE key = v.column1``, a page of ``UPDATE_PAGE_PAIRS`` at a time: the database joins the pairs to the
    rows in its own loop, where an executemany runs the statement once per pair (linking an own data import's
    140 thousand lines: 1.8 -> 1.1 CPU-s). ``column1``/``column2`` are the names SQLite and PostgreSQL both
    give a ``VALUES`` list's columns. The keys must be distinct (a row is updated once per statement); the rows
    found, summed over the pages (-1 when the driver cannot tell).
    """
    connection = session.connection()
    dialect = connection.dialect
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    quote = dialect.identifier_preparer.quote
    target = quote(table.name)
    found = []
    for start in range(0, len(pairs), UPDATE_PAGE_PAIRS):
        page = pairs[start : start + UPDATE_PAGE_PAIRS]
        sql = (f"UPDATE {target} SET {quote(column)} = v.column2 FROM (VALUES {', '.join([f'({mark}, {mark})'] * len(page))})"
               f" AS v WHERE {target}.{quote(key)} = v.column1")
        found.append(connection.exec_driver_sql(sql, tuple(chain.from_iterable(page))).rowcount)
    return -1 if any(count < 0 for count in found) else sum(found)
