"""``supplyradar backfill tenders``: a long history in monthly chunks, here or on a Prefect work pool.

Without ``--pool`` the chunks run one after the other in this process, without Prefect. With
``--pool NAME`` each (source, month) chunk becomes its own flow run on that work pool, for as many
workers as poll it (``flows.backfill``); that needs a Prefect server (``PREFECT_API_URL``).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer
from rich.console import Console

from pipelines.transports import TRANSPORTS, note_dataset, settings_for, transport_for
from reports.tables import rows_table
from supplyradar.commands.lazy import Settings, open_store
from supplyradar.commands.progress import progress_display

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
    first = _bound(start, "--from", last=False)
    last = _bound(end, "--to", last=True) if end else date.today()
    if last < first:
        raise typer.BadParameter("--to is before --from", param_hint="--to")
    if pool is not None:
        _on_pool(first, last, source, transport, pool)
    else:
        _here(first, last, source, transport)


def _bound(value: str, option: str, *, last: bool) -> date:
    from pipelines.backfill import month_bound

    try:
        return month_bound(value, last=last)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date (2026-11-01) or a month (2026-11)", param_hint=option) from None


def _here(first: date, last: date, sources: list[str], transport: str) -> None:
    from pipelines.backfill import backfill, chunk_status, month_chunks

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
                progress.update(bar, advance=1, status=f"{month:%Y-%m}: {chunk_status(summary)}")

            report = backfill(store, settings, src, start=first, end=last, transport=transport_for(transport), on_chunk=advance)
            for line in report.problems():
                console.print(line)
            failed = failed or not report.ok
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
