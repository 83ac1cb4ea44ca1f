"""One supplier explained on a terminal: the panels and tables of ``supplyradar supplier KVK``.

``render`` prints ``store.supplier_view.SupplierView.to_json()`` as rich panels and tables:
identity and register state, merged organisations, identifiers and sources, spend and contracts,
public awards, events, insolvency cases and the risk scores with their trend. Names and titles
are untrusted text: they go into ``Text`` cells (``reports.tables.rows_table``), never markup.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.panel import Panel
from rich.text import Text

from reference.figures import figure
from reports.tables import rows_table

_BAND_STYLE = {"high": "red", "medium": "yellow", "low": "green"}
_SPARK = "▁▂▃▄▅▆▇█"


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
                    f"{_people(register.get('employees'))} · "
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
        console.print(rows_table("Latest awards", _amounts(awards["latest"], "value"),
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


def _people(employees: Any) -> str:
    """KvK's count of people working at the company, in words: "1 person", "12 people", or that it is unknown."""
    if employees is None:
        return "people working: unknown"
    return f"{employees} {'person' if employees == 1 else 'people'}"


def _amounts(rows: list[dict[str, Any]], column: str) -> list[dict[str, Any]]:
    """The rows with ``column`` written as an amount ("2,722,000", "30,229.71"); a missing one stays empty."""
    def written(value: Any) -> Any:
        if not isinstance(value, int | float):
            return value
        return figure(value, "en", ",.0f" if float(value).is_integer() else ",.2f")
    return [{**row, column: written(row.get(column))} for row in rows]


def _spend_and_contracts(view: dict[str, Any], console: Console) -> None:
    spend = view["spend"]
    if spend["lines"]:
        console.print(rows_table("Spend with us, per year", _amounts(spend["by_year"], "amount")))
    else:
        console.print("[dim]No spend lines linked to this supplier (spend is imported with `supplyradar import spend`).[/dim]")
    if view["contracts"]:
        console.print(rows_table("Contracts with us", _amounts(view["contracts"], "value"),
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
