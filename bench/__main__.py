"""``python -m bench`` (from the repository root): every registered benchmark; non-zero exit on a miss.

To add a benchmark, import its callable here and append it to ``BENCHMARKS`` (contract in
``bench/__init__.py``).
"""

from __future__ import annotations

import sys

from bench import Benchmark, run
from bench.notice_parsing import notice_parsing
from bench.tenderned_dataset import tenderned_dataset

BENCHMARKS: list[Benchmark] = [
    notice_parsing,
    tenderned_dataset,
]


def main() -> int:
    return run(BENCHMARKS)


if __name__ == "__main__":
    sys.exit(main())
