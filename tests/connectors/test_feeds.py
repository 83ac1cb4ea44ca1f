"""RSS 2.0 and Atom feeds: configuration, parsing, HTML cleaning, encodings, duplicates, conditional requests, failures."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import respx

from config.settings import Settings
from connectors.errors import RecordError
from connectors.feeds import (
    FeedConfig,
    FeedConfigError,
    FeedState,
    canonical_url,
    fetch_feed,
    load_feeds,
    make_client,
    parse_feed,
)
from store.db import Store

FIXTURES = Path(__file__).parents[1] / "fixtures" / "news"
FEED = FeedConfig("https://www.testkrant.example/rss", "testkrant", "nl", ("NL",))


def read(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_rss2_items_are_cleaned_dated_and_deduplicated() -> None:
    articles, errors = parse_feed(read("rss2.xml"), FEED, where="rss2.xml")
    assert [a.title for a in articles] == ["Faillissement voor Dravel Logistiek B.V. & dochters", "Staking bij Kwintstra Schoonmaak"]
    first = articles[0]
    assert first.summary == "De rechtbank heeft Dravel Logistiek failliet verklaard."  # tags and script gone
    assert first.published == datetime(2026, 10, 5, 7, 30, tzinfo=UTC)
    assert articles[1].published == datetime(2026, 10, 4, 8, 0, tzinfo=UTC)  # Dublin Core date
    assert first.source == "rss" and first.outlet == "testkrant" and first.countries == ("NL",)
    (error,) = errors
    assert error.field == "link" and "item 4" in error.where


def test_atom_entries_take_the_alternate_link_and_html_titles() -> None:
    articles, errors = parse_feed(read("atom.xml"), FEED, where="atom.xml")
    assert errors == []
    assert [(a.title, a.url) for a in articles] == [
        ("Hackers hit Brommel Data systems", "https://wire.example/news/brommel-data-hack"),
        ("China restricts gallium exports", "https://wire.example/news/gallium"),
    ]
    assert articles[0].summary == "Ransomware at Brommel Data in Germany."
    assert articles[1].published == datetime(2026, 10, 5, 7, tzinfo=UTC)


def test_an_item_in_the_wrong_encoding_is_skipped_not_the_feed() -> None:
    articles, errors = parse_feed(read("latin1_declared_utf8.xml"), FEED, where="enc.xml")
    assert [a.title for a in articles] == ["Goed nieuws"]
    assert "encoding" in errors[0].reason


def test_html_instead_of_a_feed_and_entity_declarations_are_refused() -> None:
    with pytest.raises(RecordError, match="not an RSS or Atom feed"):
        parse_feed(read("broken.xml"), FEED, where="broken.xml")
    bomb = (b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
            b"<rss><channel><item><title>&b;</title></item></channel></rss>")
    with pytest.raises(RecordError, match="entities"):
        parse_feed(bomb, FEED, where="bomb.xml")


@pytest.mark.parametrize("link", ["http://[abc/x", "https://a.example:99999/x", "https://a.example:port/x"])
def test_an_item_with_an_unparseable_link_is_an_item_error_not_the_feed(link: str) -> None:
    doc = (f"<rss><channel><item><title>bad</title><link>{link}</link></item>"
           "<item><title>good</title><link>https://a.example/1</link></item></channel></rss>").encode()
    articles, errors = parse_feed(doc, FEED, where="bad-link.xml")
    assert [a.title for a in articles] == ["good"]
    (error,) = errors
    assert error.field == "link" and "item 1" in error.where


def test_a_date_at_the_edge_of_the_calendar_is_no_date_not_a_crash() -> None:
    from connectors.feeds import parse_date

    assert parse_date("0001-01-01T00:00:00+01:00") is None
    assert parse_date("9999-12-31T23:59:59-01:00") is None
    doc = (b"<feed xmlns='http://www.w3.org/2005/Atom'><entry><title>t</title><link href='https://a.example/1'/>"
           b"<published>0001-01-01T00:00:00+01:00</published></entry></feed>")
    (article,), errors = parse_feed(doc, FEED, where="edge.xml")
    assert article.published is None and errors == []


def test_canonical_urls_ignore_tracking_scheme_fragment_and_trailing_slash() -> None:
    assert canonical_url("HTTP://WWW.X.example/a/?utm_source=rss&id=2#top") == canonical_url("https://www.x.example/a?id=2")
    assert canonical_url("https://x.example/a?id=1") != canonical_url("https://x.example/a?id=2")


def write_feeds(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "feeds.yaml"
    path.write_text(body, encoding="utf-8")
    return path


def test_the_feeds_file_is_validated_with_file_entry_and_field(tmp_path: Path) -> None:
    good = write_feeds(tmp_path, "feeds:\n  - {url: 'https://a.example/rss', name: a, language: nl, countries: [NL]}\n")
    assert load_feeds(good) == [FeedConfig("https://a.example/rss", "a", "nl", ("NL",))]
    for body, field in (
        ("feeds:\n  - {url: 'ftp://a.example', name: a, language: nl}\n", "url"),
        ("feeds:\n  - {url: 'https://a.example', name: a, language: xx}\n", "language"),
        ("feeds:\n  - {url: 'https://a.example', name: a, language: nl, countries: [nl]}\n", "countries"),
        ("feeds:\n  - {url: 'https://a.example', name: a, language: nl, colour: red}\n", "colour"),
        ("feeds:\n  - {url: 'https://a.example', name: a, language: nl}\n  - {url: 'https://b.example', name: a, language: en}\n", "name"),
    ):
        with pytest.raises(FeedConfigError, match=f"feeds.yaml: feed \\d, field {field}"):
            load_feeds(write_feeds(tmp_path, body))
    with pytest.raises(FeedConfigError, match="top-level 'feeds:'"):
        load_feeds(write_feeds(tmp_path, "- a\n"))
    assert len(load_feeds(Settings().news.feeds_file)) >= 1  # the shipped file is valid


@respx.mock
def test_conditional_requests_send_the_validators_and_a_304_is_nothing_new(settings: Settings) -> None:
    route = respx.get(FEED.url).mock(side_effect=[
        httpx.Response(200, content=read("rss2.xml"), headers={"ETag": '"abc"', "Last-Modified": "Mon, 05 Oct 2026 08:00:00 GMT"}),
        httpx.Response(304),
    ])
    with make_client(settings.http, sleep=lambda _s: None) as client:
        first = fetch_feed(client, FEED)
        second = fetch_feed(client, FEED, first.state)
    assert not first.not_modified and len(first.articles) == 2
    assert first.state == FeedState('"abc"', "Mon, 05 Oct 2026 08:00:00 GMT")
    assert second.not_modified and second.articles == () and second.state == first.state
    sent = route.calls[1].request.headers
    assert sent["If-None-Match"] == '"abc"' and sent["If-Modified-Since"] == "Mon, 05 Oct 2026 08:00:00 GMT"


@respx.mock
def test_a_broken_or_failing_feed_does_not_stop_the_others(store: Store, settings: Settings, tmp_path: Path) -> None:
    from pipelines.collect_news import collect_feeds

    feeds_file = write_feeds(tmp_path, "feeds:\n"
                             "  - {url: 'https://ok.example/rss', name: ok, language: nl}\n"
                             "  - {url: 'https://html.example/rss', name: html, language: nl}\n"
                             "  - {url: 'https://down.example/rss', name: down, language: en}\n")
    respx.get("https://ok.example/rss").mock(return_value=httpx.Response(200, content=read("rss2.xml")))
    respx.get("https://html.example/rss").mock(return_value=httpx.Response(200, content=read("broken.xml")))
    respx.get("https://down.example/rss").mock(return_value=httpx.Response(503))
    configured = settings.model_copy(update={"news": settings.news.model_copy(update={"feeds_file": feeds_file})})
    summary = collect_feeds(store, configured, sleep=lambda _s: None)
    assert summary.status == "ok" and summary.counts.added == 2
    assert [failure.split(":")[0] for failure in summary.failures] == ["html", "down"]
    assert summary.quarantined == 2  # the item without a link and the feed that is an HTML page


def test_news_connector_modules_are_documented_like_every_connector() -> None:
    import inspect
    import re

    from connectors import feeds, gdelt, sanctions_eu
    from tests.connectors.test_connector_contract import DOCSTRING_SECTIONS

    for module in (feeds, gdelt, sanctions_eu):
        doc = inspect.getdoc(module) or ""
        assert all(re.search(rf"^{section}$", doc, re.MULTILINE) for section in DOCSTRING_SECTIONS), module.__name__
        assert re.search(r"https://\S+", doc.split("API documentation", 1)[1]), module.__name__
        assert isinstance(module.SOURCE, str) and callable(module.make_client)


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be", "utf-16", "utf-32"])
def test_utf16_and_utf32_feeds_with_a_byte_order_mark_are_read(encoding: str) -> None:
    text = read("rss2.xml").decode("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"')
    bom = {"utf-16-le": "\ufeff", "utf-16-be": "\ufeff", "utf-32-le": "\ufeff", "utf-32-be": "\ufeff"}.get(encoding, "")
    data = (bom + text).encode(encoding)  # "utf-16"/"utf-32" write their own mark
    articles, errors = parse_feed(data, FEED, where=f"{encoding}.xml")
    expected, expected_errors = parse_feed(read("rss2.xml"), FEED, where="rss2.xml")
    assert [a.title for a in articles] == [a.title for a in expected]
    assert [a.summary for a in articles] == [a.summary for a in expected]
    assert len(articles) == 2 and [e.field for e in errors] == [e.field for e in expected_errors] == ["link"]


def test_an_entity_declaration_in_utf16_is_refused_like_in_utf8() -> None:
    bomb = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE rss [<!ENTITY a "aaaa">]><rss><channel><item><title>&a;</title></item></channel></rss>'
    with pytest.raises(RecordError, match="entities"):
        parse_feed(bomb.encode("utf-16"), FEED, where="bomb16.xml")
