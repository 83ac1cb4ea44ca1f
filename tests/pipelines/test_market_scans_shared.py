"""Scans and summaries from one read of the store: a scan asked for exactly as a summary shares its builder,
and every scan and summary is what a read of its own would give.

On the random store of ``test_alert_alternatives_divisions`` (eForms contracts over several lots, awards without
a winner, duplicates, modifications, another scheme).
"""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

from models.market import scan_builder
from pipelines.market_scan import run_market_scan, run_market_scans
from store.db import Store
from store.queries import award_fact_groups, notice_groups
from tests.pipelines.test_alert_alternatives_divisions import AS_OF, _fill

START = date(AS_OF.year - 5, 1, 1)  # the summaries' window (pipelines.market_summaries)


def _alone(store: Store, prefix: str, start: date, top_n: int = 10):
    builder = scan_builder(cpv_prefix=prefix, start=start, end=AS_OF, period="year", top_n=top_n)
    with store.session() as session:
        for awards in award_fact_groups(session, prefix, until=AS_OF):
            builder.add_awards(awards)
        for versions in notice_groups(session, prefix, since=start, until=AS_OF):
            builder.add_notice(versions)
    return builder.scan()


def _without_notes(scan):
    return dataclasses.replace(scan, notes=(), label=None)  # a report names its category and adds a modifications line


def test_scans_and_summaries_from_one_read_are_what_each_read_alone_gives(store: Store, tmp_path: Path) -> None:
    _fill(store)
    summaries = [scan_builder(cpv_prefix=p, start=START, end=AS_OF, period="year", top_n=10) for p in ("45", "72", "90")]
    outputs = run_market_scans(store, cpvs=["45", "90", "72"], start=date(2022, 1, 1), end=AS_OF, output_dir=tmp_path,
                               summaries=summaries)
    outputs += run_market_scans(store, cpvs=["72"], start=START, end=AS_OF, output_dir=tmp_path / "same",
                                summaries=[fresh := scan_builder(cpv_prefix="72", start=START, end=AS_OF)])
    assert fresh.awards_read > 0  # the scan asked for as this summary is kept filled it (one builder, fed once)
    assert fresh.scan() == _alone(store, "72", START)
    for summary in summaries:
        assert summary.awards_read > 0 and summary.scan() == _alone(store, summary.cpv_prefix, START)
    for output in outputs:
        alone = run_market_scan(store, cpv=output.scan.cpv_prefix, start=output.scan.start, end=AS_OF,
                                output_dir=tmp_path / "alone")
        assert output.scan == alone.scan
        assert _without_notes(output.scan) == _without_notes(_alone(store, output.scan.cpv_prefix, output.scan.start))
