"""A market scan as the rows of the summary table, and back as what a page shows (pure, JSON types only).

The flows compute a category's statistics once (``pipelines.market_summaries``) and the store keeps them
per period (``store.schema.markets``); a page reads those rows instead of every award of the category's
history. ``summary_rows`` keeps each period's headline and, in the ``window`` row, the top suppliers, the
notes and the window's figures; ``MarketSummary`` gives them back with the attribute names the web page
reads off a ``MarketScan`` (``scan.window.concentration.hhi``, ``scan.top_suppliers``, ...).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace
from typing import Any

from models.market_types import MarketScan, PeriodStats

WINDOW = "window"


def _period(p: PeriodStats) -> dict[str, Any]:
    c = p.concentration
    return {
        "label": p.label, "awards": p.awards, "winners": p.winners, "entrants": len(p.entrants),
        "concentration": {"hhi": c.hhi, "cr4": c.cr4, "band": c.band, "basis": c.basis,
                          "awards_used": c.awards_used, "suppliers": c.suppliers},
        "bids": {"share": p.bids.share, "known": p.bids.known},
        "total_value": float(p.total_value),
    }


def summary_rows(scan: MarketScan) -> list[tuple[str, date, date, int, dict[str, Any]]]:
    """(period, start, end, awards, stats) per period of the scan, then the window's row."""
    rows = [(p.label, p.start, p.end, p.awards, _period(p)) for p in scan.periods]
    window = {
        **_period(scan.window),
        "currency": scan.currency,
        "top_suppliers": [{"key": s.key, "name": s.name, "country": s.country, "awards": s.awards, "share": s.share}
                          for s in scan.top_suppliers],
        "notes": list(scan.notes),
    }
    rows.append((WINDOW, scan.start, scan.end, scan.window.awards, window))
    return rows


@dataclass(frozen=True, slots=True)
class MarketSummary:
    """A category's stored statistics, read as the page reads a scan."""

    cpv_prefix: str
    start: date
    end: date
    window: Any  # the window's figures as attributes (concentration.hhi, bids.share, awards, winners, entrants)
    periods: tuple[Any, ...]
    top_suppliers: tuple[Any, ...]
    notes: tuple[str, ...]


def _attributes(value: Any) -> Any:
    if isinstance(value, dict):
        return SimpleNamespace(**{key: _attributes(item) for key, item in value.items()})
    if isinstance(value, list):
        return tuple(_attributes(item) for item in value)
    return value


def from_rows(cpv_prefix: str, rows: list[tuple[str, date, date, dict[str, Any]]]) -> MarketSummary | None:
    """The summary of (period, start, end, stats) rows; None without a window row (never summarised)."""
    window = next((r for r in rows if r[0] == WINDOW), None)
    if window is None:
        return None
    periods = sorted((r for r in rows if r[0] != WINDOW), key=lambda r: r[1])
    stats = dict(window[3])
    top, notes = stats.pop("top_suppliers", []), stats.pop("notes", [])
    return MarketSummary(
        cpv_prefix=cpv_prefix, start=window[1], end=window[2], window=_attributes(stats),
        periods=tuple(_attributes(r[3]) for r in periods), top_suppliers=_attributes(top), notes=tuple(notes),
    )
