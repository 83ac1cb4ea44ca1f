"""The ``supplyradar`` command line.

Commands call the same plain functions as the Prefect flows, so a one-off run from a terminal
and a scheduled run on a server do exactly the same work. Only ``demo`` starts a (temporary)
Prefect server, to show the flows end to end.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from connectors.errors import RecordError
from models.collector_pause import use_batch_thresholds
from pipelines.transports import TRANSPORTS, note_dataset, settings_for, transport_for
from reports.tables import rows_table
from supplyradar.commands import alerts as alerts_commands
from supplyradar.commands import backfill as backfill_commands
from supplyradar.commands import news as news_commands
from supplyradar.commands import ocds as _ocds  # noqa: F401 - adds "import ocds"
from supplyradar.commands import own_data as own_data_commands
from supplyradar.commands import quarantine as quarantine_commands
from supplyradar.commands import risk as risk_commands
from supplyradar.commands import suppliers as suppliers_commands
from supplyradar.commands import tenderned_dataset as _tenderned_dataset  # noqa: F401 - adds "import tenderned-dataset"
from supplyradar.commands import web as web_commands
from supplyradar.commands.groups import collect_app, evaluate_app, import_app
from supplyradar.commands.lazy import Settings, open_store
from supplyradar.commands.ops import register as register_ops
from supplyradar.commands.options import parse_date
from supplyradar.commands.progress import progress_display

app = typer.Typer(
    name="supplyradar",
    help="Supplier-risk and market monitoring for public procurement: collect notices, scan markets, alert people.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_show_locals=False,
    add_completion=False,
)
notices_app = typer.Typer(help="Work with tender notice files (TED eForms and TED XML R2.0.9).", no_args_is_help=True)
app.add_typer(collect_app, name="collect")
backfill_commands.register(app)
app.add_typer(notices_app, name="notices")
app.add_typer(import_app, name="import", help="Import files: spend, contracts, TenderNed open-data sets.")
app.add_typer(evaluate_app, name="evaluate")
register_ops(app)
for _area in (quarantine_commands, suppliers_commands, own_data_commands, news_commands, risk_commands, alerts_commands, web_commands):
    _area.register(app)

console = Console(stderr=True)
out = Console()


def _rich_handler():
    from rich.logging import RichHandler

    return RichHandler(console=console, show_path=False, rich_tracebacks=False)


def _setup_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(message)s",
        handlers=[_rich_handler()],
        force=True,
    )


@app.callback()
def main(verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log what happens in detail.")] = False) -> None:
    _setup_logging(verbose)
    use_batch_thresholds()  # every command is a batch process (models.collector_pause.use_batch_thresholds says why)


@collect_app.command("tenders")
def collect_tenders_command(
    source: Annotated[list[str], typer.Option("--source", "-s", help="ted, tenderned (repeat for both).")] = ["ted", "tenderned"],  # noqa: B006
    since: Annotated[str | None, typer.Option(help="Publication date to start from (default: where the last run stopped).")] = None,
    until: Annotated[str | None, typer.Option(help="Last publication date to collect.")] = None,
    transport: Annotated[str, typer.Option(help=f"Where to read from: {', '.join(TRANSPORTS)}.")] = "live",
) -> None:
    """Collect award notices from TED and TenderNed, incrementally and idempotently."""
    from pipelines.collect_tenders import CollectionSummary, collect_all

    settings = settings_for(Settings(), transport)
    with open_store(settings) as store, progress_display(console, "{task.fields[status]}") as progress:
        note_dataset(store, transport)
        tasks: dict[str, int] = {}

        def hook(src: str, _page: int, summary: CollectionSummary) -> None:
            if src not in tasks:
                tasks[src] = progress.add_task(src, total=None, status="")
            progress.update(
                tasks[src],
                status=f"{summary.pages} pages, {summary.saved.added} new, {summary.saved.updated} changed, "
                f"{summary.saved.unchanged} unchanged, {summary.quarantined} quarantined",
            )

        summaries = collect_all(
            store, settings, sources=source, since=parse_date(since, "--since"), until=parse_date(until, "--until"),
            transport=transport_for(transport), progress=hook,
        )
    _print_rows("Collection", [s.as_row() for s in summaries])
    if any(s.status != "ok" for s in summaries):
        for s in summaries:
            if s.error:
                console.print(f"[red]{s.source}: {s.error}[/red]")
        raise typer.Exit(1)


@notices_app.command("parse")
def parse_notices_command(
    files: Annotated[list[Path], typer.Argument(help="Notice XML files.", exists=False)],
) -> None:
    """Print one JSON object per notice; a bad file gets a one-line error and exit code 1."""
    from connectors.notice_xml import parse_notice

    failed = 0
    for path in files:
        try:
            notice = parse_notice(path.read_bytes(), where=str(path))
        except RecordError as exc:
            failed += 1
            _error_line(str(exc))
            continue
        except OSError as exc:
            failed += 1
            _error_line(f"{path}: cannot read: {exc.strerror}")
            continue
        # "file" first: users parse whole folders and need to know which line came from where.
        sys.stdout.write(json.dumps({"file": str(path), **notice.to_json()}, ensure_ascii=False) + "\n")
    if failed:
        raise typer.Exit(1)


@app.command("scan")
def scan_command(
    cpv: Annotated[str, typer.Option("--cpv", help="CPV code or prefix, e.g. 72 or 90910000.")],
    start: Annotated[str, typer.Option("--from", help="First day of the window, e.g. 2021-01-01.")],
    end: Annotated[str | None, typer.Option("--to", help="Last day of the window (default: today).")] = None,
    period: Annotated[str, typer.Option(help="year or quarter.")] = "year",
    out_path: Annotated[Path | None, typer.Option("--out", help="Where to write the HTML report.")] = None,
) -> None:
    """Write a self-contained HTML market scan of a CPV category."""
    from pipelines.market_scan import ScanRequestError, run_market_scan

    if period not in ("year", "quarter"):
        raise typer.BadParameter("choose year or quarter", param_hint="--period")
    settings = Settings()
    with open_store(settings) as store:
        try:
            output = run_market_scan(
                store, cpv=cpv, start=parse_date(start, "--from"), end=parse_date(end, "--to"), period=period,
                language=settings.language, output_dir=settings.resolved_output_dir, out_path=out_path,
            )
        except ScanRequestError as exc:
            console.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(2) from None
    from rich.markdown import Markdown

    out.print(Markdown(output.markdown))
    out.print(f"\nReport: [bold]{output.html_path}[/bold]")


@app.command("demo")
def demo_command(
    scale: int = typer.Option(1, "--scale", min=1,
                              help="N times the bundled synthetic world (buyers, suppliers, notices), built first "
                                   "in a temporary folder; for measuring the chain at size"),
) -> None:
    """Run the whole pipeline on the bundled synthetic data set, under a temporary Prefect server."""
    from demo.scale import DemoScaleError
    from flows.demo_chain import run_demo

    try:
        run_demo(Settings(), console=out, scale=scale)
    except DemoScaleError as exc:
        _error_line(str(exc))
        raise typer.Exit(2) from None


def _error_line(message: str) -> None:
    """One plain line on stderr: file names and XPaths must not be read as markup or emoji codes."""
    sys.stderr.write(f"error: {' '.join(message.split())}\n")


def _print_rows(title: str, rows: list[dict]) -> None:
    if rows:
        out.print(rows_table(title, rows))


def run() -> None:
    """The console entry point: the app, with a database that cannot be reached said in one line.

    A database that is down at start is an operations fact, not a bug: one clear line naming the
    database (password hidden) and exit code 3, so cron and systemd see it; nothing was written.
    """
    try:
        app()
    except Exception as exc:
        # SQLAlchemy is imported only by commands that use the database: --help never loads it.
        errors = sys.modules.get("sqlalchemy.exc")
        if errors is None or not isinstance(exc, errors.OperationalError):
            raise
        from store.health import shown_url

        url = shown_url(Settings().resolved_database_url)
        reason = " ".join(str(getattr(exc, "orig", exc)).split())
        _error_line(f"cannot use the database {url}: {reason}")
        sys.exit(3)


if __name__ == "__main__":
    run()
