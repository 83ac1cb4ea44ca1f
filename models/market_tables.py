"""A market scan as plain tables: what the Prefect table artifacts and the CSV downloads show (JSON types only)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from models.market_types import REGION_LABELS, Entrant, MarketScan, PeriodStats

#: How many new entrants a scan lists (the report, the artifact); all of them are in the CSV file. A big
#: category has thousands over a few years: an unbounded table made a 2 MB page.
TOP_ENTRANTS = 25


def scan_tables(scan: MarketScan) -> dict[str, list[dict[str, object]]]:
    """The scan as plain tables for Prefect table artifacts: JSON types only, keys safe as artifact keys."""
    return {
        "periods": [_period_row(p) for p in (*scan.periods, scan.window)],
        "top-suppliers": [
            {
                "rank": rank,
                "supplier": s.name,
                "country": s.country,
                "region": REGION_LABELS[s.region],
                "awards": s.awards,
                f"value_{scan.currency.lower()}": _number(s.value),
                "share_pct": _pct(s.share),
                "basis": scan.window.concentration.basis,
            }
            for rank, s in enumerate(scan.top_suppliers, start=1)
        ],
        "new-entrants": entrant_rows(scan, top_entrants(scan)),
        "regions": [
            {
                "period": p.label,
                "region": r.label,
                "winners": r.winners,
                "awards": r.awards,
                f"value_{scan.currency.lower()}": _number(r.value),
                "value_share_pct": _pct(r.value_share),
            }
            for p in (*scan.periods, scan.window)
            for r in p.regions
        ],
    }


def _period_row(p: PeriodStats) -> dict[str, object]:
    c, b, cov = p.concentration, p.bids, p.coverage
    return {
        "period": p.label,
        "start": p.start.isoformat(),
        "end": p.end.isoformat(),
        "partial": p.partial,
        "notices": p.notices,
        "awards": p.awards,
        "total_value": _number(p.total_value),
        "median_value": _number(p.median_value),
        "awards_with_value": cov.with_value,
        "winners": p.winners,
        "basis": c.basis,
        "hhi": None if c.hhi is None else round(c.hhi),
        "band": c.band,
        "cr4_pct": _pct(c.cr4),
        "single_bid_pct": _pct(b.share),
        "tenders_known": b.known,
        "mean_tenders": None if b.mean_tenders is None else round(b.mean_tenders, 2),
        "new_entrants": len(p.entrants),
    }


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value.quantize(Decimal("0.01")))


def _pct(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


def top_entrants(scan: MarketScan, n: int = TOP_ENTRANTS) -> tuple[Entrant, ...]:
    """The ``n`` new entrants of the window that won most there, listed in the order of their first award.

    With ``n`` or fewer entrants this is every one of them, in the order of the full list.
    """
    ranked = sorted(scan.window.entrants, key=lambda e: (-e.awards, e.first_award, e.name.casefold(), e.key))[:n]
    kept = {e.key for e in ranked}
    return tuple(e for e in scan.window.entrants if e.key in kept)


def entrant_rows(scan: MarketScan, entrants: tuple[Entrant, ...] | None = None) -> list[dict[str, object]]:
    """New entrants as rows (all of the window's when ``entrants`` is None), each with the period it entered."""
    period_of = {e.key: p.label for p in scan.periods for e in p.entrants}
    return [
        {
            "period": period_of.get(e.key, ""),
            "supplier": e.name,
            "country": e.country,
            "region": REGION_LABELS[e.region],
            "first_award": e.first_award.isoformat(),
            "notice_id": e.notice_id,
            "awards_in_window": e.awards,
        }
        for e in (scan.window.entrants if entrants is None else entrants)
    ]


def entrants_csv(scan: MarketScan) -> str:
    """Every new entrant of the window as CSV (UTF-8 text, a header row): the download beside a scan."""
    rows = entrant_rows(scan)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=["period", "supplier", "country", "region", "first_award", "notice_id",
                                             "awards_in_window"], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
