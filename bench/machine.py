"""A yardstick for the machine: the CPU time of one fixed piece of plain Python, beside every benchmark run.

The targets are absolute CPU times, and the same code has measured 3x apart on two machines of the same kind on
the same day (the README's "Where it stands"): one run's figures can only be read against the speed of the machine
that made them. So ``bench.run`` times this workload before the benchmarks and after them, and prints both with
the results: two runs' figures compare when their yardsticks do, and a yardstick that moved within a run says the
machine changed speed while it ran (another job started, say). It is not a target and changes no result.

The workload is three million integer additions in an interpreted loop (what most of our per-record code
is: bytecode, small objects), the fastest of ``ROUNDS`` tries: single tries on a shared virtual machine swung
from 0.084 to 0.145 CPU-s within a minute, the fastest of five from 0.087 to 0.099. On the machine where that
was measured (4 December 2026, evening) building the scale-54 world took 25 CPU-s.

The yardstick times the interpreter as much as the machine: on one machine Debian's Python 3.11 (built with
profile-guided and link-time optimisation) read about a fifth lower than a pyenv build without them, while the
scale chain moved by an eighth. So ``interpreter`` names the Python that ran, and two yardsticks compare only when
their interpreters are the same.
"""

from __future__ import annotations

import platform
import sys
import time
from pathlib import Path

ROUNDS = 5
ADDITIONS = 3_000_000


def reference_seconds(rounds: int = ROUNDS) -> float:
    """The fastest CPU time, in seconds, of ``ADDITIONS`` additions in a Python loop over ``rounds`` tries."""
    best = float("inf")
    for _ in range(rounds):
        started = time.process_time()
        total = 0
        for number in range(ADDITIONS):
            total += number
        best = min(best, time.process_time() - started)
    if total != ADDITIONS * (ADDITIONS - 1) // 2:  # the loop's work is used, so it is really done
        raise AssertionError("the reference loop added up wrong")
    return round(best, 3)


def interpreter() -> str:
    """The Python that runs the benchmarks: version, build date and executable (``sys.executable``), e.g.
    ``3.11.2 (Apr 28 2025) /work/main/.venv/bin/python -> /usr/bin/python3.11``."""
    executable = Path(sys.executable)
    target = executable.resolve()
    shown = f"{executable} -> {target}" if target != executable else str(executable)
    return f"{platform.python_version()} ({platform.python_build()[1].rsplit(' ', 1)[0]}) {shown}"
