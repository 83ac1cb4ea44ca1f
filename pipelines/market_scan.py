"""Build a market scan for a CPV category from the store and write its HTML report.

Plain functions: the ``market_scan`` flow and ``supplyradar scan`` both call ``run_market_scan``.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from models.contract_changes import modifications_line
from models.market import MarketScan, scan_builder, scan_tables
from models.market_build import MarketScanBuilder, feed_categories
from models.market_tables import entrants_csv
from reference.cpv import UnknownCpvCodeError, cpv_prefix, labels, prefix_label
from reports.market_scan import market_scan_markdown, render_market_scan, write_market_scan
from store.bookkeeping import SYNTHETIC_MARKER, get_meta
from store.db import Store
from store.queries import award_fact_groups, modification_facts, notice_groups, source_freshness
from store.risk_views import our_position

log = logging.getLogger(__name__)

#: The store_meta key the demo sets, so every report made from its data says it is synthetic.

_CPV_PREFIX = re.compile(r"^\d{1,8}$")


class ScanRequestError(ValueError):
    """A market scan was asked for with an unusable category or window."""


@dataclass(frozen=True, slots=True)
class ScanOutput:
    scan: MarketScan
    html_path: Path
    tables: dict[str, list[dict]]
    markdown: str
    synthetic: bool


def normalise_prefix(cpv: str) -> str:
    """Accept "72", "72000000", "72000000-5" or "7221": a prefix is the code without trailing zero pairs."""
    code = cpv.strip().split("-", 1)[0]
    if not _CPV_PREFIX.match(code):
        raise ScanRequestError(f"--cpv must be 1 to 8 digits (e.g. 72 or 72500000), not {cpv!r}")
    code = cpv_prefix(code)
    try:
        prefix_label(code)
    except UnknownCpvCodeError as exc:
        raise ScanRequestError(f"{cpv!r} is not a CPV 2008 code or prefix") from exc
    return code


def run_market_scan(
    store: Store,
    *,
    cpv: str,
    start: date,
    end: date | None = None,
    period: str = "year",
    language: str = "en",
    output_dir: Path,
    out_path: Path | None = None,
) -> ScanOutput:
    builder = _builder(cpv, start, end, period)
    with store.session() as session:  # the awards and notices stream into the builder: none are held
        for awards in award_fact_groups(session, builder.cpv_prefix, until=builder.end):
            builder.add_awards(awards)
        for versions in notice_groups(session, builder.cpv_prefix, since=start, until=builder.end):
            builder.add_notice(versions)
    return _report(store, builder, language=language, output_dir=output_dir, out_path=out_path)


def run_market_scans(
    store: Store,
    *,
    cpvs: Sequence[str],
    start: date,
    end: date | None = None,
    period: str = "year",
    language: str = "en",
    output_dir: Path,
    summaries: Sequence[MarketScanBuilder] = (),
) -> list[ScanOutput]:
    """The scans of several categories from one streamed read of the store, which also fills ``summaries``
    (``pipelines.market_summaries.summary_builders``: the market-scan flow refreshes them after its scans,
    and they read the same awards; two reads of a national store's awards were most of the scans' time)."""
    # A scan asked for exactly as a summary is kept (the same category, window, period, currency and top) is
    # that summary's builder: fed once, read twice (reading a builder changes nothing).
    same = {_request(summary): summary for summary in summaries}
    builders = [same.get(_request(fresh), fresh) for fresh in (_builder(cpv, start, end, period) for cpv in cpvs)]
    every = list({id(builder): builder for builder in [*builders, *summaries]}.values())
    if every:
        since, until = min(b.start for b in every), max(b.end for b in every)
        with store.session() as session:
            feed_categories(every, award_fact_groups(session, "", until=until),
                            notice_groups(session, "", since=since, until=until))
    return [_report(store, builder, language=language, output_dir=output_dir) for builder in builders]


def _request(builder: MarketScanBuilder) -> tuple:
    return builder.cpv_prefix, builder.start, builder.end, builder.period, builder.currency, builder.top_n


def _builder(cpv: str, start: date, end: date | None, period: str) -> MarketScanBuilder:
    prefix = normalise_prefix(cpv)
    end = end or date.today()
    if end < start:
        raise ScanRequestError(f"the window ends ({end}) before it starts ({start})")
    return scan_builder(cpv_prefix=prefix, start=start, end=end, period=period)


def _report(store: Store, builder: MarketScanBuilder, *, language: str, output_dir: Path,
            out_path: Path | None = None) -> ScanOutput:
    """The filled builder's scan with what the store adds (modifications, sources, our position, sanctions
    marks), written as the HTML report."""
    prefix, start, end = builder.cpv_prefix, builder.start, builder.end
    with store.session() as session:
        changes = modification_facts(session, prefix, until=end)
        sources = source_freshness(session)
        synthetic_note = get_meta(session, SYNTHETIC_MARKER)
        position = our_position(session, prefix)
    scan = builder.scan(labels(language))
    # Modifications change contracts already counted: their own line, never part of the awards.
    changes_line = modifications_line(changes, start, end, scan.currency)
    if changes_line:
        scan = dataclasses.replace(scan, notes=(*scan.notes, changes_line))
    with store.session() as session:
        from store.sanctions_marks import possible_matches_by_key

        named = {s.key for s in scan.top_suppliers} | {e.key for p in scan.periods for e in p.entrants}
        flagged = possible_matches_by_key(session, named)
    title = f"Market scan {prefix} — {prefix_label(prefix, language)}"
    path = out_path or output_dir / f"market-scan-{prefix}-{start.isoformat()}-{end.isoformat()}.html"
    html = render_market_scan(
        scan, title=title, generated_at=datetime.now(UTC), sources=sources, synthetic=synthetic_note is not None,
        position=position, possible_sanctions=flagged, path=path,
    )
    write_market_scan(path, html, entrants_csv(scan))
    log.info("market scan %s written to %s (%d awards in history)", prefix, path, builder.awards_read)
    return ScanOutput(scan, path, scan_tables(scan), market_scan_markdown(scan, position), synthetic_note is not None)
