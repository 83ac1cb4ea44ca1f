"""News of a scaled world: copy 1 is the committed demo's news, copies 2..N bring their own, and the news
flow collects them through the replay exactly as it collects the committed news."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from config.settings import Settings
from connectors.feeds import load_feeds, parse_feed
from connectors.records import Party
from demo.build import BUNDLE_ENV
from demo.build_news import FEEDS_CONFIG, NEWS_DIR, outlet_feeds
from demo.scale_news import build_scaled_news, by_copy
from demo.world import DEFAULT_SEED, World, build_world
from store.db import Store

TODAY = date(2026, 11, 1)


@pytest.fixture(scope="module")
def two() -> World:
    return build_world(DEFAULT_SEED, scale=2)


@pytest.fixture(scope="module")
def news_two(two: World, tmp_path_factory: pytest.TempPathFactory) -> Path:
    bundle = tmp_path_factory.mktemp("bundle-x2")
    build_scaled_news(bundle / "news", two, DEFAULT_SEED, 2)
    return bundle


def _titles(path: Path, copy: int) -> list[str]:
    feed = next(f for f in load_feeds(path.parent / FEEDS_CONFIG) if f.name == outlet_feeds(copy)[0][2])
    articles, _ = parse_feed(path.read_bytes(), feed, where=str(path))
    return [a.title for a in articles]


def test_copy_one_is_the_committed_news_byte_for_byte(news_two: Path) -> None:
    for committed in NEWS_DIR.iterdir():
        if committed.name != FEEDS_CONFIG:
            assert (news_two / "news" / committed.name).read_bytes() == committed.read_bytes(), committed.name
    # the feed list: copy 1's as committed, then copy 2's outlets' sections
    listed = load_feeds(news_two / "news" / FEEDS_CONFIG)
    assert [f.url for f in listed[:3]] == [f.url for f in load_feeds(NEWS_DIR / FEEDS_CONFIG)]
    assert [f.url for f in listed[3:]] == [url for _, url, *_ in outlet_feeds(2)]


def test_copy_two_names_its_own_suppliers_in_real_formats(news_two: Path, two: World) -> None:
    folder = news_two / "news"
    nl, en, trade = (folder / file for file, *_ in outlet_feeds(2))
    assert nl.read_bytes().startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"')
    assert b'<feed xmlns="http://www.w3.org/2005/Atom">' in en.read_bytes()[:200]
    titles = _titles(nl, 2) + _titles(en, 2)
    assert len(titles) > 800
    cores = {s.name.removesuffix(f" {s.legal_form}") for s in by_copy(two.suppliers)[2]}
    naming = [t for t in titles if any(core in t for core in cores)]
    assert len(naming) > 600  # most name a copy-2 supplier; the rest is noise without one
    assert any("reorganisatie" in t or "reorganisation" in t for t in titles)
    assert any("failliet" in t.lower() or "losses" in t or "verliezen" in t for t in titles)
    # syndication the flow must drop: the trade journal repeats stories (tracking parameters, or its own URL)
    repeats = trade.read_text(encoding="utf-8")
    assert "utm_source=vakblad" in repeats and "&lt;b&gt;" in repeats
    pool = json.loads((folder / "gdelt-artlist-2.json").read_text(encoding="utf-8"))["articles"]
    assert len(pool) > 700 and all(a["url"].split("/")[2].endswith(".example") for a in pool)


def test_scaled_news_is_deterministic(news_two: Path, two: World, tmp_path: Path) -> None:
    build_scaled_news(tmp_path, two, DEFAULT_SEED, 2)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == {p.name: p.read_bytes() for p in (news_two / "news").iterdir()}
    other = tmp_path / "other-seed"
    build_scaled_news(other, two, DEFAULT_SEED + 1, 2)
    assert (other / outlet_feeds(2)[0][0]).read_bytes() != (tmp_path / outlet_feeds(2)[0][0]).read_bytes()


def _gdelt(transport: httpx.BaseTransport, query: str, maxrecords: int = 250) -> list[dict]:
    with httpx.Client(transport=transport) as client:
        answer = client.get("https://api.gdeltproject.org/api/v2/doc/doc", params={
            "query": query, "mode": "artlist", "format": "json", "maxrecords": str(maxrecords), "timespan": "3m"})
    return answer.json().get("articles", [])


def test_gdelt_replay_matches_whole_words_and_honours_maxrecords(news_two: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from demo.replay import demo_transport

    monkeypatch.setenv(BUNDLE_ENV, str(news_two))
    transport = demo_transport(today=TODAY)
    topic = '("export controls" OR "export ban") (chips OR semiconductors OR gallium OR germanium)'
    everything = _gdelt(transport, topic)
    assert len(everything) > 3
    newest = _gdelt(transport, topic, maxrecords=2)
    assert newest == everything[:2]  # GDELT gives the newest maxrecords, newest first
    assert [a["seendate"] for a in everything] == sorted((a["seendate"] for a in everything), reverse=True)
    assert _gdelt(transport, '"xport controls"') == []  # a phrase matches whole words, not inside one


def test_the_news_flow_collects_a_scaled_worlds_news(news_two: Path, two: World, store: Store, settings: Settings,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from pipelines.collect_news import collect_news, news_settings_for
    from pipelines.transports import transport_for
    from store.notices import upsert_organisations
    from store.schema import SpendLine, SupplierEvent
    from store.schema.news import NewsArticle

    monkeypatch.setenv(BUNDLE_ENV, str(news_two))
    second = by_copy(two.suppliers)[2]
    now = datetime.now(UTC)
    with store.session() as session, session.begin():
        ids = upsert_organisations(session, [Party(name=s.name, country=s.country, company_id=s.id) for s in second], now)
        for row, org_id in enumerate(sorted(set(ids.values()))):
            session.add(SpendLine(row_key=f"row-{row}", source_file="spend.csv", row_number=row + 2, supplier_name="x",
                                  organisation_id=org_id, imported_at=now))
    demo = news_settings_for(settings, "demo")
    assert demo.news.feeds_file == news_two / "news" / FEEDS_CONFIG
    rows = {s.source: s for s in collect_news(store, demo, transport=transport_for("demo"), today=TODAY)}
    assert rows["rss"].status == rows["gdelt"].status == "ok"
    assert rows["rss"].counts.added > 900 + 150  # copy 2's ~930 and copy 1's
    assert rows["rss"].counts.duplicates > 50  # the syndicated repeats
    assert rows["gdelt"].counts.added > 0 and rows["gdelt"].counts.duplicates > 0
    with store.session() as session:
        stored = session.scalar(select(func.count()).select_from(NewsArticle))
        kinds = dict(session.execute(select(SupplierEvent.kind, func.count()).group_by(SupplierEvent.kind)).all())
    assert stored == rows["rss"].counts.added + rows["gdelt"].counts.added
    assert sum(kinds.values()) > 100 and "news.other" not in kinds
