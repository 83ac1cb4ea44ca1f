"""``supplyradar quarantine``: list the records set aside, and fetch them again on demand (``retry``)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from connectors.errors import SourceRequestError, SourceUnavailableError
from pipelines.transports import TRANSPORTS, settings_for, transport_for
from reports.tables import rows_table
from supplyradar.commands.lazy import Settings, open_store

quarantine_app = typer.Typer(help="Records set aside: list them, fetch them again.", invoke_without_command=True)
out = Console()
console = Console(stderr=True)


@quarantine_app.callback()
def list_quarantine(
    ctx: typer.Context, source: Annotated[str | None, typer.Option(help="Only this source.")] = None
) -> None:
    """List records set aside (refused) or waiting to be fetched again (pending), with the reason."""
    if ctx.invoked_subcommand is not None:
        return
    from store.bookkeeping import open_quarantine

    settings = Settings()

    with open_store(settings) as store, store.session() as session:
        rows = [
            {"source": r.source, "record": r.record_key, "kind": r.kind, "field": r.field or "", "attempts": r.attempts,
             "last seen": r.last_seen.strftime("%Y-%m-%d %H:%M"), "reason": r.reason}
            for r in open_quarantine(session, source)
        ]
    out.print(rows_table("Quarantine", rows)) if rows else out.print("The quarantine is empty.")


@quarantine_app.command("retry")
def retry_command(
    source: Annotated[list[str], typer.Option("--source", "-s", help="ted, tenderned (repeat; default both).")] = ["ted", "tenderned"],  # noqa: B006
    transport: Annotated[str, typer.Option(help=f"Where to read from: {', '.join(TRANSPORTS)}.")] = "live",
) -> None:
    """Fetch every open entry again by its key; what comes in is stored and leaves the quarantine."""
    from pipelines.collect_tenders import RECORD_FETCHERS, retry_quarantined

    unknown = set(source) - set(RECORD_FETCHERS)
    if unknown:
        raise typer.BadParameter(f"can fetch again: {', '.join(RECORD_FETCHERS)}", param_hint="--source")
    settings = settings_for(Settings(), transport)
    failed = False

    with open_store(settings) as store:
        for name in source:
            try:
                summary = retry_quarantined(store, settings, name, transport=transport_for(transport))
            except (SourceUnavailableError, SourceRequestError) as exc:
                console.print(f"[red]{name}: {exc}[/red]")
                failed = True
                continue
            out.print(f"{name}: {summary.recovered} of {summary.retried} fetched and stored; "
                      f"{summary.pending} still pending, {summary.quarantined} refused")
            failed = failed or summary.status != "ok"
    if failed:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(quarantine_app, name="quarantine")
