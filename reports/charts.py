"""The market scan's charts, drawn with matplotlib and returned as inline SVG text.

The charts are bare Figures printed by the SVG canvas (no pyplot, no display); Agg is still
selected, so that any pyplot use in the same process works on a server without a display.
SVG text stays text (``svg.fonttype`` "none": small, searchable, styled by the page's fonts)
and the hash salt is fixed, so the same scan gives the same bytes and a report diff shows
only real change. Each chart's element ids carry the chart's key: several SVGs sit in one
HTML page, and ids must not collide there.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from decimal import Decimal

import matplotlib

matplotlib.use("Agg")

from matplotlib.axes import Axes
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, PercentFormatter

from models.concentration import HHI_LOWER_THRESHOLD, HHI_MAX, HHI_UPPER_THRESHOLD
from models.market import REGION_LABELS, MarketScan, PeriodStats

INK = "#1f2933"
MUTED = "#616e7c"
GRID = "#e4e7eb"
PRIMARY = "#1f4e79"
SECONDARY = "#9fb8d0"
REGION_COLORS = {"nl": "#1f4e79", "eu": "#5f8fbf", "non-eu": "#c98b3c", "unknown": "#c5cbd3"}
BAND_FILLS = ("#eef5ef", "#fbf4e6", "#f9ebe8")  # unconcentrated, moderate, high: tints, not alarms
BAND_LINE = "#9aa5b1"
CURRENCY_SYMBOLS = {"EUR": "€", "GBP": "£", "USD": "$"}
#: Longer supplier names are cut in charts; the tables give them in full.
MAX_LABEL_CHARS = 38
#: More periods than this and their labels slant.
MAX_UPRIGHT_TICKS = 12
#: Inches; the SVG scales to its box, so these set proportions and the text size relative to the page.
FULL_WIDTH = 11.0
HALF_WIDTH = 5.4
HEIGHT = 3.4

_STYLE = {
    "svg.fonttype": "none",
    "svg.hashsalt": "supplyradar-market-scan",
    "text.parse_math": False,  # a "$" in a supplier's name is a character, not mathtext
    "font.family": "sans-serif",
    "font.size": 9,
    "text.color": INK,
    "axes.edgecolor": GRID,
    "axes.labelcolor": MUTED,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.titlepad": 10,
    # The title at the top of the axes, where matplotlib's automatic placement puts it anyway (no chart has ticks
    # or a label above its axes): set, the layout no longer measures every tick label again to check (the same
    # bytes, a sixth less CPU time).
    "axes.titley": 1.0,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.grid.axis": "y",
    "axes.axisbelow": True,
    "grid.color": GRID,
    "grid.linewidth": 0.8,
    "xtick.color": MUTED,
    "ytick.color": MUTED,
    "xtick.major.size": 0,
    "ytick.major.size": 0,
    "legend.frameon": False,
    "legend.fontsize": 8.5,
}

Draw = Callable[[Figure, MarketScan], None]


def market_charts(scan: MarketScan) -> dict[str, str]:
    """Every chart the scan has data for, by key; a scan without awards has none."""
    if scan.is_empty:
        return {}
    charts = {
        "value-count": _render("value-count", (FULL_WIDTH, HEIGHT), _draw_value_count, scan),
        "hhi": _render("hhi", (HALF_WIDTH, HEIGHT), _draw_hhi, scan),
    }
    if scan.top_suppliers:
        height = max(HEIGHT, 1.1 + 0.3 * len(scan.top_suppliers))
        charts["top-suppliers"] = _render("top-suppliers", (HALF_WIDTH, height), _draw_top_suppliers, scan)
    charts["regions"] = _render("regions", (HALF_WIDTH, HEIGHT), _draw_regions, scan)
    if scan.window.bids.known:
        charts["single-bid"] = _render("single-bid", (HALF_WIDTH, HEIGHT), _draw_single_bid, scan)
    return charts


def compact_money(value: float | Decimal, currency: str) -> str:
    """"€12.4m", "€350k": amounts a reader takes in at a glance, in charts, tiles and summaries."""
    amount = float(value)
    symbol = CURRENCY_SYMBOLS.get(currency, f"{currency} ")
    for scale, suffix in ((1e9, "bn"), (1e6, "m"), (1e3, "k")):
        if abs(amount) >= scale:
            return f"{symbol}{amount / scale:.3g}{suffix}"
    return f"{symbol}{amount:,.0f}"


def _render(key: str, size: tuple[float, float], draw: Draw, scan: MarketScan) -> str:
    """One chart as SVG text. A bare Figure printed by the SVG canvas: the same bytes as pyplot's
    ``savefig``, without a pyplot figure manager and without ``savefig``'s extra draw for the layout
    (the print lays the figure out itself), a quarter of a scan's CPU time."""
    with matplotlib.rc_context(_STYLE):
        fig = Figure(figsize=size, layout="constrained")
        draw(fig, scan)
        buffer = io.StringIO()
        FigureCanvasSVG(fig).print_svg(buffer, metadata={"Date": None})
    return _inline(buffer.getvalue(), key)


