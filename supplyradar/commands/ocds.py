"""``supplyradar import ocds FILE...``: import OCDS release/record packages or JSON Lines, gzip or not.

The work is in ``pipelines.import_ocds``; this module shows progress and the report. Files given
together are merged per ocid (a process whose award sits in the next year's file is one notice). A
file that cannot be read is named and the others are still imported; the exit code is 1 if any
file failed, so scripts notice.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from reports.tables import rows_table
from supplyradar.commands.groups import import_app
from supplyradar.commands.lazy import Settings, open_store
from supplyradar.commands.progress import COUNT, progress_display

console = Console()
#: Rejected processes and warnings listed before "... and N more" (all are in the quarantine and the log).
SHOW = 10


@import_app.command("ocds")
def ocds_command(
    files: Annotated[list[Path], typer.Argument(help="OCDS files: release or record packages, JSON Lines; .json, .jsonl, .gz.")],
    batch_size: Annotated[int, typer.Option(help="Processes (ocids) per transaction.")] = 500,
) -> None:
    """Import OCDS data (buyers, items in any classification, awards, bids, contract amendments); re-importing adds nothing."""
    from pipelines.import_ocds import import_ocds

    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        console.print(f"[red]not found: {escape(', '.join(missing))}[/red]")
        raise typer.Exit(1)
    settings = Settings()
    with open_store(settings) as store, progress_display(console, COUNT, transient=True) as progress:
        task = progress.add_task("reading", total=None)

        def hook(phase: str, done: int, total: int | None) -> None:
            label = "reading releases and records" if phase == "read" else "saving processes"
            progress.update(task, description=label, completed=done, total=total)

        report = import_ocds(store, files, batch_size=batch_size, progress=hook)
    print_report(report)
    if report.failed_files:
        raise typer.Exit(1)


def print_report(report) -> None:
    console.print(rows_table("OCDS import", [report.as_row()]))
    for path, reason in report.failed_files.items():
        console.print(f"[red]{escape(path)}: not fully read: {escape(reason)}[/red]")
    for error in report.rejected[:SHOW]:
        console.print(f"[yellow]rejected: {escape(str(error))}[/yellow]")
    if report.rejected_total > SHOW:
        console.print(f"[yellow]... and {report.rejected_total - SHOW} more (supplyradar quarantine)[/yellow]")
    for warning in report.warnings[:SHOW]:
        console.print(f"warning: {escape(str(warning))}")
    total = sum(report.warning_fields.values())
    if total > SHOW:
        fields = ", ".join(f"{f} ({n})" for f, n in report.warning_fields.most_common(5))
        console.print(f"... {total} warnings in all, most in: {escape(fields)}")

