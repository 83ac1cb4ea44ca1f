"""``supplyradar match explain``: what the matcher would decide for a pair of names, and why.

    supplyradar match explain "Asito Holding B.V." "Asito B.V."
    supplyradar match explain --pairs pairs.csv [--json]

A pairs file is CSV (comma or semicolon, UTF-8 with or without BOM) with the columns ``a`` and ``b`` and,
optionally, ``kvk_a``, ``kvk_b``, ``country_a``, ``country_b`` and ``names_a``, ``names_b`` (other names the
company is known by, "|"-separated, each optionally "trade:" or "former:"). Other columns are ignored,
except a ``same`` label (1/0, yes/no, true/false): then precision and recall of automatic merges and of
review suggestions are reported too. ``--json`` prints one JSON line per pair, in file order, with the keys
``decision``, ``score`` and ``explanation`` (and ``a``, ``b``, ``row``, ``reasons``); a row that cannot be
read gives a line with ``decision`` null and an ``error``, is named on stderr with its file, row and column,
and makes the exit code 1 (the other rows are still decided). Nothing is read from or written to the database.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from supplyradar.commands.lazy import Settings
from supplyradar.commands.tables import rows_table

out = Console()
err = Console(stderr=True, soft_wrap=True)

_TRUE = {"1", "yes", "y", "true", "ja", "j", "same", "merge"}
_FALSE = {"0", "no", "n", "false", "nee", "different"}
#: Other spellings of the columns, as people name them.
_ALIASES = {"name_a": "a", "name_b": "b", "naam_a": "a", "naam_b": "b", "kvk a": "kvk_a", "kvk b": "kvk_b",
            "label": "same"}


class PairsFileError(ValueError):
    """The pairs file cannot be used at all (missing, unreadable, without the ``a``/``b`` columns)."""


@dataclass(frozen=True, slots=True)
class PairRow:
    row: int
    values: dict[str, str]
    error: str | None = None


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
    columns = [_ALIASES.get(c.strip().lower(), c.strip().lower()) for c in next(reader)]
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
        if label and label.lower() not in _TRUE | _FALSE:
            yield PairRow(offset, values, f"{path}: row {offset}, column 'same': {label!r} is not 1/0, yes/no or true/false")
            continue
        yield PairRow(offset, values)


def _names(value: str | None) -> tuple[str, ...]:
    return tuple(n.strip() for n in (value or "").split("|") if n.strip())


def explain_command(
    name_a: Annotated[str | None, typer.Argument(help="The first name.")] = None,
    name_b: Annotated[str | None, typer.Argument(help="The second name.")] = None,
    pairs: Annotated[Path | None, typer.Option("--pairs", help="A CSV with columns a,b[,kvk_a,kvk_b]: one decision per row.")] = None,
    kvk_a: Annotated[str | None, typer.Option("--kvk-a", help="KvK number of the first name.")] = None,
    kvk_b: Annotated[str | None, typer.Option("--kvk-b", help="KvK number of the second name.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON line per pair: decision, score, explanation.")] = False,
) -> None:
    """The decision the matcher would take for two names (merge, review or different), its score and why."""
    from models.matching import Thresholds
    from models.pair_decision import decide_pair

    m = Settings().own_data.matching
    limits = Thresholds(auto_accept=m.auto_accept, review=m.review, margin=m.margin)
    if pairs is None:
        if not name_a or not name_b:
            err.print("Give two names, or --pairs FILE.csv (columns a,b[,kvk_a,kvk_b]).", markup=False)
            raise typer.Exit(2)
        decision = decide_pair(name_a, name_b, kvk_a=kvk_a, kvk_b=kvk_b, thresholds=limits)
        if as_json:
            print(json.dumps({"a": name_a, "b": name_b, **decision.as_json()}, ensure_ascii=False))
            return
        out.print(f"{decision.decision} (score {decision.score:.1f})", markup=False, highlight=False)
        out.print(f"  A: {name_a}\n  B: {name_b}", markup=False, highlight=False)
        for reason in [decision.explanation.split("; ", 1)[0], *decision.reasons]:
            out.print(f"  - {reason}", markup=False, highlight=False)
        return
    if name_a or name_b:
        err.print("Give either two names or --pairs FILE, not both.", markup=False)
        raise typer.Exit(2)
    failed = False
    labelled: list[tuple[str, bool]] = []
    table: list[dict[str, object]] = []
    try:
        for row in read_pairs(pairs):
            v = row.values
            if row.error:
                failed = True
                err.print(row.error, markup=False, highlight=False)
                if as_json:
                    print(json.dumps({"row": row.row, "a": v.get("a"), "b": v.get("b"), "decision": None,
                                      "score": None, "explanation": None, "error": row.error}, ensure_ascii=False))
                continue
            decision = decide_pair(
                v["a"], v["b"], kvk_a=v.get("kvk_a"), kvk_b=v.get("kvk_b"), country_a=v.get("country_a"),
                country_b=v.get("country_b"), other_names_a=_names(v.get("names_a")),
                other_names_b=_names(v.get("names_b")), thresholds=limits,
            )
            if v.get("same"):
                labelled.append((decision.decision, v["same"].lower() in _TRUE))
            if as_json:
                print(json.dumps({"row": row.row, "a": v["a"], "b": v["b"], **decision.as_json()}, ensure_ascii=False),
                      flush=False)
            else:
                table.append({"row": row.row, "a": v["a"], "b": v["b"], "decision": decision.decision,
                              "score": decision.score,
                              "why": "; ".join(decision.reasons) or f"names agree (similarity {decision.similarity})"})
    except PairsFileError as exc:
        err.print(str(exc), markup=False, highlight=False)
        raise typer.Exit(1) from None
    if not as_json:
        out.print(rows_table(f"match decisions ({pairs.name})", table) if table else "No pairs.")
    if labelled:
        from models.match_evaluation import evaluate

        report = evaluate(labelled)
        target = err if as_json else out
        target.print(rows_table(f"against the 'same' labels ({report.pairs} pairs, {report.same} of one legal entity)",
                                report.rows()))
    if failed:
        raise typer.Exit(1)


__all__ = ["PairsFileError", "explain_command", "read_pairs"]
