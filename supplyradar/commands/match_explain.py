"""``supplyradar match explain``: what the matcher would decide for a pair of names, and why.

    supplyradar match explain "Asito Holding B.V." "Asito B.V."
    supplyradar match explain --pairs pairs.csv [--json]

The pairs file (columns ``a``, ``b`` and optional ones, a ``same`` label among them) is read and
decided by ``pipelines.match_pairs``; with labels, precision and recall of automatic merges and of
review suggestions are reported too. ``--json`` prints one JSON line per pair, in file order, with the keys
``decision``, ``score`` and ``explanation`` (and ``a``, ``b``, ``row``, ``reasons``); a row that cannot be
read gives a line with ``decision`` null and an ``error``, is named on stderr with its file, row and column,
and makes the exit code 1 (the other rows are still decided). Nothing is read from or written to the database.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from reports.tables import rows_table
from supplyradar.commands.lazy import Settings

out = Console()
err = Console(stderr=True, soft_wrap=True)


def explain_command(
    name_a: Annotated[str | None, typer.Argument(help="The first name.")] = None,
    name_b: Annotated[str | None, typer.Argument(help="The second name.")] = None,
    pairs: Annotated[Path | None, typer.Option("--pairs", help="A CSV with columns a,b[,kvk_a,kvk_b]: one decision per row.")] = None,
    kvk_a: Annotated[str | None, typer.Option("--kvk-a", help="KvK number of the first name.")] = None,
    kvk_b: Annotated[str | None, typer.Option("--kvk-b", help="KvK number of the second name.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON line per pair: decision, score, explanation.")] = False,
) -> None:
    """The decision the matcher would take for two names (merge, review or different), its score and why."""
    from models.pair_decision import decide_pair
    from pipelines.resolve_suppliers import thresholds

    limits = thresholds(Settings())
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
    from pipelines.match_pairs import PairsFileError, decide_pairs

    failed = False
    labelled: list[tuple[str, bool]] = []
    table: list[dict[str, object]] = []
    try:
        for pair in decide_pairs(pairs, limits):
            if pair.error:
                failed = True
                err.print(pair.error, markup=False, highlight=False)
                if as_json:
                    print(json.dumps({"row": pair.row, "a": pair.a, "b": pair.b, "decision": None,
                                      "score": None, "explanation": None, "error": pair.error}, ensure_ascii=False))
                continue
            decision = pair.decision
            if pair.same is not None:
                labelled.append((decision.decision, pair.same))
            if as_json:
                print(json.dumps({"row": pair.row, "a": pair.a, "b": pair.b, **decision.as_json()}, ensure_ascii=False),
                      flush=False)
            else:
                table.append({"row": pair.row, "a": pair.a, "b": pair.b, "decision": decision.decision,
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


__all__ = ["explain_command"]
