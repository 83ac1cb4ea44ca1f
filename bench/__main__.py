"""``python -m bench`` (from the repository root): every registered benchmark; non-zero exit on a miss.

To add a benchmark, import its callable here and append it to ``BENCHMARKS`` (contract in
``bench/__init__.py``).
"""

from __future__ import annotations

import sys

from bench import Benchmark, run
from bench.alerts import alternatives_ranking
from bench.companies import company_history_benchmark
from bench.entity_linking import entity_linking
from bench.matching import matching
from bench.news import news_pipeline
from bench.notice_parsing import notice_parsing
from bench.ocds_import import ocds_import
from bench.scoring import scoring
from bench.store_writes import store_writes
from bench.tenderned_dataset import tenderned_dataset
from bench.web import web_pages

BENCHMARKS: list[Benchmark] = [
    notice_parsing,
    store_writes,
    tenderned_dataset,
    ocds_import,
    matching,
    company_history_benchmark,
    entity_linking,
    news_pipeline,
    scoring,
    alternatives_ranking,
    web_pages,
]


def main() -> int:
    return run(BENCHMARKS)


if __name__ == "__main__":
    sys.exit(main())
