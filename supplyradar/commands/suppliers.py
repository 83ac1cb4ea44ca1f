"""Commands of the suppliers area: ``supplyradar supplier KVK`` and ``supplyradar collect company-signals``.

``register`` adds them to the main app (see supplyradar/cli.py). The work is in
``store.supplier_view`` and ``pipelines.company_signals``, the supplier's panels and tables in
``reports.supplier_card``; this module only prints.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console

from pipelines.transports import TRANSPORTS, note_dataset, transport_for
from reports.supplier_card import render
from reports.tables import rows_table
from supplyradar.commands.groups import collect_app
from supplyradar.commands.lazy import Settings, open_store
from supplyradar.commands.options import literal, parse_date

out = Console()
err = Console(stderr=True)


def supplier_command(
    key: Annotated[str, typer.Argument(help=literal("KvK number (8 digits) or organisation key (e.g. NL:id:12345678)."))],
    as_json: Annotated[bool, typer.Option("--json", help="Everything as one JSON object, for scripts.")] = False,
) -> None:
    """One supplier explained: identity, sources, spend and contracts, awards, events, risk scores."""
    from store.supplier_view import SupplierNotFound, supplier_view

    settings = Settings()
    with open_store(settings) as store, store.session() as session:
        try:
            view = supplier_view(session, key)
        except SupplierNotFound as exc:
            err.print(f"[red]{exc}[/red]")
            raise typer.Exit(1) from None
    if as_json:
        out.print_json(json.dumps(view.to_json(), ensure_ascii=False, default=str))
        return
    render(view.to_json(), out)


def collect_company_signals_command(
    transport: Annotated[str, typer.Option(help=f"Where to read from: {', '.join(TRANSPORTS)}.")] = "live",
    as_of: Annotated[str | None, typer.Option("--as-of", help="Observation day (default today; the demo replays any day).")] = None,
    history_from: Annotated[str | None, typer.Option(help="Demo: also refresh every few months from this day on.")] = None,
    every_months: Annotated[int, typer.Option(help="Months between the refreshes of --history-from.")] = 3,
    since: Annotated[str | None, typer.Option(help="Read the insolvency register's changes from this day (default: "
                                                   "where the last run stopped); for recovery.")] = None,
) -> None:
    """Refresh the watched suppliers' KvK profiles and read the insolvency register (events for the changes)."""
    from pipelines.company_signals import collect_company_signals, collect_history, history_table, today

    settings = Settings()
    if transport == "demo":
        from demo.settings import company_settings

        settings = company_settings(settings)
    day = parse_date(as_of, "--as-of") or today()
    start = parse_date(history_from, "--history-from")
    if start and transport != "demo":
        raise typer.BadParameter("a history needs the demo replay (--transport demo)", param_hint="--history-from")
    with open_store(settings) as store:
        note_dataset(store, transport)
        if start:
            rows = collect_history(store, settings, start=start, end=day, every_months=every_months,
                                   transport_for_day=lambda d: transport_for(transport, today=d))
        else:
            rows = collect_company_signals(store, settings, observed_on=day, since=parse_date(since, "--since"),
                                           transport=transport_for(transport, today=day if transport == "demo" else None))
    if start:
        out.print(rows_table(f"Company signals, every {every_months} months", history_table(rows)))
    else:
        columns = ("source", "observed_on", "fetched", "cached", "added", "unchanged", "not_found", "events", "quarantined",
                   "pending", "status")
        out.print(rows_table("Company signals", [r.as_row() for r in rows], columns=columns))
    failed = [r for r in rows if r.status != "ok"]
    for row in failed:
        err.print(f"[red]{row.source} ({row.observed_on}): {row.error}[/red] The last known state is kept.")
    if failed:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add this area's commands to ``app`` (and to the shared groups in ``commands.groups``)."""
    app.command("supplier")(supplier_command)
    collect_app.command("company-signals")(collect_company_signals_command)
