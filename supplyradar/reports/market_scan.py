"""The market scan of a CPV category as one self-contained HTML page, and its Markdown summary.

A category strategist opens the page, reads four tiles and the charts, and only then the
tables; the method section says what every number rests on, so that none overstates. The
page carries its own CSS and inline SVG: no CDN, no script, it opens from a mail attachment
or a file share as it is. Everything that comes from data is escaped by Jinja's autoescape;
only the SVG that :mod:`supplyradar.reports.charts` draws is marked safe.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from models.concentration import (
    BAND_CAVEAT,
    EC_GUIDELINES_CITATION,
    EC_GUIDELINES_TEXT,
    EC_GUIDELINES_URL,
    HHI_LOWER_THRESHOLD,
    HHI_UPPER_THRESHOLD,
)
from models.market import (
    REGION_LABELS,
    SMALL_SAMPLE_AWARDS,
    VALUE_BASIS_MIN_COVERAGE,
    MarketScan,
)
from supplyradar.reports.charts import compact_money, market_charts

TEMPLATE = "market_scan.html.j2"
#: How many new entrants a tile names before it says "and N more".
ENTRANTS_NAMED = 3


@dataclass(frozen=True, slots=True)
class Tile:
    """One headline figure: the number, what it rests on, and a sentence that reads it."""

    key: str
    label: str
    value: str
    badge: str | None  # the HHI band, for instance
    detail: str
    reading: str
    tone: str = "neutral"  # a CSS modifier: "high", "moderate", "low" or "neutral"


def headline_tiles(scan: MarketScan) -> list[Tile]:
    """HHI, CR4, single-bid share over the window, and the last period's new entrants."""
    return [_hhi_tile(scan), _cr4_tile(scan), _single_bid_tile(scan), _entrants_tile(scan)]


def render_market_scan(
    scan: MarketScan,
    *,
    title: str,
    generated_at: datetime,
    sources: Sequence[Mapping[str, Any]],
    synthetic: bool = False,
) -> str:
    """The report as one HTML string; ``sources`` rows give name, records and last_collected."""
    charts = {key: Markup(svg) for key, svg in market_charts(scan).items()}  # our own SVG, data escaped by matplotlib
    return _environment().get_template(TEMPLATE).render(
        scan=scan,
        title=title,
        heading=category_heading(scan),
        generated_at=generated_at,
        sources=[_source_row(s) for s in sources],
        synthetic=synthetic,
        tiles=headline_tiles(scan),
        charts=charts,
        region_labels=REGION_LABELS,
        method=_method(scan),
    )


