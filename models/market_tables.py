"""A market scan as plain tables: what the Prefect table artifacts and the CSV downloads show (JSON types only)."""

from __future__ import annotations

from decimal import Decimal

from models.market_types import REGION_LABELS, MarketScan, PeriodStats


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
        "new-entrants": [
            {
                "period": p.label,
                "supplier": e.name,
                "country": e.country,
                "region": REGION_LABELS[e.region],
                "first_award": e.first_award.isoformat(),
                "notice_id": e.notice_id,
            }
            for p in scan.periods
            for e in p.entrants
        ],
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
