"""Fault injection against the GDELT collector through a real socket (``tests.fault_server``).

Two article searches (three articles each) and one country's tone timeline. The first search is
faulted: 429 + Retry-After, GDELT's throttle text with HTTP 200, 5xx once and in a burst, resets,
stalls, trickles, truncation, an HTML page, a 404, an empty page and a repeated page. After the
faulted run and a clean re-run: every article stored exactly once, every tone day once, the faulted
run "failed" whenever it stored less than GDELT had (except for an empty or repeated page, which is
what GDELT said: that run is "ok" with what it was given), no run left "running". GDELT has no
watermark (each run searches its window again), so nothing can move past what was stored.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from config.settings import Settings
from pipelines.collect_news import collect_gdelt
from store.db import Store
from store.schema import CollectionRun
from store.schema.news import NewsArticle
from store.schema.shared import CountryTone
from tests.fault_server import FaultServer, Logged, Reply, fault_server, fresh_store

DAY = date(2026, 11, 2)
QUERIES = ['"halfgeleiders"', '"gallium"']
TITLES = {
    QUERIES[0]: ["Chipfabriek in Eindhoven breidt uit", "Tekort aan halfgeleiders houdt aan",
                 "Nieuwe exportregels voor chipmachines"],
    QUERIES[1]: ["China beperkt export van gallium", "Prijs van gallium verdubbeld",
                 "Europese voorraad germanium en gallium slinkt"],
}
JSON = {"Content-Type": "application/json; charset=utf-8"}


def page(query: str) -> bytes:
    articles = [{"url": f"https://nieuws.example/{QUERIES.index(query)}/{i}", "title": title,
                 "seendate": f"202611{i + 1:02d}T080000Z", "domain": "nieuws.example", "language": "Dutch",
                 "sourcecountry": "Netherlands"} for i, title in enumerate(TITLES[query])]
    return json.dumps({"articles": articles}).encode()


TONE = json.dumps({"timeline": [{"series": "Average Tone", "data": [
    {"date": f"202610{d:02d}T000000Z", "value": -1.5 + d / 10} for d in (29, 30, 31)]}]}).encode()
HTML = b"<!DOCTYPE html><html><body>Service temporarily unavailable</body></html>"

FAULTS = {
    "429 retry-after": [Reply(429, headers={"Retry-After": "0"})],
    "throttle text": [Reply(200, b"Please limit requests to one every 5 seconds or contact us.", {"Content-Type": "text/plain"})],
    "5xx once": [Reply(503)],
    "5xx burst": [Reply(502)] * 3,
    "reset once": [Reply(fault="reset")],
    "resets": [Reply(fault="reset")] * 3,
    "stall": [Reply(200, page(QUERIES[0]), JSON, fault="stall", delay=0.8)] * 3,
    "trickle": [Reply(200, page(QUERIES[0]), JSON, fault="trickle", delay=0.1)] * 3,
    "truncated once": [Reply(200, page(QUERIES[0]), JSON, fault="truncate")],
    "truncated": [Reply(200, page(QUERIES[0]), JSON, fault="truncate")] * 3,
    "html body": [Reply(200, HTML, {"Content-Type": "text/html"})],
    "404": [Reply(404, b"Not Found", {"Content-Type": "text/plain"})],
    "empty page": [Reply(200, b"{}", JSON)],
    "repeated page": [Reply(200, page(QUERIES[1]), JSON)],
}
#: What GDELT itself said (no articles; the other search's articles again): an honest "ok" with what it gave.
SAID_BY_GDELT = {"empty page", "repeated page"}


def gdelt_host(faults: list[Reply]):
    """GDELT's DOC API: artlist pages per query, a tone timeline; the first search of ``QUERIES[0]`` gets ``faults``."""
    left = list(faults)

    def answer(request: Logged) -> Reply:
        params = {k: v[0] for k, v in parse_qs(urlsplit(request.path).query).items()}
        if params.get("mode") == "timelinetone":
            return Reply(200, TONE, JSON)
        if params.get("query") == QUERIES[0] and left:
            return left.pop(0)
        return Reply(200, page(params["query"]), JSON)

    return answer


def configured(settings: Settings, server: FaultServer) -> Settings:
    http = settings.http.model_copy(update={"read_timeout": 0.5, "connect_timeout": 0.5, "request_timeout": 1.0,
                                            "max_attempts": 2, "backoff_base": 0.01, "backoff_max": 0.05})
    gdelt = settings.news.gdelt.model_copy(update={"url": server.url("/gdelt"), "min_interval_seconds": 0,
                                                   "topic_queries": QUERIES, "tone_countries": {"NL": "Netherlands"}})
    return settings.model_copy(update={"http": http, "news": settings.news.model_copy(update={"gdelt": gdelt})})


def stored(store: Store) -> dict[str, int]:
    with store.session() as session:
        return dict(session.execute(select(NewsArticle.url, func.count()).where(NewsArticle.source == "gdelt")
                                    .group_by(NewsArticle.url)).all())


def tone_days(store: Store) -> int:
    with store.session() as session:
        return session.scalar(select(func.count()).select_from(CountryTone)) or 0


@pytest.mark.parametrize("scenario", FAULTS.keys())
def test_a_faulted_search_then_a_clean_run_stores_every_article_once(
        tmp_path: Path, settings: Settings, scenario: str) -> None:
    store = fresh_store(tmp_path)
    everything = {f"https://nieuws.example/{q}/{i}": 1 for q in range(2) for i in range(3)}
    with fault_server() as server:
        conf = configured(settings, server)
        server.script("/gdelt", [gdelt_host(FAULTS[scenario])])
        first = collect_gdelt(store, conf, sleep=lambda _s: None, today=DAY)
        after_first = stored(store)
        if scenario in SAID_BY_GDELT:
            assert first.status == "ok" and len(after_first) == 3
        elif len(after_first) < len(everything):
            assert first.status == "failed" and first.error  # said, not "ok"
        assert set(after_first.values()) <= {1}
        server.script("/gdelt", [gdelt_host([])])
        second = collect_gdelt(store, conf, sleep=lambda _s: None, today=DAY)
    assert second.status == "ok"
    assert stored(store) == everything  # every article exactly once
    assert first.counts.added + second.counts.added == len(everything)
    assert tone_days(store) == 3  # each tone day once, however often it was written
    with store.session() as session:
        assert "running" not in set(session.scalars(select(CollectionRun.status)))


def test_an_outage_on_the_second_search_keeps_the_first_searchs_articles_and_fails_the_run(
        tmp_path: Path, settings: Settings) -> None:
    store = fresh_store(tmp_path)
    with fault_server() as server:
        conf = configured(settings, server)
        swapped = conf.news.gdelt.model_copy(update={"topic_queries": list(reversed(QUERIES))})
        conf = conf.model_copy(update={"news": conf.news.model_copy(update={"gdelt": swapped})})
        server.script("/gdelt", [gdelt_host([Reply(503)] * 3)])  # the faulted query is now asked second
        first = collect_gdelt(store, conf, sleep=lambda _s: None, today=DAY)
        assert (first.status, first.counts.added, len(stored(store))) == ("failed", 3, 3)
        assert tone_days(store) == 0  # the tone timeline comes after the searches: not reached
        server.script("/gdelt", [gdelt_host([])])
        second = collect_gdelt(store, conf, sleep=lambda _s: None, today=DAY)
    assert (second.status, second.counts.added, second.counts.unchanged) == ("ok", 3, 3)
    assert len(stored(store)) == 6 and set(stored(store).values()) == {1} and tone_days(store) == 3
