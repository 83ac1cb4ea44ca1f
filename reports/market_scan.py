"""The market scan of a CPV category as one self-contained HTML page, and its Markdown summary.

A category strategist opens the page, reads four tiles and the charts, and only then the
tables; the method section says what every number rests on, so that none overstates. The
page carries its own CSS and inline SVG: no CDN, no script, it opens from a mail attachment
or a file share as it is. Everything that comes from data is escaped by Jinja's autoescape;
only the SVG that :mod:`reports.charts` draws is marked safe.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache
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
from models.market_tables import top_entrants
from reports.charts import compact_money, market_charts

TEMPLATE = "market_scan.html.j2"
#: Band names short enough for a table column; the tiles and the method give them in full.
BAND_SHORT = {"unconcentrated": "low", "moderately concentrated": "moderate", "highly concentrated": "high"}
#: How many suppliers the Markdown summary lists; the HTML report has the full top list.
MARKDOWN_SUPPLIERS = 5
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
    position: Any = None,
    possible_sanctions: Mapping[str, Any] | None = None,
    path: Path | None = None,
) -> str:
    """The report as one HTML string.

    ``path`` is where the page will be written: the table of new entrants then links the CSV of all
    of them written beside it (``entrants_csv_name``); without it the page names how many there are only.

    ``possible_sanctions`` maps organisation keys to the date of a possible sanctions-list match:
    wherever such a company appears (top suppliers, new entrants) it is marked, to be checked.

    ``sources`` rows give name, records, last_collected and optionally newest_publication, as
    ``store.queries.source_freshness`` returns them. ``position`` is our own place in the category
    (``store.risk_views.OurPosition``: our spend, our suppliers' dependency and failure risk, the
    Kraljic quadrant); None leaves the section out.
    """
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
        captions=chart_captions(scan),
        entrants=top_entrants(scan),
        entrants_total=len(scan.window.entrants),
        entrants_csv=entrants_csv_name(path) if path else None,
        sanctioned=dict(possible_sanctions or {}),
        region_labels=REGION_LABELS,
        method=_method(scan),
        position=position,
    )


def entrants_csv_name(report: Path) -> str:
    """The file name of the CSV of all new entrants written beside the report ``report``."""
    return f"{report.stem}-new-entrants.csv"


def write_market_scan(path: str | Path, html: str, entrants: str | None = None) -> Path:
    """Write the page as UTF-8 (the page declares it), creating the folder if needed; ``entrants``, the
    CSV of every new entrant (``models.market_tables.entrants_csv``), beside it."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(html, encoding="utf-8")
    if entrants is not None:
        target.with_name(entrants_csv_name(target)).write_text(entrants, encoding="utf-8")
    return target


def position_markdown(position: Any, currency: str = "EUR") -> list[str]:
    """Our position in the category as Markdown lines (empty without a position)."""
    if position is None:
        return []
    lines = ["", "### Our position", ""]
    if position.message:
        return [*lines, _md(position.message)]
    quadrant = position.kraljic.get("quadrant") if position.kraljic else None
    lines.append(f"Our spend: {money(position.spend, currency)} (scoring run as of {position.as_of}); "
                 f"Kraljic quadrant: {_md(quadrant or 'unknown')}.")
    if position.unpriced:
        lines.append(f"Not counted: our spend with {position.unpriced} supplier(s) paid in another currency "
                     "(no exchange rate).")
    rows = [[_md(s["name"]), f"{s['dependency']:.2f} ({s['dependency_band']})",
             "–" if s["failure"] is None else f"{s['failure']:.1%} ({s['failure_band']})", _md(s["reason"] or "–")]
            for s in position.suppliers[:MARKDOWN_SUPPLIERS]]
    return [*lines, "", *_md_table(["Supplier", "Dependency", "Failure risk (12 months)", "Main reason"], "lrrl", rows)]


def market_scan_markdown(scan: MarketScan, position: Any = None) -> str:
    """A short summary for a Prefect markdown artifact: the tiles, the periods, the top five, the caveats."""
    cur = scan.currency
    lines = [f"## Market scan: {_md(category_heading(scan))}", "", _md(_window_text(scan)), ""]
    for t in headline_tiles(scan):
        badge = f" ({_md(t.badge)})" if t.badge else ""
        lines.append(f"- **{_md(t.label)}: {_md(t.value)}**{badge} — {_md(t.reading)}")
    lines += position_markdown(position, cur)
    if scan.is_empty:
        return "\n".join([*lines, "", *(f"> {_md(note)}" for note in scan.notes)]) + "\n"
    periods = [
        [f"{p.label}{'*' if p.partial else ''}", str(p.awards), money(p.total_value, cur),
         hhi_text(p.concentration.hhi), p.concentration.basis or "–", pct(p.concentration.cr4),
         pct(p.bids.share), str(len(p.entrants))]
        for p in scan.periods
    ]
    suppliers = [
        [str(rank), _md(s.name), s.country or "–", str(s.awards), money(s.value, cur), pct(s.share)]
        for rank, s in enumerate(scan.top_suppliers[:MARKDOWN_SUPPLIERS], start=1)
    ]
    lines += ["", "### Per period", ""]
    lines += _md_table(["Period", "Awards", f"Value ({cur})", "HHI", "Basis", "CR4", "Single-bid", "New entrants"],
                       "lrrrlrrr", periods)
    lines += ["", "### Top suppliers", ""]
    lines += _md_table(["#", "Supplier", "Country", "Awards", f"Value ({cur})", "Share"], "rllrrr", suppliers)
    lines += ["", "### What changed", "", *(f"- {_md(hint)}" for hint in scan.trend.hints)]
    if scan.notes:
        lines += ["", "### Coverage", "", *(f"- {_md(note)}" for note in scan.notes)]
    return "\n".join(lines) + "\n"