def _inline(svg: str, key: str) -> str:
    """SVG fit for an HTML page: no XML prolog or metadata, ids unique to the chart, scaling to its box."""
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)
    svg = re.sub(r'\bid="([^"]+)"', rf'id="{key}-\1"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", rf"url(#{key}-\1)", svg)
    svg = re.sub(r'href="#([^"]+)"', rf'href="#{key}-\1"', svg)
    return re.sub(
        r'<svg([^>]*?) width="[^"]*" height="[^"]*"',
        r'<svg\1 class="chart" role="img"',
        svg,
        count=1,
    ).strip()


def _labels(periods: Sequence[PeriodStats]) -> list[str]:
    """Period labels; a period the window cuts short gets an asterisk, explained under the chart."""
    return [p.label + ("*" if p.partial else "") for p in periods]


def _period_axis(ax: Axes, labels: Sequence[str]) -> None:
    """Quarters on two lines ("2024" over "Q3") so that six of them fit under a half-width chart."""
    ax.set_xticks(range(len(labels)), [label.replace("-", "\n") for label in labels],
                  rotation=45 if len(labels) > MAX_UPRIGHT_TICKS else 0)


def _legend_below(ax: Axes, labels: Sequence[str], ncols: int = 4) -> None:
    """Under the axes, clear of the tick labels, which take two lines for quarters and slant when many."""
    two_lines = any("-" in label for label in labels)
    drop = 0.28 if len(labels) > MAX_UPRIGHT_TICKS else 0.2 if two_lines else 0.12
    ax.legend(loc="upper left", ncols=ncols, bbox_to_anchor=(0, -drop))


def _draw_value_count(fig: Figure, scan: MarketScan) -> None:
    value_ax, count_ax = fig.subplots(1, 2)
    labels = _labels(scan.periods)
    positions = range(len(labels))
    value_ax.bar(positions, [float(p.total_value) for p in scan.periods], color=PRIMARY, width=0.6)
    value_ax.set_title(f"Award value per period ({scan.currency})")
    value_ax.set_ylabel(f"Total award value, {scan.currency}")
    value_ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: compact_money(v, scan.currency)))
    _period_axis(value_ax, labels)

    half = 0.38
    count_ax.bar([x - half / 2 for x in positions], [p.notices for p in scan.periods], half, color=SECONDARY,
                 label="Notices published")
    count_ax.bar([x + half / 2 for x in positions], [p.awards for p in scan.periods], half, color=PRIMARY,
                 label="Lots awarded")
    count_ax.set_title("Notices and awards per period")
    count_ax.set_ylabel("Count")
    count_ax.yaxis.get_major_locator().set_params(integer=True)
    _legend_below(count_ax, labels)
    _period_axis(count_ax, labels)


