"""Round trip tested here: award facts -> market_scan() -> the HTML report, its charts and the Markdown summary.

The data set is a small seeded synthetic market (fixed seed, so every run renders the same
page), with one supplier whose name is an HTML injection attempt.
"""

from __future__ import annotations

import random
import re
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from models.market import AwardFact, MarketScan, NoticeFact, Winner, market_scan
from models.market_tables import entrants_csv
from reports.charts import market_charts
from reports.market_scan import (
    market_scan_markdown,
    render_market_scan,
    write_market_scan,
)

HOSTILE = "<script>alert(1)</script>"
LABELS = {"72000000": "IT services: consulting, software development, Internet and support"}
GENERATED = datetime(2025, 1, 15, 9, 30)
SOURCES = [
    {"name": "TED", "records": 1234, "last_collected": datetime(2025, 1, 14, 6, 0)},
    {"name": "TenderNed <b>", "records": 567, "last_collected": date(2025, 1, 14)},
]
SUPPLIERS = [
    ("s01", "Noordzee ICT B.V.", "NL"),
    ("s02", "Rijnland Software Groep", "NL"),
    ("s03", "Datenwerk GmbH", "DE"),
    ("s04", "Polder Cloud Services", "NL"),
    ("s05", HOSTILE, "NL"),
    ("s06", "Brabant Consultancy", "NL"),
    ("s07", "Atlantic Systems Inc.", "US"),
    ("s11", "Onbekend Adviesbureau", None),
    ("s08", "Flandria IT NV", "BE"),
    ("s09", "Lumière Numérique SAS", "FR"),
    ("s10", "Thames Digital Ltd", "GB"),
    ("s12", "Zeeland Data & Co", "NL"),
]


def synthetic_awards(seed: int = 7) -> tuple[list[AwardFact], list[NoticeFact]]:
    """About 30 awards a year in CPV 72, 2019-2024, with a few leading suppliers and gaps in the data."""
    rng = random.Random(seed)
    weights = [30, 22, 14, 9, 8, 6, 5, 4, 3, 3, 2, 2]
    awards, notices = [], []
    for year in range(2019, 2025):
        active = SUPPLIERS[: 6 + (year - 2019)]  # the market widens: later suppliers enter later
        for n in range(30):
            notice_id = f"{100000 + year * 100 + n}-{year}"
            published = date(year, rng.randint(1, 12), rng.randint(1, 28))
            picked = rng.choices(active, weights=weights[: len(active)], k=2 if rng.random() < 0.08 else 1)
            winners = tuple({key: Winner(key, name, country) for key, name, country in picked}.values())
            value = Decimal(rng.randint(40, 2500) * 1000) if rng.random() > 0.15 else None
            awards.append(
                AwardFact(
                    notice_id=notice_id,
                    source="ted",
                    published=published,
                    cpv_main=rng.choice(["72000000", "72200000", "72510000", "72611000"]),
                    buyer_name=f"Gemeente {rng.choice(['Utrecht', 'Delft', 'Zwolle'])}",
                    buyer_country="NL",
                    lot="1",
                    winners=winners,
                    value=value,
                    currency="GBP" if value is not None and rng.random() < 0.04 else "EUR",
                    tenders_received=rng.choice([1, 1, 2, 3, 4, 5, 6, None]),
                )
            )
            notices.append(NoticeFact(notice_id, "ted", published, "72000000", "award"))
            notices.append(NoticeFact(f"c{notice_id}", "ted", published, "72000000", "competition"))
    return awards, notices


@pytest.fixture(scope="module")
def scan() -> MarketScan:
    awards, notices = synthetic_awards()
    return market_scan(
        awards, notices, cpv_prefix="72", start=date(2021, 1, 1), end=date(2024, 12, 31), labels=LABELS
    )


@pytest.fixture(scope="module")
def html(scan: MarketScan) -> str:
    return render_market_scan(scan, title="Market scan", generated_at=GENERATED, sources=SOURCES, synthetic=True)


def _text(html: str) -> str:
    """The page's visible text, roughly: tags dropped, whitespace folded."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_header_names_the_category_with_its_label(html: str) -> None:
    assert "72000000 — IT services: consulting, software development, Internet and support" in _text(html)
    assert "1 Jan 2021 – 31 Dec 2024" in _text(html)
    assert "belongs to this category by its notice's main CPV code" in _text(html)  # the method says which awards


def test_headline_numbers_and_band_appear(scan: MarketScan, html: str) -> None:
    c = scan.window.concentration
    assert c.hhi is not None and c.cr4 is not None and c.band is not None
    text = _text(html)
    assert f"{c.hhi:,.0f}" in text
    assert c.band.capitalize() in text
    assert f"{c.cr4:.0%}" in text
    assert f"the top 4 suppliers won {c.cr4:.0%}" in text
    assert f"{scan.window.bids.share:.0%}" in text
    assert f"New entrants, {scan.periods[-1].label}" in text


def test_charts_are_inline_svg(html: str) -> None:
    assert html.count("<svg") == 5
    assert "<?xml" not in html and "<!DOCTYPE svg" not in html


def test_no_outside_resources_and_no_script(html: str) -> None:
    assert "<script" not in html.lower()  # neither ours nor a supplier's
    assert not re.search(r"""src\s*=\s*["']?https?:""", html, re.I)
    assert not re.search(r"url\(\s*['\"]?https?:", html, re.I)
    assert "@import" not in html
    assert '<link rel="stylesheet"' not in html
    method = html[html.index('class="method"') :]
    outside = html[: html.index('class="method"')]
    assert not re.search(r"""href\s*=\s*["']https?:""", outside, re.I)  # links only in the method text
    assert re.search(r'<a href="https://eur-lex\.europa\.eu/', method)


