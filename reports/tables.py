"""Rows of plain dicts as a rich table, the one way every command (and the demo chain, ``flows.demo_chain``)
prints a summary.

Cells are ``Text``, never markup: supplier names and error messages may hold brackets that rich
would otherwise read as styles.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime

from rich.console import Console
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


def _json_value(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def emit(
    console: Console,
    title: str,
    rows: Sequence[Mapping[str, object]],
    *,
    as_json: bool = False,
    columns: Sequence[str] | None = None,
    styles: Mapping[str, Callable[[object], str]] | None = None,
    wide: Sequence[str] = (),
    optional: Sequence[str] = (),
) -> None:
    """Rows as a person or a script wants them.

    ``--json``: one JSON object per line (every field, whatever the terminal). Piped without
    ``--json``: tab-separated lines under a header, one row a line, nothing cut or wrapped. On a
    terminal: a table whose ``wide`` columns (names, titles) wrap between words and take the
    room the others leave; a word is never split when it fits the column. When the terminal is
    too narrow, the ``optional`` columns are left out, first named first (``--json`` has them).
    """
    if as_json:
        for row in rows:
            sys.stdout.write(json.dumps(dict(row), default=_json_value, ensure_ascii=False) + "\n")
        sys.stdout.flush()
        return
    names = list(columns or (rows[0] if rows else ()))
    if not console.is_terminal:
        lines = ["\t".join(names)] + ["\t".join(cell(row.get(n)).replace("\t", " ").replace("\n", " ") for n in names)
                                      for row in rows]
        console.file.write("\n".join(lines) + "\n")  # as is: tabs kept for cut and awk
        console.file.flush()
        return
    names = _fitting(names, rows, wide=wide, optional=optional, width=console.width)
    styles = styles or {}
    table = Table(title=title, pad_edge=False, collapse_padding=True, expand=False)
    for name in names:
        if name in wide:
            table.add_column(name, overflow="fold", ratio=1, min_width=_longest_word(rows, name, cap=20))
        else:
            table.add_column(name, no_wrap=True)
    for row in rows:
        table.add_row(*[_styled(row.get(name), styles.get(name)) for name in names])
    console.print(table)


def _fitting(names: list[str], rows: Sequence[Mapping[str, object]], *, wide: Sequence[str], optional: Sequence[str],
             width: int) -> list[str]:
    """The columns that fit ``width``: optional ones dropped, in order, until the rest fit."""
    def needed(columns: list[str]) -> int:
        total = 1
        for name in columns:
            longest = max([len(name)] + [len(cell(row.get(name))) for row in rows])
            total += 3 + (max(_longest_word(rows, name, cap=20), min(longest, 24)) if name in wide else longest)
        return total

    kept = list(names)
    for name in optional:
        if needed(kept) <= width:
            break
        if name in kept:
            kept.remove(name)
    return kept


def _longest_word(rows: Sequence[Mapping[str, object]], name: str, *, cap: int) -> int:
    words = [len(w) for row in rows for w in cell(row.get(name)).split()] + [len(name)]
    return min(cap, max(words))
