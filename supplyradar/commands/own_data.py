"""Commands of the own data area; ``register`` adds them to the main app (see supplyradar/cli.py).

- ``supplyradar import spend FILE...`` / ``supplyradar import contracts FILE...``: one transaction
  per file, then supplier resolution; a refused file is named with its row and column, the
  next file is still imported, and the exit code is 1.
- ``supplyradar quality [--json]``: the data-quality report, naming rows as ``file:row``.
- ``supplyradar match list|accept|reject|resolve``: review the names the matcher was unsure of;
  decisions are remembered (a rejected pair never returns). ``match explain``: the decision on any
  pair of names, and why (``supplyradar.commands.match_explain``).

The work is in ``pipelines.import_own_data``, ``pipelines.resolve_suppliers`` and ``store.matching``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.text import Text

from reports.tables import rows_table
from supplyradar.commands.groups import import_app
from supplyradar.commands.lazy import Settings, open_store
from supplyradar.commands.match_explain import explain_command

out = Console()
err = Console(stderr=True)
match_app = typer.Typer(help="Review supplier matches: list, accept, reject; decisions are remembered.", no_args_is_help=True)


def _import(files: list[Path], kind: str, resolve: bool, replace: bool = False) -> None:
    from pipelines.import_own_data import import_files
    from pipelines.resolve_suppliers import resolve_suppliers

    settings = Settings()
    with open_store(settings) as store:
        reports, failed = import_files(
            store, files, kind, settings,
            on_error=lambda path, exc: err.print(Text.assemble(("not imported: ", "red"), str(exc))), replace=replace,
        )
        if reports:
            out.print(rows_table(f"{kind} import", [r.as_row() for r in reports]))
            for report in reports:
                if report.unknown_columns:
                    out.print(f"{Path(report.file).name}: columns not used: {', '.join(report.unknown_columns)}",
                              highlight=False, markup=False)
        if resolve and reports:
            summary = resolve_suppliers(store, settings)
            out.print(rows_table("supplier resolution", [summary.as_row()]))
            out.print("Row problems: supplyradar quality; names to review: supplyradar match list", markup=False)
    if failed:
        raise typer.Exit(1)


def import_spend_command(
    files: Annotated[list[Path], typer.Argument(help="CSV or XLSX spend exports (column names: config/own_data_columns.yaml).")],
    resolve: Annotated[bool, typer.Option(help="Resolve the suppliers afterwards.")] = True,
    replace: Annotated[bool, typer.Option(help="The file replaces the earlier file(s) of the same name (a corrected "
                                               "export of the same period): their lines it no longer has are removed.")] = False,
) -> None:
    """Import spend lines (one transaction per file); a file is recognised by its content, re-importing adds nothing."""
    _import(files, "spend", resolve, replace)


def import_contracts_command(
    files: Annotated[list[Path], typer.Argument(help="CSV or XLSX contract registers (column names: config/own_data_columns.yaml).")],
    resolve: Annotated[bool, typer.Option(help="Resolve the suppliers afterwards.")] = True,
) -> None:
    """Import a contract register (one transaction per file); re-importing changes nothing."""
    _import(files, "contracts", resolve)


def quality_command(
    as_json: Annotated[bool, typer.Option("--json", help="Every finding with every row, as one JSON object.")] = False,
    examples: Annotated[int, typer.Option(help="Examples per finding in the table.")] = 5,
) -> None:
    """Data quality of the imported spend and contracts: missing ids and categories, unmatched suppliers, duplicates, unparsed values."""
    from pipelines.import_own_data import quality_report

    settings = Settings()
    with open_store(settings) as store:
        report = quality_report(store)
    if as_json:
        out.print_json(json.dumps(report.as_json(), default=str, ensure_ascii=False))
        return
    out.print(rows_table("data quality", report.summary_rows(examples)))
    out.print(report.totals_text(), markup=False, highlight=False)


def match_list_command(
    status: Annotated[str, typer.Option(help="review, auto, accepted, rejected or all.")] = "review",
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per candidate.")] = False,
) -> None:
    """Names the matcher could not decide (or, with --status, how others were decided), with the reasons."""
    from store.matching import list_candidates

    settings = Settings()
    with open_store(settings) as store, store.session() as session:
        rows = [
            {"id": c.id, "name": c.source_name, "organisation": name, "organisation id": c.organisation_id,
             "score": round(c.score, 1), "status": c.status, "sources": ",".join(c.sources),
             "why": _why(c.explanation)}
            for c, name in list_candidates(session, None if status == "all" else status)
        ]
    if as_json:
        for row in rows:
            out.print_json(json.dumps(row, ensure_ascii=False), indent=None)
        return
    if not rows:
        out.print(f"No candidates with status {status}.")
        return
    out.print(rows_table(f"match candidates ({status})", rows))
    out.print("Decide with: supplyradar match accept ID | supplyradar match reject ID --reason ...", markup=False)


def _why(explanation: dict) -> str:
    parts = ", ".join(f"{k} {v}" for k, v in (explanation.get("components") or {}).items())
    return f"{explanation.get('query_key')!r} ~ {explanation.get('candidate_key')!r} [{explanation.get('block')}]: {parts}"


def _decide(candidate_id: int, decision: str, reason: str | None, by: str | None) -> None:
    from pipelines.match_review import decide_and_resolve
    from store.matching import UnknownCandidateError

    settings = Settings()
    with open_store(settings) as store:
        try:
            decided = decide_and_resolve(store, settings, candidate_id, decision, reason=reason, decided_by=by)
        except UnknownCandidateError as exc:
            err.print(str(exc), markup=False)
            raise typer.Exit(1) from None
    verb = "is" if decision == "accept" else "is not"
    out.print(f"Remembered: {decided.name!r} {verb} organisation {decided.organisation_id}.", markup=False, highlight=False)
    out.print(rows_table("supplier resolution", [decided.resolution.as_row()]))


def match_accept_command(
    candidate_id: Annotated[int, typer.Argument(help="The id from `supplyradar match list`.")],
    by: Annotated[str | None, typer.Option("--by", help="Who decides (default from the settings).")] = None,
) -> None:
    """Accept a candidate: the name is this organisation, now and in every later run."""
    _decide(candidate_id, "accept", None, by)


def match_reject_command(
    candidate_id: Annotated[int, typer.Argument(help="The id from `supplyradar match list`.")],
    reason: Annotated[str, typer.Option("--reason", help="Why not (kept with the decision).")],
    by: Annotated[str | None, typer.Option("--by", help="Who decides (default from the settings).")] = None,
) -> None:
    """Reject a candidate: the name is never matched to this organisation again; links by that name are undone."""
    _decide(candidate_id, "reject", reason, by)


def match_resolve_command() -> None:
    """Resolve every unresolved supplier now (what the resolve-suppliers flow does)."""
    from pipelines.resolve_suppliers import resolve_suppliers

    settings = Settings()
    with open_store(settings) as store:
        summary = resolve_suppliers(store, settings)
    out.print(rows_table("supplier resolution", [summary.as_row()]))


def register(app: typer.Typer) -> None:
    """Add this area's commands to ``app`` (and to the shared groups in ``commands.groups``)."""
    import_app.command("spend")(import_spend_command)
    import_app.command("contracts")(import_contracts_command)
    app.command("quality")(quality_command)
    match_app.command("list")(match_list_command)
    match_app.command("accept")(match_accept_command)
    match_app.command("reject")(match_reject_command)
    match_app.command("resolve")(match_resolve_command)
    match_app.command("explain")(explain_command)
    app.add_typer(match_app, name="match")
