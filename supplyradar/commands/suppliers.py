"""Commands of the suppliers area: ``supplyradar supplier KVK`` and ``supplyradar collect company-signals``.

``register`` adds them to the main app (see supplyradar/cli.py). The work is in
``store.supplier_view`` and ``pipelines.company_signals``; this module only renders.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.panel import Panel
from rich.text import Text

from pipelines.transports import TRANSPORTS, note_dataset, transport_for
from supplyradar.commands.groups import collect_app
from supplyradar.commands.lazy import Settings, open_store
from supplyradar.commands.options import literal, parse_date
from supplyradar.commands.tables import rows_table

out = Console()
err = Console(stderr=True)
_BAND_STYLE = {"high": "red", "medium": "yellow", "low": "green"}
_SPARK = "▁▂▃▄▅▆▇█"


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


def render(view: dict[str, Any], console: Console) -> None:
    """The supplier view as rich panels and tables (``view`` is ``SupplierView.to_json()``)."""
    register = view["register"]
    head = Text()
    head.append(view["name"], style="bold")
    head.append(f"   KvK {view['kvk_number'] or 'unknown'}")
    if register and register.get("status") == "found":
        address = register.get("address") or {}
        head.append(f"\n{register.get('legal_form') or 'legal form unknown'} · "
                    f"{' '.join(filter(None, (address.get('street'), address.get('house_number'))))} {address.get('town') or ''} · "
                    f"{register.get('employees') if register.get('employees') is not None else '?'} people · "
                    f"main SBI {((register.get('sbi') or [{}])[0]).get('code', '?')}")
        if register.get("ended_on"):
            head.append(f"\nregistration ended on {register['ended_on']}", style="red")
        if register.get("trade_names"):
            head.append(f"\ntrade names: {', '.join(register['trade_names'])}")
        names = view.get("names") or {}
        if names.get("former_names"):
            head.append("\nformerly: " + "; ".join(f"{f['name']} (until {f['until']})" for f in names["former_names"]))
        if names.get("former_addresses"):
            head.append("\nearlier addresses: " + "; ".join(
                f"{' '.join(filter(None, (f['address'].get('street'), f['address'].get('house_number'))))} "
                f"{f['address'].get('town') or ''} (until {f['until']})" for f in names["former_addresses"]))
        head.append(f"\nKvK state seen from {register['observed_on']}, confirmed {register['confirmed_on']}", style="dim")
    elif register:
        head.append(f"\nnot found in the KvK register (confirmed {register['confirmed_on']})", style="yellow")
    else:
        head.append("\nno KvK profile collected yet", style="dim")
    console.print(Panel(head, title="supplier"))
    console.print(rows_table("Organisations merged under it", view["organisations"],
                             columns=("id", "org_key", "name", "country", "first_seen")))
    if view["identifiers"]:
        console.print(rows_table("Identifiers", view["identifiers"]))
    if view["sources"]:
        console.print(rows_table("Sources", view["sources"]))
    _spend_and_contracts(view, console)
    awards = view["awards"]
    if awards["count"]:
        totals = ", ".join(f"{cur} {value:,.0f}" for cur, value in awards["total_value"].items()) or "values not published"
        console.print(f"[bold]Public awards won[/bold]: {awards['count']} from {awards['buyers']} buyers "
                      f"({awards['first']} .. {awards['last']}), {totals}")
        console.print(rows_table("Latest awards", awards["latest"],
                                 columns=("published", "buyer", "cpv", "value", "currency", "notice_id", "source")))
    else:
        console.print("[dim]No public awards won in the store.[/dim]")
    if view["events"]:
        console.print(rows_table("Recent events", view["events"],
                                 columns=("occurred_on", "kind", "source", "title", "confidence"),
                                 overflow="fold"))
    else:
        console.print("[dim]No events recorded.[/dim]")
    for case in view["insolvency_cases"]:
        console.print(rows_table(f"Insolvency case {case['case_number']} ({case['court']})", case["publications"]))
    _risk(view, console)


def _spend_and_contracts(view: dict[str, Any], console: Console) -> None:
    spend = view["spend"]
    if spend["lines"]:
        console.print(rows_table("Spend with us, per year", spend["by_year"]))
    else:
        console.print("[dim]No spend lines linked to this supplier (spend is imported with `supplyradar import spend`).[/dim]")
    if view["contracts"]:
        console.print(rows_table("Contracts with us", view["contracts"],
                                 columns=("contract_ref", "title", "category", "start", "end", "extension_until", "value", "owner")))
    else:
        console.print("[dim]No contracts linked to this supplier.[/dim]")


def _risk(view: dict[str, Any], console: Console) -> None:
    if not view["risk"]:
        console.print("[dim]Risk: not scored yet.[/dim]")
        return
    rows = []
    for score in view["risk"]:
        values = [point["value"] for point in score["trend"]]
        low, high = min(values), max(values)
        spark = "".join(_SPARK[int((v - low) / (high - low) * (len(_SPARK) - 1)) if high > low else 0] for v in values)
        rows.append({"kind": score["kind"], "category": score["category"] or "all",
                     "value": "unknown" if score["value"] is None else round(score["value"], 3),
                     "band": score["band"], "confidence": round(score["confidence"], 2), "as of": score["as_of"],
                     "trend": spark, "top reasons": "; ".join(filter(None, score["reasons"]))})
    console.print(rows_table("Risk scores (signals, not verdicts)", rows,
                             styles={"band": lambda band: _BAND_STYLE.get(str(band), "")}, overflow="fold"))


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