def write_market_scan(path: str | Path, html: str) -> Path:
    """Write the page as UTF-8 (the page declares it), creating the folder if needed."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(html, encoding="utf-8")
    return target


def market_scan_markdown(scan: MarketScan) -> str:
    """A short summary for a Prefect markdown artifact: the tiles, the periods, the top five, the caveats."""
    cur = scan.currency
    lines = [f"## Market scan: {_md(category_heading(scan))}", "", f"{_md(_window_text(scan))}", ""]
    lines += [f"- **{_md(t.label)}: {_md(t.value)}**" + (f" ({_md(t.badge)})" if t.badge else "") + f" — {_md(t.reading)}"
              for t in headline_tiles(scan)]
    if scan.is_empty:
        lines += ["", *(f"> {_md(note)}" for note in scan.notes)]
        return "\n".join(lines) + "\n"
    lines += ["", "### Per period", "", f"| Period | Awards | Value ({cur}) | HHI | Basis | CR4 | Single-bid | New entrants |",
              "|---|---:|---:|---:|---|---:|---:|---:|"]
    for p in scan.periods:
        c = p.concentration
        lines.append(
            f"| {p.label}{'*' if p.partial else ''} | {p.awards} | {money(p.total_value, cur)} | {hhi_text(c.hhi)} | "
            f"{c.basis or '–'} | {pct(c.cr4)} | {pct(p.bids.share)} | {len(p.entrants)} |"
        )
    lines += ["", "### Top suppliers", "", f"| # | Supplier | Country | Awards | Value ({cur}) | Share |", "|---:|---|---|---:|---:|---:|"]
    lines += [
        f"| {rank} | {_md(s.name)} | {s.country or '–'} | {s.awards} | {money(s.value, cur)} | {pct(s.share)} |"
        for rank, s in enumerate(scan.top_suppliers[:5], start=1)
    ]
    lines += ["", "### What changed", "", *(f"- {_md(hint)}" for hint in scan.trend.hints)]
    if scan.notes:
        lines += ["", "### Coverage", "", *(f"- {_md(note)}" for note in scan.notes)]
    return "\n".join(lines) + "\n"


def category_heading(scan: MarketScan) -> str:
    """"72 — IT services: consulting, ..." or just the code when no label is known."""
    return f"{scan.cpv_prefix} — {scan.label}" if scan.label else f"CPV {scan.cpv_prefix}"


def money(value: Decimal | None, currency: str) -> str:
    return "–" if value is None else compact_money(value, currency)


def pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def hhi_text(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f}"


def long_date(day: date | datetime) -> str:
    return f"{day.day} {day:%b %Y}"


def _hhi_tile(scan: MarketScan) -> Tile:
    c = scan.window.concentration
    if c.hhi is None or c.band is None or c.cr4 is None:
        return Tile("hhi", "Concentration (HHI)", "–", None, "no awards with a winner", "Nothing to measure.")
    tone = {"unconcentrated": "low", "moderately concentrated": "moderate", "highly concentrated": "high"}[c.band]
    return Tile(
        key="hhi",
        label="Concentration (HHI)",
        value=hhi_text(c.hhi),
        badge=c.band.capitalize(),
        detail=f"on {_basis_text(scan)}, {c.awards_used} of {scan.window.awards} awards",
        reading=f"{c.band.capitalize()}: the top {min(4, c.suppliers)} suppliers won {c.cr4:.0%} of {_what(scan)}.",
        tone=tone,
    )


def _cr4_tile(scan: MarketScan) -> Tile:
    c = scan.window.concentration
    if c.cr4 is None or not scan.top_suppliers:
        return Tile("cr4", "Top-4 share (CR4)", "–", None, "no awards with a winner", "Nothing to measure.")
    leader = scan.top_suppliers[0]
    reading = (
        f"The largest supplier, {leader.name}, won {leader.share:.0%} of {_what(scan)}; "
        f"{c.suppliers} suppliers won at least one award."
        if c.suppliers > 4
        else f"Only {c.suppliers} supplier{'s' if c.suppliers > 1 else ''} won awards; the largest is {leader.name} "
        f"with {leader.share:.0%}."
    )
    return Tile("cr4", "Top-4 share (CR4)", pct(c.cr4), None, f"of {_basis_text(scan)}, {scan.window.label}", reading)


def _single_bid_tile(scan: MarketScan) -> Tile:
    b, awards = scan.window.bids, scan.window.awards
    if b.share is None or b.mean_tenders is None:
        return Tile("single-bid", "Single-bid awards", "–", None, f"tender counts known for 0 of {awards} awards",
                    "No tender counts to measure competition by.")
    return Tile(
        key="single-bid",
        label="Single-bid awards",
        value=pct(b.share),
        badge=None,
        detail=f"tender count known for {b.known} of {awards} awards",
        reading=f"{b.single_bid} of {b.known} awards drew a single tender; "
        f"on average {b.mean_tenders:.1f} tenders per award.",
    )


def _entrants_tile(scan: MarketScan) -> Tile:
    last = scan.periods[-1]
    entrants = last.entrants
    names = [e.name for e in entrants[:ENTRANTS_NAMED]]
    more = len(entrants) - len(names)
    if not entrants:
        reading = f"No supplier won its first award in this category in {last.label}."
    else:
        listed = ", ".join(names[:-1]) + (" and " if len(names) > 1 and not more else ", " if more else "") + names[-1]
        reading = f"First-time winners: {listed}" + (f" and {more} more." if more else ".")
    return Tile(
        key="entrants",
        label=f"New entrants, {last.label}",
        value=str(len(entrants)),
        badge=None,
        detail=f"{last.winners} suppliers won in {last.label}" + (" (part of the period)" if last.partial else ""),
        reading=reading,
    )


def _basis_text(scan: MarketScan) -> str:
    return f"award value ({scan.currency})" if scan.window.concentration.basis == "value" else "award counts"


def _what(scan: MarketScan) -> str:
    return "the award value" if scan.window.concentration.basis == "value" else "the awards"


def _window_text(scan: MarketScan) -> str:
    return f"{long_date(scan.start)} – {long_date(scan.end)}, by {scan.period}, amounts in {scan.currency}"


def _method(scan: MarketScan) -> dict[str, Any]:
    """The numbers the method section quotes, taken from the models' constants, not restated by hand."""
    return {
        "citation": EC_GUIDELINES_CITATION,
        "guideline_text": EC_GUIDELINES_TEXT,
        "guideline_url": EC_GUIDELINES_URL,
        "band_caveat": BAND_CAVEAT,
        "lower": f"{HHI_LOWER_THRESHOLD:,}",
        "upper": f"{HHI_UPPER_THRESHOLD:,}",
        "value_basis_min": f"{float(VALUE_BASIS_MIN_COVERAGE):.0%}",
        "small_sample": SMALL_SAMPLE_AWARDS,
        "window_text": _window_text(scan),
    }


def _source_row(source: Mapping[str, Any]) -> dict[str, str]:
    collected = source.get("last_collected")
    if isinstance(collected, datetime):
        collected = f"{long_date(collected)}, {collected:%H:%M}"
    elif isinstance(collected, date):
        collected = long_date(collected)
    records = source.get("records")
    return {
        "name": str(source.get("name", "")),
        "records": f"{records:,}" if isinstance(records, int) else str(records or "–"),
        "last_collected": str(collected or "–"),
    }


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("supplyradar.reports", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(money=money, pct=pct, hhi=hhi_text, long_date=long_date)
    return env


_MD_SPECIAL = str.maketrans({c: f"\\{c}" for c in "\\`*_[]#|~"} | {"<": "&lt;", ">": "&gt;", "&": "&amp;"})


def _md(text: str) -> str:
    """Data as Markdown text: no tables broken by a "|", no HTML from a supplier's name."""
    return text.translate(_MD_SPECIAL)