def test_data_is_escaped(html: str) -> None:
    assert HOSTILE not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "TenderNed &lt;b&gt;" in html


def test_synthetic_note_only_when_flagged(scan: MarketScan, html: str) -> None:
    assert "Synthetic data." in html
    real = render_market_scan(scan, title="Market scan", generated_at=GENERATED, sources=SOURCES)
    assert "Synthetic data." not in real


def test_method_section_cites_the_guidelines_and_coverage(scan: MarketScan, html: str) -> None:
    text = _text(html)
    assert "2004/C 31/03" in text and "paragraphs 19-21" in text
    assert "Method and coverage" in text
    assert "split equally" in text
    assert "TED" in text and "1,234" in text


def test_written_file_is_self_contained_utf8(html: str, tmp_path: Path) -> None:
    path = write_market_scan(tmp_path / "out" / "scan.html", html)
    written = path.read_text(encoding="utf-8")
    assert written == html
    assert '<meta charset="utf-8">' in written
    assert "<style>" in written and "--primary" in written  # the CSS is inlined
    assert "Lumière Numérique SAS" in written


def test_charts_are_deterministic(scan: MarketScan) -> None:
    assert market_charts(scan) == market_charts(scan)


def test_chart_ids_do_not_collide(html: str) -> None:
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids))


def test_empty_category_renders(html: str) -> None:
    awards, notices = synthetic_awards()
    empty = market_scan(awards, notices, cpv_prefix="45", start=date(2021, 1, 1), end=date(2024, 12, 31))
    page = render_market_scan(empty, title="Market scan", generated_at=GENERATED, sources=[])
    assert "No awards in CPV 45" in page
    assert "<svg" not in page
    assert "No awards in CPV 45" in market_scan_markdown(empty)


def test_markdown_summary(scan: MarketScan) -> None:
    markdown = market_scan_markdown(scan)
    assert markdown.startswith("## Market scan: 72000000 — IT services")
    assert "| Period |" in markdown and "2024" in markdown
    assert "<script>" not in markdown
    assert HOSTILE not in markdown
    assert f"{scan.window.concentration.hhi:,.0f}" in markdown


def test_cr4_counts_every_winner(monkeypatch: pytest.MonkeyPatch) -> None:
    """Awards without an amount still count as awards won: 55 winners, 54 of them with an amount."""
    from types import SimpleNamespace

    import reports.market_scan as module

    assert module.cpv8("9091") == "90910000" and module.cpv8("0931") == "09310000"
    window = SimpleNamespace(winners=55, label="2024", concentration=SimpleNamespace(cr4=0.9, suppliers=54, basis="value"))
    scan = SimpleNamespace(window=window, top_suppliers=[SimpleNamespace(name="Big B.V.", share=0.5)], currency="EUR")
    monkeypatch.setattr(module, "_what", lambda _scan: "award value")
    tile = module._cr4_tile(scan)
    assert "55 suppliers won at least one award (54 of them with an amount in EUR)" in tile.reading


def test_many_new_entrants_are_listed_by_the_top_and_all_written_as_csv(tmp_path: Path) -> None:
    # 40 first-time winners in 2024: the page lists the 25 that won most and links the CSV of all 40
    awards = [
        AwardFact(notice_id=f"n{i}-{j}", source="ted", published=date(2024, 1 + i % 12, 1 + j), cpv_main="72000000",
                  buyer_name="Gemeente Delft", buyer_country="NL", lot="1",
                  winners=(Winner(f"e{i:02d}", f"Entrant {i:02d} B.V.", "NL"),), value=Decimal(1000), currency="EUR")
        for i in range(40) for j in range(1 if i >= 5 else 3)  # e00-e04 won three times, the others once
    ]
    scan = market_scan(awards, [], cpv_prefix="72", start=date(2024, 1, 1), end=date(2024, 12, 31))
    path = tmp_path / "market-scan-72-2024-01-01-2024-12-31.html"
    page = render_market_scan(scan, title="Market scan", generated_at=GENERATED, sources=[], path=path)
    write_market_scan(path, page, entrants_csv(scan))
    text = _text(page)
    assert "40 new entrants in all; the 25 that won most awards in the window are listed" in text
    assert 'href="market-scan-72-2024-01-01-2024-12-31-new-entrants.csv"' in page
    listed = re.findall(r"Entrant \d\d B\.V\.", page.split("New entrants</h2>", 1)[1].split("</table>", 1)[0])
    assert len(listed) == 25 and {f"Entrant {i:02d} B.V." for i in range(5)} <= set(listed)
    rows = (tmp_path / "market-scan-72-2024-01-01-2024-12-31-new-entrants.csv").read_text(encoding="utf-8").splitlines()
    assert len(rows) == 41 and rows[0].startswith("period,supplier,")
    assert "2024,Entrant 00 B.V.,NL,Netherlands,2024-01-01,n0-0,3" in rows
