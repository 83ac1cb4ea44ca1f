"""``supplyradar import tenderned-dataset FILE...``: import TenderNed's open-data files by hand.

The lead registers ``import_app`` under ``import`` in ``supplyradar/cli.py``. The work is in
``pipelines.tenderned_dataset``; this module only shows progress and the reports. A file
that cannot be read is reported by name and the next one is still imported; the exit code is 1
if any file failed, so scripts notice.
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
#: Rejected rows listed per file before "... and N more" (all of them are in the quarantine).
SHOW_REJECTED = 10


@import_app.command("tenderned-dataset")
def tenderned_dataset_command(
    files: Annotated[list[Path], typer.Argument(
        help="XLSX or JSON files from TenderNed's 'datasets aanbestedingen' page (the JSON is OCDS).")],
    batch_size: Annotated[int | None, typer.Option(help="Publications per transaction (default: from the settings).")] = None,
) -> None:
    """Import TenderNed's yearly award files (winners, values, tenders received); re-importing adds nothing."""
    from connectors.tenderned_dataset import DatasetFileError
    from pipelines.tenderned_dataset import ImportReport, import_tenderned_dataset

    settings = Settings()
    size = batch_size or settings.tenderned_dataset.batch_size
    reports: list[ImportReport] = []
    failed: list[str] = []
    with open_store(settings) as store:
        for path in files:
            with progress_display(console, COUNT, transient=True) as progress:
                task = progress.add_task(f"{path.name}: reading", total=None)

                def hook(phase: str, done: int, total: int | None, task: int = task, name: str = path.name) -> None:
                    label = "reading rows" if phase == "read" else "saving publications"
                    progress.update(task, description=f"{name}: {label}", completed=done, total=total)

                try:
                    reports.append(import_tenderned_dataset(store, path, batch_size=size, progress=hook))
                except (DatasetFileError, OSError) as exc:
                    failed.append(str(path))
                    console.print(f"[red]{path}: not imported: {getattr(exc, 'reason', exc)}[/red]")
    _print(reports)
    if failed:
        raise typer.Exit(1)


def _print(reports: list) -> None:
    if not reports:
        return
    console.print(rows_table("TenderNed dataset import", [r.as_row() for r in reports]))
    for report in reports:
        for rejected in report.rejected[:SHOW_REJECTED]:
            where = f"row {rejected.row}" if isinstance(rejected.row, int) else rejected.row
            console.print(f"[yellow]{escape(Path(report.file).name)} {escape(where)}, {escape(str(rejected.column))}: "
                          f"{escape(rejected.reason)}[/yellow]")
        if report.rows_rejected > SHOW_REJECTED:
            console.print(f"[yellow]... and {report.rows_rejected - SHOW_REJECTED} more (supplyradar quarantine)[/yellow]")
