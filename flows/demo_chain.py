"""The demo chain that ``supplyradar demo`` runs: production code on the bundled synthetic data set, every
flow in turn under a temporary Prefect server, with what each step did shown on a console.

The connectors talk to the real API URLs through a replay transport that serves the bundled
responses, the flows run on a temporary local Prefect server, and everything lands in the
default data directory, so that afterwards every ``supplyradar`` command works on the demo data.

The chain, as a category manager would live it: tenders and awards are collected (TED,
TenderNed); our own contracts and spend are imported and their suppliers resolved; the company
register and the insolvency register are read quarterly since 2019 (the replay answers "as of"
each day, so the store gets a real history of snapshots and dated events); news and the
sanctions list are screened; the failure model is trained on that history and every supplier
is scored; alerts with alternative suppliers go to the demo outbox; market scans are written.

It sits with the flows because it runs them (demo/ and pipelines/ are below flows/ in the import rule);
the ``demo`` command in ``supplyradar/cli.py`` only calls ``run_demo``, and ``bench/scale.py`` does too.
"""

from __future__ import annotations

import logging
import os
import time
from collections import Counter
from pathlib import Path

from rich.console import Console

from config.settings import Settings
from demo.scale import StageClock, check_scale, remember_scale, scaled_bundle
from demo.settings import (
    DEMO_CATEGORIES,
    DEMO_COLLECT_FROM,
    DEMO_REGISTER_HISTORY_FROM,
    DEMO_ROUTING,
    DEMO_SCAN_START,
    DEMO_TODAY,
)
from flows.prefect_server import QUIET_PREFECT_ENV, StartingServer, default_template_dir, starting_server
from reports.tables import emit, rows_table
from store.db import Store
from store.health import table_counts


def run_demo(settings: Settings, *, console: Console, scale: int = 1) -> StageClock:
    """The whole chain; ``scale`` N runs it on a synthetic world N times the bundled one (built first, in a
    temporary folder; see demo.scale). Returns the CPU seconds of each stage (a StageClock)."""
    started = time.monotonic()
    clock = StageClock()
    check_scale(settings, scale)
    remember_scale(settings, scale)  # before collecting: a run that stops halfway still says what it holds
    clock.lap("open store")
    os.environ.update(QUIET_PREFECT_ENV)
    console.print(f"[bold]supplyradar demo[/bold]: synthetic data set, database {settings.resolved_database_url}")
    console.print("Starting a temporary Prefect server (about 10 s; it starts while the chain's code loads)...")
    # started first: it comes up while the world is built and the flows are imported, not before them
    with (starting_server(Path(settings.data_dir) / "prefect", template_dir=default_template_dir()) as server,
          scaled_bundle(scale) as counts):
        if counts is not None:
            clock.world = counts
            clock.lap("build world")
            console.print(f"Synthetic world at scale {scale} built in a temporary folder: "
                          + ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in counts.items()))
        reports, trained = _run_chain(settings, console, clock, scale, server)
    clock.lap("stop prefect server")
    _print_summary(console, settings, reports, trained, started)
    _print_web_accounts(console, settings)
    clock.lap("summary")
    return clock


