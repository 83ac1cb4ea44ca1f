"""Fault injection against the feed collector: a feed's validators are kept only with its articles.

A local server (``tests.fault_server``) answers like a real feed host: ETag, 304 on a matching
If-None-Match, resets, 5xx bursts, a cut body. Each scenario runs once with the fault and once
clean, then asserts every article stored exactly once and an honest run status.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from config.settings import Settings
from pipelines import collect_news as news
from store.db import Store
from store.schema import CollectionRun
from store.schema.news import FetchState, NewsArticle
from tests.fault_server import FaultServer, Logged, Reply, fault_server, fresh_store

FEED = (Path(__file__).parents[1] / "fixtures" / "news" / "rss2.xml").read_bytes()


def feed_reply(request: Logged) -> Reply:
    """A feed host that honours conditional requests."""
    if request.headers.get("If-None-Match") == '"v1"':
        return Reply(304)
    return Reply(200, FEED, {"ETag": '"v1"', "Content-Type": "application/rss+xml"})


def configured(settings: Settings, server: FaultServer, tmp_path: Path) -> Settings:
    feeds_file = tmp_path / "feeds.yaml"
    feeds_file.write_text(f"feeds:\n  - {{url: '{server.url('/rss')}', name: local, language: nl}}\n", encoding="utf-8")
    http = settings.http.model_copy(update={"read_timeout": 1.0, "connect_timeout": 1.0, "max_attempts": 3,
                                            "backoff_base": 0.01, "backoff_max": 0.05})
    return settings.model_copy(update={"http": http, "news": settings.news.model_copy(update={"feeds_file": feeds_file})})


def stored(store: Store) -> int:
    with store.session() as session:
        return session.scalar(select(func.count()).select_from(NewsArticle)) or 0


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Store:
    return fresh_store(tmp_path)


def test_a_failed_write_keeps_no_etag_so_the_next_run_fetches_the_articles_again(
        sqlite_store: Store, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with fault_server() as server:
        server.script("/rss", [feed_reply])
        conf = configured(settings, server, tmp_path)
        real_save = news.save_articles

        def locked(*_args: object, **_kwargs: object) -> object:
            raise OperationalError("INSERT", {}, Exception("database is locked"))

        monkeypatch.setattr(news, "save_articles", locked)
        locked_run = news.collect_feeds(sqlite_store, conf, sleep=lambda _s: None)
        assert locked_run.status == "failed" and "locked by another writer" in (locked_run.error or "")
        assert stored(sqlite_store) == 0
        with sqlite_store.session() as session:
            state = session.get(FetchState, server.url("/rss"))
            assert state is None or state.etag is None  # the validator did not outlive the failed write
        monkeypatch.setattr(news, "save_articles", real_save)
        again = news.collect_feeds(sqlite_store, conf, sleep=lambda _s: None)
        assert again.status == "ok" and again.counts.added == 2 and stored(sqlite_store) == 2
        third = news.collect_feeds(sqlite_store, conf, sleep=lambda _s: None)
        assert third.not_modified == 1 and third.counts.added == 0 and stored(sqlite_store) == 2
        assert server.requests[-1].headers.get("If-None-Match") == '"v1"'


@pytest.mark.parametrize("fault", [
    [Reply(503), Reply(503)],
    [Reply(fault="reset")],
    [Reply(200, FEED, {"ETag": '"v1"'}, fault="truncate")],
    [Reply(200, b"<html><body>Onderhoud</body></html>", {"Content-Type": "text/html"})],
    [Reply(429, headers={"Retry-After": "0"})],
    [Reply(200, FEED, {"ETag": '"v1"'}, fault="stall", delay=1.5)] * 3,
])
def test_a_faulted_feed_then_a_clean_run_stores_every_article_once(
        sqlite_store: Store, settings: Settings, tmp_path: Path, fault: list[Reply]) -> None:
    with fault_server() as server:
        server.script("/rss", [*fault, feed_reply])
        conf = configured(settings, server, tmp_path)
        first = news.collect_feeds(sqlite_store, conf, sleep=lambda _s: None)
        second = news.collect_feeds(sqlite_store, conf, sleep=lambda _s: None)
        assert stored(sqlite_store) == 2
        assert first.counts.added + second.counts.added == 2
        if first.counts.added < 2:
            assert first.status != "ok" or first.failures  # a feed that gave nothing says so
        with sqlite_store.session() as session:
            statuses = list(session.scalars(select(CollectionRun.status).order_by(CollectionRun.id)))
        assert "running" not in statuses


def test_since_fetches_a_feed_whole_for_recovery(sqlite_store: Store, settings: Settings, tmp_path: Path) -> None:
    from datetime import date

    with fault_server() as server:
        server.script("/rss", [feed_reply])
        conf = configured(settings, server, tmp_path)
        news.collect_feeds(sqlite_store, conf, sleep=lambda _s: None)
        recovery = news.collect_feeds(sqlite_store, conf, sleep=lambda _s: None, since=date(2026, 10, 1))
        assert "If-None-Match" not in server.requests[-1].headers
        assert recovery.not_modified == 0 and recovery.counts.added == 0 and recovery.counts.unchanged == 2
    assert stored(sqlite_store) == 2
