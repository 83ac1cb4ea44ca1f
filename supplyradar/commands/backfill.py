"""``supplyradar backfill tenders``: a long history in monthly chunks, here or on a Prefect work pool.

Without ``--pool`` the chunks run one after the other in this process, without Prefect. With
``--pool NAME`` each (source, month) chunk becomes its own flow run on that work pool, for as many
workers as poll it (``flows.backfill``); that needs a Prefect server (``PREFECT_API_URL``).
"""

from __future__ import annotations

import calendar
from datetime import date
from typing import Annotated

import typer
from rich.console import Console

from pipelines.transports import TRANSPORTS, note_dataset, settings_for, transport_for
from supplyradar.commands.lazy import Settings, open_store
from supplyradar.commands.options import parse_date
from supplyradar.commands.progress import progress_display
from supplyradar.commands.tables import rows_table

backfill_app = typer.Typer(help="Collect a long history in resumable monthly chunks.", no_args_is_help=True)
console = Console(stderr=True)
out = Console()


@backfill_app.command("tenders")
def backfill_tenders_command(
    start: Annotated[str, typer.Option("--from", help="First publication date, e.g. 2019-01-01 or 2019-01.")],
    end: Annotated[str | None, typer.Option("--to", help="Last publication date or month (default: today).")] = None,
    source: Annotated[list[str], typer.Option("--source", "-s", help="ted, tenderned (repeat for both).")] = ["ted", "tenderned"],  # noqa: B006
    transport: Annotated[str, typer.Option(help=f"Where to read from: {', '.join(TRANSPORTS)}.")] = "live",
    pool: Annotated[str | None, typer.Option(
        help="Prefect work pool whose workers run the chunks in parallel (needs PREFECT_API_URL).")] = None,
) -> None:
    """Collect history month by month; run it again after an interruption and it continues where it stopped."""
    first, last = _month_start(start, "--from"), _month_end(end, "--to") if end else date.today()
    if last < first:
        raise typer.BadParameter("--to is before --from", param_hint="--to")
    if pool is not None:
        _on_pool(first, last, source, transport, pool)
    else:
        _here(first, last, source, transport)


def _month_start(value: str, option: str) -> date:
    """A date, or a month (YYYY-MM) meaning its first day."""
    return parse_date(f"{value}-01" if len(value) == 7 else value, option)


def _month_end(value: str, option: str) -> date:
    """A date, or a month (YYYY-MM) meaning its last day."""
    if len(value) != 7:
        return parse_date(value, option)
    first = _month_start(value, option)
    return first.replace(day=calendar.monthrange(first.year, first.month)[1])


def _here(first: date, last: date, sources: list[str], transport: str) -> None:
    from pipelines.backfill import backfill, month_chunks

    settings = settings_for(Settings(), transport)
    months = sum(1 for _ in month_chunks(first, last))
    failed = False
    with open_store(settings) as store, progress_display(
        console, "{task.completed}/{task.total} months", "{task.fields[status]}"
    ) as progress:
        note_dataset(store, transport)
        for src in sources:
            bar = progress.add_task(src, total=months, status="")

            def advance(_src: str, month: date, summary, bar: int = bar) -> None:
                label = "done before" if summary is None else f"{summary.saved.added} new, {summary.quarantined} quarantined"
                progress.update(bar, advance=1, status=f"{month:%Y-%m}: {label}")

            report = backfill(store, settings, src, start=first, end=last, transport=transport_for(transport), on_chunk=advance)
            if report.incomplete:
                failed = True
                pending = ", ".join(f"{m:%Y-%m}" for m in report.incomplete)
                console.print(f"[yellow]{src}: records left pending in {pending}[/yellow] Run the same command again to fetch them.")
            if report.stopped_at is not None:
                failed = True
                error = report.summaries[-1].error if report.summaries else ""
                console.print(f"[red]{src}: stopped at {report.stopped_at:%Y-%m}: {error}[/red] Run the same command again to continue.")
    if failed:
        raise typer.Exit(1)


def _on_pool(first: date, last: date, sources: list[str], transport: str, pool: str) -> None:
    from prefect.settings import PREFECT_API_URL

    from flows.backfill import BackfillFailed, backfill_tenders, deploy_chunk_flow
    from flows.prefect_server import drain_prefect_workers
    from pipelines.backfill import plan_chunks

    if not PREFECT_API_URL.value():
        console.print("[red]--pool needs a Prefect server that the workers share: set PREFECT_API_URL.[/red]")
        raise typer.Exit(2)
    try:
        plan_chunks(sources, first, last)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--source") from None
    deploy_chunk_flow(pool)
    try:
        rows = backfill_tenders(first, last, sources=sources, transport=transport, pool=pool)
    except BackfillFailed as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from None
    finally:
        drain_prefect_workers()
    out.print(rows_table("Backfill chunks", rows))


def register(app: typer.Typer) -> None:
    app.add_typer(backfill_app, name="backfill")