def _run_chain(settings: Settings, console: Console, clock: StageClock, scale: int,
               server: StartingServer) -> tuple[list[str], dict]:
    from prefect.settings import PREFECT_API_URL, PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    from demo.build import own_data_dir
    from demo.build_own_data import CONTRACTS_FILE, SPEND_FILE
    from demo.replay import forget_bundles
    from flows.collect_news import collect_news_flow, screen_sanctions
    from flows.collect_tenders import collect_tenders
    from flows.company_signals import collect_company_signals
    from flows.market_scan import market_scan
    from flows.resolve_suppliers import import_own_data
    from flows.score_suppliers import score_suppliers
    from flows.send_alerts import send_alerts, send_digest
    from flows.train_models import train_models
    from pipelines.company_signals import history_table

    logging.getLogger("prefect").setLevel(logging.WARNING)
    # no flow run heartbeats: the temporary server runs no service that reads them (flows.prefect_server), and
    # each flow run waited for its heartbeat thread to end
    with temporary_settings(updates={PREFECT_API_URL: server.ready(), PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        clock.lap("start prefect server and imports")
        bundle = "the bundled data set" if scale == 1 else f"the scale-{scale} synthetic world"
        console.print(f"\n[bold]1. Tenders[/bold]: TED and TenderNed notices (replayed from {bundle})...")
        rows = collect_tenders(since=DEMO_COLLECT_FROM, until=DEMO_TODAY, transport="demo")
        _table(console, "Collected", rows, ("source", "pages", "added", "updated", "unchanged", "quarantined", "status"))
        forget_bundles()  # nothing later asks the tender replay: its memory goes before training and scoring need theirs
        clock.lap("collect tenders")

        console.print("\n[bold]2. Our own data[/bold]: contract register and spend export, suppliers resolved...")
        own = own_data_dir()  # a scaled world's bundle carries N times our own data
        imported = import_own_data(
            contract_files=[str(own / CONTRACTS_FILE)], spend_files=[str(own / SPEND_FILE)]
        )
        _table(console, "Imported", imported["imports"])
        _print_quality(console, settings)
        clock.lap("import own data")

        console.print(
            f"\n[bold]3. Company signals[/bold]: KvK and the insolvency register, quarterly from "
            f"{DEMO_REGISTER_HISTORY_FROM} to {DEMO_TODAY}..."
        )
        rows = collect_company_signals(transport="demo", observed_on=DEMO_TODAY, history_from=DEMO_REGISTER_HISTORY_FROM)
        _table(console, "Company registers", history_table(rows))
        clock.lap("company signals")

        console.print("\n[bold]4. News and sanctions[/bold]: feeds, GDELT, the EU sanctions list...")
        rows = collect_news_flow(transport="demo")
        sanctions = screen_sanctions(transport="demo")
        _table(console, "News", rows, ("source", "fetched", "added", "duplicates", "links", "events", "quarantined", "status"))
        _table(console, "EU sanctions list", [sanctions],
               ("list", "suppliers screened", "possible matches", "new events", "status"))
        _print_recent_events(console, settings)
        clock.lap("news and sanctions")

        console.print("\n[bold]5. Risk[/bold]: train the failure model on the history, then score every supplier...")
        trained = train_models(as_of=DEMO_TODAY)
        _print_training(console, trained)
        clock.lap("train model")
        scored = score_suppliers(as_of=DEMO_TODAY, routing_file=str(DEMO_ROUTING))
        console.print(f"Scoring run {scored['run_id']}: " + ", ".join(f"{v} {k}" for k, v in sorted(scored["counts"].items())))
        clock.lap("scoring")

        console.print("\n[bold]6. Alerts[/bold]: rules, routing to the category managers, the demo outbox...")
        sent = send_alerts(as_of=DEMO_TODAY, routing_file=str(DEMO_ROUTING), check_sources=False)
        daily = send_digest(period="daily", routing_file=str(DEMO_ROUTING))
        weekly = send_digest(period="weekly", routing_file=str(DEMO_ROUTING))
        _table(console, "Alerts", [{"step": "send-alerts", **sent}, {"step": "daily digest", **daily},
                                   {"step": "weekly digest", **weekly}])
        clock.lap("alerts")

        console.print(f"\n[bold]7. Market scans[/bold] for CPV {', '.join(DEMO_CATEGORIES)} from {DEMO_SCAN_START}...")
        reports = market_scan(cpv=list(DEMO_CATEGORIES), start=DEMO_SCAN_START, end=DEMO_TODAY)
        clock.lap("market scans")
    return reports, trained


def _print_web_accounts(console: Console, settings: Settings) -> None:
    from web.demo import create_demo_users

    with Store(settings.resolved_database_url) as store:
        accounts = create_demo_users(store, settings)
    console.print(rows_table("Web workspace: demo accounts (passwords shown once; the next demo resets them)",
                             [{"user": u, "role": r, "password": p} for u, r, p in accounts]))
    console.print(f"Open it: [cyan].venv/bin/supplyradar web[/cyan]  ->  {settings.web.link_base()}")


def _table(console: Console, title: str, rows: list[dict], columns: tuple[str, ...] | None = None) -> None:
    """Readable at 80 columns: text columns wrap between words (reports.tables.emit)."""
    emit(console, title, rows, columns=columns, wide=("title", "supplier", "examples", "finding"))


def _print_recent_events(console: Console, settings: Settings) -> None:
    """What the registers and the news said about the suppliers we depend on, in the last three months."""
    from datetime import timedelta

    from store.alert_facts import current_suppliers
    from store.events import recent_events

    with Store(settings.resolved_database_url) as store, store.session() as session:
        ours = current_suppliers(session, as_of=DEMO_TODAY, canonical=lambda org: org)
        rows = recent_events(session, ours, since=DEMO_TODAY - timedelta(days=92), until=DEMO_TODAY)
    _table(console, f"Events about our current suppliers since {DEMO_TODAY - timedelta(days=92)} "
           "(supplyradar supplier KVK shows one supplier's)", rows[:12], ("day", "supplier", "kind", "source", "title"))


def _print_quality(console: Console, settings: Settings) -> None:
    from pipelines.import_own_data import quality_report

    with Store(settings.resolved_database_url) as store:
        report = quality_report(store)
    _table(console, "Data quality of our own data (supplyradar quality)", report.summary_rows(examples=2),
           ("finding", "count", "rows", "examples"))
    if report.matched_share is not None:
        console.print(f"Our spend: [bold]{report.currency} {report.net_spend:,.0f}[/bold] net (credit notes netted); "
                      f"matched suppliers cover [bold]{report.matched_share:.1%}[/bold] of the booked volume")


def _print_training(console: Console, trained: dict) -> None:
    chosen = trained.get("chosen") or trained.get("model_version") or "?"
    console.print(f"Failure model in use: [bold]{chosen}[/bold]; model card: {trained.get('card')}")
    metrics = trained.get("metrics")
    if isinstance(metrics, list) and metrics:
        _table(console, "Held-out evaluation", metrics)


def _print_summary(console: Console, settings: Settings, reports: list[str], trained: dict, started: float) -> None:
    with Store(settings.resolved_database_url) as store, store.session() as session:
        counts = table_counts(session)
    console.print(
        f"\n[green]Done in {time.monotonic() - started:.0f} s.[/green] " + ", ".join(f"{v} {k}" for k, v in counts.items())
    )
    console.print(f"Database: [bold]{settings.resolved_database_url}[/bold]")
    outbox = Path(settings.data_dir) / "outbox"
    messages = sorted(p for p in outbox.iterdir() if p.is_file()) if outbox.exists() else []
    formats = ", ".join(f"{n} {kind}" for kind, n in sorted(Counter(p.suffix.lstrip(".") for p in messages).items()))
    console.print(f"Alert outbox ({len(messages)} messages{': ' + formats if formats else ''}): [bold]{outbox}[/bold]")
    for path in messages[:8]:
        console.print(f"  {path.name}")
    console.print(f"Model card: [bold]{trained.get('card')}[/bold]")
    console.print("Market scans:")
    for path in reports:
        console.print(f"  [bold]{path}[/bold]")
    from demo.story import build_story

    failing = build_story().our_failure_id
    console.print(
        "\nTry: [cyan].venv/bin/supplyradar alerts list[/cyan], "
        f"[cyan].venv/bin/supplyradar supplier {failing}[/cyan], [cyan].venv/bin/supplyradar risk[/cyan], "
        "[cyan].venv/bin/supplyradar evaluate alternatives --cutoff 2024-01-01[/cyan], "
        "[cyan].venv/bin/supplyradar quality[/cyan], [cyan].venv/bin/supplyradar news[/cyan]"
    )
