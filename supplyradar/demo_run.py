"""``supplyradar demo``: production code on the bundled synthetic data set.

The connectors talk to the real API URLs through a replay transport that serves the bundled
responses, the flows run on a temporary local Prefect server, and everything lands in the
default data directory, so that afterwards every ``supplyradar`` command works on the demo data.
"""

from __future__ import annotations

import logging
import os
import time
from datetime import date
from pathlib import Path

from rich.console import Console
from sqlalchemy import func, select

from config.settings import Settings
from store.bookkeeping import open_quarantine
from store.db import Store
from store.schema import Award, Notice, Organisation
from supplyradar.commands.tables import rows_table
from supplyradar.prefect_server import QUIET_PREFECT_ENV, temporary_server

#: The categories the synthetic market is made of (see supplyradar/demo/data/README.md).
DEMO_CATEGORIES = ("72", "48", "79", "90910000", "45", "09310000")
DEMO_SCAN_START = date(2021, 1, 1)
DEMO_COLLECT_FROM = date(2019, 1, 1)
#: The demo world ends here; the replay transport serves nothing published later.
DEMO_TODAY = date(2026, 11, 1)


def run_demo(settings: Settings, *, console: Console) -> None:
    started = time.monotonic()
    os.environ.update(QUIET_PREFECT_ENV)
    console.print(f"[bold]supplyradar demo[/bold]: synthetic data set, database {settings.resolved_database_url}")
    console.print("Starting a temporary Prefect server (about 10 s)...")

    from prefect.settings import PREFECT_API_URL, temporary_settings

    from flows.collect_tenders import collect_tenders
    from flows.market_scan import market_scan

    logging.getLogger("prefect").setLevel(logging.WARNING)
    with temporary_server(Path(settings.data_dir) / "prefect") as api_url, temporary_settings(updates={PREFECT_API_URL: api_url}):
        console.print("Collecting notices from TED and TenderNed (replayed from the bundled data set)...")
        rows = collect_tenders(since=DEMO_COLLECT_FROM, until=DEMO_TODAY, transport="demo")
        _print_table(console, "Collected", rows)
        console.print(f"Market scans for CPV {', '.join(DEMO_CATEGORIES)} from {DEMO_SCAN_START}...")
        reports = market_scan(cpv=list(DEMO_CATEGORIES), start=DEMO_SCAN_START, end=DEMO_TODAY)

    with Store(settings.resolved_database_url) as store, store.session() as session:
        counts = {
            "notices": session.scalar(select(func.count()).select_from(Notice)),
            "awards": session.scalar(select(func.count()).select_from(Award)),
            "organisations": session.scalar(select(func.count()).select_from(Organisation)),
            "quarantined": len(open_quarantine(session)),
        }
    console.print(
        f"\n[green]Done in {time.monotonic() - started:.0f} s.[/green] "
        + ", ".join(f"{v} {k}" for k, v in counts.items())
    )
    console.print(f"Database: [bold]{settings.resolved_database_url}[/bold]")
    console.print("Market scans:")
    for path in reports:
        console.print(f"  [bold]{path}[/bold]")
    console.print(
        "\nTry: [cyan].venv/bin/supplyradar scan --cpv 72 --from 2021-01-01 --period quarter[/cyan]  "
        "or  [cyan].venv/bin/supplyradar quarantine[/cyan]"
    )


#: The columns of the collection summary that fit a terminal.
_SUMMARY_COLUMNS = ("source", "pages", "added", "updated", "unchanged", "quarantined", "status")


def _print_table(console: Console, title: str, rows: list[dict]) -> None:
    console.print(rows_table(title, rows, columns=_SUMMARY_COLUMNS))