def _draw_hhi(fig: Figure, scan: MarketScan) -> None:
    ax = fig.subplots()
    labels = _labels(scan.periods)
    values = [p.concentration.hhi for p in scan.periods]
    measured = [v for v in values if v is not None]
    top = min(HHI_MAX, max([HHI_UPPER_THRESHOLD * 1.4, *(v * 1.12 for v in measured)]))
    for (low, high), fill in zip(
        ((0, HHI_LOWER_THRESHOLD), (HHI_LOWER_THRESHOLD, HHI_UPPER_THRESHOLD), (HHI_UPPER_THRESHOLD, HHI_MAX)),
        BAND_FILLS,
        strict=True,
    ):
        ax.axhspan(low, high, color=fill, zorder=0, linewidth=0)
    for threshold in (HHI_LOWER_THRESHOLD, HHI_UPPER_THRESHOLD):
        ax.axhline(threshold, color=BAND_LINE, linestyle=(0, (4, 3)), linewidth=0.9, zorder=1)
    for y, text in (
        (HHI_LOWER_THRESHOLD / 2, "unconcentrated"),
        ((HHI_LOWER_THRESHOLD + HHI_UPPER_THRESHOLD) / 2, "moderately concentrated"),
        ((HHI_UPPER_THRESHOLD + top) / 2, "highly concentrated"),
    ):
        ax.text(1.005, y, text, transform=ax.get_yaxis_transform(), va="center", fontsize=8, color=MUTED)
    xs = [x for x, v in enumerate(values) if v is not None]
    ax.plot(xs, measured, color=PRIMARY, linewidth=1.8, zorder=2)
    for basis, face in (("value", PRIMARY), ("count", "white")):
        points = [
            (x, v) for x, v in enumerate(values) if v is not None and scan.periods[x].concentration.basis == basis
        ]
        if points:
            ax.scatter(*zip(*points, strict=True), s=36, facecolor=face, edgecolor=PRIMARY, linewidth=1.6, zorder=3,
                       label=f"on award {basis}")
    ax.set_ylim(0, top)
    ax.set_xlim(-0.5, len(labels) - 0.5)
    ax.grid(False)
    ax.set_title("Concentration (HHI) per period")
    ax.set_ylabel("HHI (0–10,000)")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    _legend_below(ax, labels)
    _period_axis(ax, labels)


def _draw_top_suppliers(fig: Figure, scan: MarketScan) -> None:
    ax = fig.subplots()
    suppliers = scan.top_suppliers[::-1]  # largest on top
    names = [_short(s.name) for s in suppliers]
    bars = ax.barh(range(len(names)), [s.share for s in suppliers], color=PRIMARY, height=0.62)
    ax.bar_label(bars, labels=[f"{s.share:.0%}" for s in suppliers], padding=3, fontsize=8, color=INK)
    ax.set_yticks(range(len(names)), names)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlim(0, min(1.0, max(s.share for s in suppliers) * 1.18))
    ax.grid(axis="x")
    ax.grid(axis="y", visible=False)
    basis = "award value" if scan.window.concentration.basis == "value" else "awards won"
    ax.set_title(f"Top suppliers by share of {basis}")
    ax.set_xlabel(f"Share of {basis}")


def _draw_regions(fig: Figure, scan: MarketScan) -> None:
    ax = fig.subplots()
    labels = _labels(scan.periods)
    bottoms = [0] * len(labels)
    for index, region in enumerate(REGION_LABELS):
        heights = [p.regions[index].winners for p in scan.periods]
        ax.bar(range(len(labels)), heights, 0.6, bottom=bottoms, color=REGION_COLORS[region],
               label=REGION_LABELS[region])
        bottoms = [b + h for b, h in zip(bottoms, heights, strict=True)]
    ax.set_title("Winning suppliers by region")
    ax.set_ylabel("Distinct suppliers")
    ax.yaxis.get_major_locator().set_params(integer=True)
    _legend_below(ax, labels, ncols=2)
    _period_axis(ax, labels)


def _draw_single_bid(fig: Figure, scan: MarketScan) -> None:
    ax = fig.subplots()
    labels = _labels(scan.periods)
    shares = [p.bids.share or 0.0 for p in scan.periods]
    bars = ax.bar(range(len(labels)), shares, 0.6, color=PRIMARY)
    ax.bar_label(
        bars,
        labels=[f"{p.bids.share:.0%}\nn={p.bids.known}" if p.bids.known else "n/a" for p in scan.periods],
        padding=3,
        fontsize=8,
        color=MUTED,
    )
    ax.set_ylim(0, min(1.0, max(shares) * 1.35) or 1.0)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_title("Single-bid awards per period")
    ax.set_ylabel("Awards with one tender")
    _period_axis(ax, labels)


def _short(name: str) -> str:
    return name if len(name) <= MAX_LABEL_CHARS else name[: MAX_LABEL_CHARS - 1].rstrip() + "…"
