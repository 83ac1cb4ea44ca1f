"""What ``supplyradar match explain --pairs FILE`` runs: a pairs file read and every pair decided.

A pairs file is CSV (comma or semicolon, UTF-8 with or without BOM) with the columns ``a`` and ``b`` and,
optionally, ``kvk_a``, ``kvk_b``, ``country_a``, ``country_b`` and ``names_a``, ``names_b`` (other names the
company is known by, "|"-separated, each optionally "trade:" or "former:"). Other columns are ignored,
except a ``same`` label (1/0, yes/no, true/false), which the outcome carries so that precision and recall
can be reported. A row that cannot be read is an outcome with its error (file, row and column named); the
other rows are still decided. Nothing is read from or written to the database.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from models.matching import Thresholds
from models.pair_decision import PairDecision, decide_pair

TRUE = frozenset({"1", "yes", "y", "true", "ja", "j", "same", "merge"})
FALSE = frozenset({"0", "no", "n", "false", "nee", "different"})
#: Other spellings of the columns, as people name them.
ALIASES = {"name_a": "a", "name_b": "b", "naam_a": "a", "naam_b": "b", "kvk a": "kvk_a", "kvk b": "kvk_b",
           "label": "same"}


class PairsFileError(ValueError):
    """The pairs file cannot be used at all (missing, unreadable, without the ``a``/``b`` columns)."""


@dataclass(frozen=True, slots=True)
class PairRow:
    row: int
    values: dict[str, str]
    error: str | None = None


@dataclass(frozen=True, slots=True)
class PairOutcome:
    """One row of a pairs file: the matcher's decision, or why the row could not be read."""

    row: int
    a: str | None
    b: str | None
    decision: PairDecision | None = None
    error: str | None = None
    #: The row's ``same`` label: None when it has none.
    same: bool | None = None


def read_pairs(path: Path) -> Iterator[PairRow]:
    """The rows of a pairs file, numbered as a spreadsheet numbers them (the header is row 1)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise PairsFileError(f"{path}: cannot read the pairs file ({exc.strerror or exc})") from None
    except UnicodeDecodeError as exc:
        raise PairsFileError(f"{path}: not UTF-8 text (byte {exc.start}); save the file as UTF-8 CSV") from None
    lines = text.splitlines()
    header_at = next((i for i, line in enumerate(lines) if line.strip() and not line.lstrip().startswith("#")), None)
    if header_at is None:
        raise PairsFileError(f"{path}: empty file; expected a header with the columns a,b")
    header = lines[header_at]
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    delimiter = max(counts, key=lambda d: (counts[d], d == ","))
    reader = csv.reader(lines[header_at:], delimiter=delimiter)
    columns = [ALIASES.get(c.strip().lower(), c.strip().lower()) for c in next(reader)]
    missing = [c for c in ("a", "b") if c not in columns]
    if missing:
        raise PairsFileError(f"{path}: row {header_at + 1}: no column {' or '.join(repr(m) for m in missing)} "
                             f"(columns found: {', '.join(columns) or 'none'}); expected a,b[,kvk_a,kvk_b]")
    for offset, cells in enumerate(reader, start=header_at + 2):
        if not any(c.strip() for c in cells) or cells[0].lstrip().startswith("#"):
            continue
        values = {c: (cells[i].strip() if i < len(cells) else "") for i, c in enumerate(columns)}
        if len(cells) > len(columns):
            yield PairRow(offset, values, f"{path}: row {offset}: {len(cells)} fields for {len(columns)} columns "
                                          "(a name with a comma must be quoted)")
            continue
        empty = [c for c in ("a", "b") if not values.get(c)]
        if empty:
            yield PairRow(offset, values, f"{path}: row {offset}, column {empty[0]!r}: empty name")
            continue
        label = values.get("same")
        if label and label.lower() not in TRUE | FALSE:
            yield PairRow(offset, values, f"{path}: row {offset}, column 'same': {label!r} is not 1/0, yes/no or true/false")
            continue
        yield PairRow(offset, values)


def other_names(value: str | None) -> tuple[str, ...]:
    """A ``names_a``/``names_b`` cell: "|"-separated names, blanks dropped."""
    return tuple(n.strip() for n in (value or "").split("|") if n.strip())


def decide_pairs(path: Path, thresholds: Thresholds) -> Iterator[PairOutcome]:
    """Every row of the pairs file decided, in file order; raises ``PairsFileError`` when the file is unusable."""
    for row in read_pairs(path):
        v = row.values
        if row.error:
            yield PairOutcome(row.row, v.get("a"), v.get("b"), error=row.error)
            continue
        decision = decide_pair(
            v["a"], v["b"], kvk_a=v.get("kvk_a"), kvk_b=v.get("kvk_b"), country_a=v.get("country_a"),
            country_b=v.get("country_b"), other_names_a=other_names(v.get("names_a")),
            other_names_b=other_names(v.get("names_b")), thresholds=thresholds,
        )
        same = v["same"].lower() in TRUE if v.get("same") else None
        yield PairOutcome(row.row, v["a"], v["b"], decision=decision, same=same)
