"""Rows of plain dicts as a rich table, the one way every command prints a summary.

Cells are ``Text``, never markup: supplier names and error messages may hold brackets that rich
would otherwise read as styles.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

from rich.table import Table
from rich.text import Text


def cell(value: object) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return "" if value is None else str(value)


def rows_table(
    title: str,
    rows: Sequence[Mapping[str, object]],
    *,
    columns: Sequence[str] | None = None,
    styles: Mapping[str, Callable[[object], str]] | None = None,
    **column_options: object,
) -> Table:
    """A table of ``rows`` (all columns of the first row unless ``columns`` names some).

    ``styles`` maps a column to a function of the cell's value giving its rich style.
    """
    names = list(columns or (rows[0] if rows else ()))
    styles = styles or {}
    table = Table(title=title)
    for name in names:
        table.add_column(name, **column_options)
    for row in rows:
        table.add_row(*[_styled(row.get(name), styles.get(name)) for name in names])
    return table


def _styled(value: object, style_of: Callable[[object], str] | None) -> Text:
    return Text(cell(value), style=style_of(value) if style_of else "")