def _md_table(headers: Sequence[str], aligns: str, rows: Sequence[Sequence[str]]) -> list[str]:
    """A Markdown table; ``aligns`` has an "l" or "r" for each column."""
    rule = ["---:" if a == "r" else "---" for a in aligns]
    return [f"| {' | '.join(cells)} |" for cells in (headers, rule, *rows)]


def chart_captions(scan: MarketScan) -> dict[str, str]:
    """What each chart rests on, in the order the page shows them."""
    cov, cur = scan.window.coverage, scan.currency
    partial = " * The window covers part of this period." if any(p.partial for p in scan.periods) else ""
    basis = "award value" if scan.window.concentration.basis == "value" else "awards won"
    return {
        "value-count": f"Value: awards with an amount in {cur} ({cov.with_value} of {cov.awards}); other currencies "
        f"are left out, not converted. Notices include calls for competition and notices without an award.{partial}",
        "hhi": f"Filled points rest on award value, hollow points on award counts. Dashed lines: "
        f"{HHI_LOWER_THRESHOLD:,} and {HHI_UPPER_THRESHOLD:,}, the thresholds of the EC horizontal merger "
        f"guidelines (see Method).{partial}",
        "top-suppliers": f"Share of {basis} over {scan.window.label}; a joint award counts for each winner, "
        "its value split equally.",
        "regions": "Distinct winning suppliers per period, by the country their notices give "
        f"(known for {cov.winners_with_country} of {cov.winners}).{partial}",
        "single-bid": f"Share of awards with exactly one tender; n = awards with a known tender count "
        f"({cov.with_tenders} of {cov.awards} over the window).{partial}",
    }


def category_heading(scan: MarketScan) -> str:
    """"72 — IT services: consulting, ..." or just the code when no label is known."""
    code = cpv8(scan.cpv_prefix)
    return f"{code} — {scan.label}" if scan.label else f"CPV {code}"


def money(value: Decimal | None, currency: str) -> str:
    return "–" if value is None else compact_money(value, currency)


def pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def hhi_text(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f}"


def cpv8(prefix: str) -> str:
    """A category's CPV prefix as the 8-digit code people look up ("9091" -> "90910000")."""
    return prefix.ljust(8, "0") if prefix.isdigit() else prefix


def long_date(day: date | datetime) -> str:
    return f"{day.day} {day:%b %Y}"


def _hhi_tile(scan: MarketScan) -> Tile:
    c = scan.window.concentration
    if c.hhi is None or c.band is None or c.cr4 is None:
        return Tile("hhi", "Concentration (HHI)", "–", None, "no awards with a winner", "Nothing to measure.")
    tone = BAND_SHORT[c.band]
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
    # Every winner counts, also of awards without an amount; the shares may rest on fewer.
    winners = max(scan.window.winners, c.suppliers)
    shared = f" ({c.suppliers} of them with an amount in {scan.currency})" if c.suppliers != winners else ""
    reading = (
        f"The largest supplier, {leader.name}, won {leader.share:.0%} of {_what(scan)}; "
        f"{winners} suppliers won at least one award{shared}."
        if winners > 4
        else f"Only {winners} supplier{'s' if winners > 1 else ''} won awards{shared}; the largest is {leader.name} "
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
    if entrants:
        reading = f"First-time winners: {_name_list([e.name for e in entrants])}."
    else:
        reading = f"No supplier won its first award in this category in {last.label}."
    return Tile(
        key="entrants",
        label=f"New entrants, {last.label}",
        value=str(len(entrants)),
        badge=None,
        detail=f"{last.winners} suppliers won in {last.label}" + (" (part of the period)" if last.partial else ""),
        reading=reading,
    )


def _name_list(names: Sequence[str]) -> str:
    """"A, B and C" or "A, B, C and 4 more": a tile names a few, the table lists all."""
    if len(names) > ENTRANTS_NAMED:
        return ", ".join(names[:ENTRANTS_NAMED]) + f" and {len(names) - ENTRANTS_NAMED} more"
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


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
    """A data source as the method section lists it; the store gives dates, datetimes or nothing."""
    records = source.get("records")
    return {
        "name": str(source.get("name", "")),
        "records": f"{records:,}" if isinstance(records, int) else str(records or "–"),
        "newest": _when(source.get("newest_publication")),
        "last_collected": _when(source.get("last_collected")),
    }


def _when(value: object) -> str:
    if isinstance(value, datetime):
        return f"{long_date(value)}, {value:%H:%M}"
    if isinstance(value, date):
        return long_date(value)
    return str(value or "–")


@cache  # one per process: a scan of six categories compiled the templates six times (12 compiles)
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("reports", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(money=money, pct=pct, hhi=hhi_text, long_date=long_date, band_short=BAND_SHORT.get, cpv8=cpv8)
    return env


_MD_SPECIAL = str.maketrans({c: f"\\{c}" for c in "\\`*_[]#|~"} | {"<": "&lt;", ">": "&gt;", "&": "&amp;"})


def _md(text: str) -> str:
    """Data as Markdown text: no tables broken by a "|", no HTML from a supplier's name."""
    return text.translate(_MD_SPECIAL)
