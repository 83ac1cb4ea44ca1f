"""Benchmarks with targets: ``python -m bench`` runs them all and fails when one misses its target.

A benchmark is a callable taking no argument and returning a result dict:

- ``name`` (str): short, unique;
- ``target`` (str): the target in words, e.g. "ratio < 2.0";
- ``passed`` (bool): whether the target was met;
- any number of measurements (numbers or short strings), shown in the table and the JSON line.

Register it in ``BENCHMARKS`` in ``bench/__main__.py`` (except a benchmark that takes minutes: ``bench/scale.py``,
the whole demo chain on a world ``SCALE`` times the demo's, runs alone with ``make bench-scale``). Time is CPU time of the measuring process
(``time.process_time``) wherever the work runs in that process, so a busy machine does not turn a met
target into a miss; the web benchmark times the app in a thread of the measuring process the same
way (and shows the wall clock beside it). Keeping the contract this small lets a
benchmark live next to the code it measures and be run alone from a test or a notebook.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Iterable
from typing import Any

from rich.console import Console
from rich.table import Table

from bench import machine

Result = dict[str, Any]
Benchmark = Callable[[], Result]

RESERVED = ("name", "target", "passed")


def run(benchmarks: Iterable[Benchmark], console: Console | None = None) -> int:
    """Run each benchmark, print a table and one JSON line; the exit code (0: all targets met).

    The machine's yardstick (``bench.machine``) is timed before and after them and shown with the results: the
    targets are absolute CPU times, which only mean something beside the speed of the machine that measured them.
    """
    console = console or Console()
    yardstick = {"before": machine.reference_seconds()}
    results = []
    warnings = OnceEach()
    root = logging.getLogger()
    root.addHandler(warnings)
    try:
        for benchmark in benchmarks:
            console.print(f"[dim]running {getattr(benchmark, '__name__', benchmark)}...[/dim]")
            results.append(benchmark())
    finally:
        root.removeHandler(warnings)
    if warnings.repeats:
        console.print(f"[dim]{warnings.repeats:,} repeats of the warnings above not shown[/dim]")
    yardstick["after"] = machine.reference_seconds()
    console.print(table(results))
    console.print(f"machine yardstick ({machine.ADDITIONS:,} additions in a Python loop, bench/machine.py): "
                  f"{yardstick['before']:.3f} CPU-s before the benchmarks, {yardstick['after']:.3f} after, "
                  f"on Python {machine.interpreter()}")
    passed = all(result["passed"] for result in results)
    print(json.dumps({"benchmarks": results, "passed": passed, "machine yardstick cpu s": yardstick,
                      "python": machine.interpreter()}, default=str,
                     ensure_ascii=False))
    return 0 if passed else 1


class OnceEach(logging.Handler):
    """Shows each distinct warning once: a benchmark parses the same files in many rounds, and the real notices
    that warn (a modification whose original notice is not in the corpus, say) would print their warning every
    round (about 400 lines from the notice benchmark alone). The records are still made and handled, as in a run."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.seen: set[tuple[str, str]] = set()
        self.repeats = 0

    def emit(self, record: logging.LogRecord) -> None:
        key = (record.name, record.getMessage())
        if key in self.seen:
            self.repeats += 1
            return
        self.seen.add(key)
        sys.stderr.write(f"{record.levelname} {record.name}: {key[1]}\n")


def table(results: list[Result]) -> Table:
    """One row per measurement, so benchmarks with different measurements share one table."""
    grid = Table(title="benchmarks")
    for column in ("benchmark", "measurement", "value", "target", "result"):
        grid.add_column(column)
    for result in results:
        measurements = [(key, value) for key, value in result.items() if key not in RESERVED]
        status = "[green]met[/green]" if result["passed"] else "[red]MISSED[/red]"
        for index, (key, value) in enumerate(measurements or [("", "")]):
            first = index == 0
            grid.add_row(
                result["name"] if first else "",
                key,
                _format(value),
                result["target"] if first else "",
                status if first else "",
            )
        grid.add_section()
    return grid


def _format(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 100 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)
