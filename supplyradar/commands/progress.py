"""The one progress display long commands show: a spinner, what is being done, a bar, their own
figures and the time taken. ``rich.progress`` is imported when a command runs (keeps --help fast)."""

from __future__ import annotations

from typing import Any

#: Stands for the "done/total" column in ``progress_display(...)``.
COUNT = "{count}"


def progress_display(console: Any, *figures: str, transient: bool = False) -> Any:  # rich Console -> rich Progress
    """A ``Progress`` with ``figures`` (text templates such as ``"{task.fields[status]}"``, or ``COUNT``)
    between the bar and the time; ``transient`` leaves nothing behind when it ends."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = [MofNCompleteColumn() if f == COUNT else TextColumn(f) for f in figures]
    return Progress(SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn(), *columns, TimeElapsedColumn(),
                    console=console, transient=transient)
