"""The lxml fast path of feed parsing reads exactly what the bs4 path reads, and leaves it every feed it cannot vouch for."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors import feed_tree, feeds
from connectors.feeds import FeedConfig, parse_feed
from connectors.notice_xml.safe_xml import MAX_XML_DEPTH

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "news"
DEMO_NEWS = Path(__file__).resolve().parents[2] / "demo" / "data" / "news"
FEED = FeedConfig(url="https://example.org/feed", name="example", language="nl", countries=("NL",))

ATOM_WITH_QUERIES = (
    b"<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom' xmlns:m='urn:m'>"
    b"<entry><title type='html'>&lt;b&gt;Staking&lt;/b&gt; bij <![CDATA[BAM]]><!-- c --></title>"
    b"<link rel='self' href='https://a.example/self'/><link href='https://a.example/1?a=1&amp;b=2&#38;c=3'/>"
    b"<content type='html'>tekst</content><updated>2026-11-02T10:00:00Z</updated></entry>"
    b"<entry><title>zonder link</title><link rel='alternate'/></entry>"
    b"<entry><m:title>in another namespace</m:title><title>Titel</title><link href='https://a.example/2'/></entry></feed>"
)


def both_paths(data: bytes, monkeypatch: pytest.MonkeyPatch) -> tuple[object, object]:
    """``parse_feed`` as it runs, and with the fast path switched off (bs4 only), as comparable values."""

    def run() -> object:
        try:
            articles, errors = parse_feed(data, FEED, where="feed.xml")
        except Exception as exc:  # noqa: BLE001 (both paths must raise the same)
            return type(exc).__name__, str(exc)
        return [(repr(a), a.url_hash) for a in articles], [(str(e), e.field) for e in errors]

    fast = run()
    with monkeypatch.context() as patched:
        patched.setattr(feed_tree, "clean_root", lambda text: None)
        slow = run()
    return fast, slow


@pytest.mark.parametrize("path", sorted([*FIXTURES.glob("*.xml"), *DEMO_NEWS.glob("*.xml")]), ids=lambda p: p.name)
def test_every_fixture_and_demo_feed_reads_the_same_on_both_paths(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fast, slow = both_paths(path.read_bytes(), monkeypatch)
    assert fast == slow


def test_namespaces_cdata_comments_and_ampersands_in_links_read_as_bs4_reads_them(monkeypatch: pytest.MonkeyPatch) -> None:
    text, _ = feeds._decode(ATOM_WITH_QUERIES, None)
    assert feed_tree.clean_root(text) is not None  # the fast path is the one under test
    fast, slow = both_paths(ATOM_WITH_QUERIES, monkeypatch)
    assert fast == slow
    (article, other), _ = parse_feed(ATOM_WITH_QUERIES, FEED, where="feed.xml")
    assert article.title == "Staking bij BAM"
    assert other.title == "in another namespace"  # bs4 takes the first "title" in any namespace; so does the fast path
    assert article.url == "https://a.example/1?a=1&b=2&c=3"  # "&amp;" and "&#38;" are both a real "&"


@pytest.mark.parametrize(("written", "meant"), [
    ("https://a.example/1?a=1&amp;b=2", "https://a.example/1?a=1&b=2"),
    ("https://a.example/1?a=1&#38;b=2&#x26;c=3", "https://a.example/1?a=1&b=2&c=3"),
    ("https://a.example/1?q=R&amp;amp;D", "https://a.example/1?q=R&amp;D"),  # an escaped "&amp;" is text, kept
    ("https://a.example/1?q=&amp;#38;", "https://a.example/1?q=&#38;"),  # so is an escaped reference
])
def test_an_ampersand_in_an_attribute_is_a_real_ampersand_on_both_paths(written: str, meant: str,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    entry = f"<entry><title>t</title><link href='{written}'/></entry>"
    clean = f"<feed xmlns='http://www.w3.org/2005/Atom'>{entry}</feed>".encode()
    recovered = f"<feed xmlns='http://www.w3.org/2005/Atom'>{entry}<entry><br></entry></feed>".encode()
    text, _ = feeds._decode(recovered, None)
    assert feed_tree.clean_root(text) is None  # this one goes through bs4 whatever happens
    for data in (clean, recovered):
        fast, slow = both_paths(data, monkeypatch)
        assert fast == slow
        (article,), _ = parse_feed(data, FEED, where="feed.xml")
        assert article.url == meant


@pytest.mark.parametrize("text", [
    "<rss><channel><item><media:title>undeclared prefix</media:title></item></channel></rss>",
    "<rss><channel><item><title a='1' a='2'>attribute twice</title></item></channel></rss>",
    "<rss><channel><item><title>an&nbsp;undefined entity</title></item></channel></rss>",
    "<!DOCTYPE rss SYSTEM 'rss.dtd'><rss><channel></channel></rss>",
    "<rss><channel><item><title>not closed</channel></rss>",
    "<rss>" + "<a>" * 300 + "</a>" * 300 + "</rss>",
    "not XML at all",
])
def test_anything_libxml2_remarks_on_is_left_to_the_bs4_path(text: str) -> None:
    assert feed_tree.clean_root(text) is None


def test_the_depth_limit_holds_on_the_fast_path() -> None:
    """Past ``MAX_XML_DEPTH`` libxml2's strict parse refuses the feed, and the bs4 path's builder stops at the same
    limit; at the limit the fast path reads it."""
    def feed(depth: int) -> str:
        return ("<rss><channel><item><title>t</title><link>https://example.org/a</link><description>"
                + "<a>" * depth + "</a>" * depth + "</description></item></channel></rss>")

    at_limit = feed(MAX_XML_DEPTH - 4)  # rss, channel, item, description, then the innermost <a> at the limit
    assert feed_tree.clean_root(at_limit) is not None
    assert [a.title for a in parse_feed(at_limit.encode(), FEED, where="deep.xml")[0]] == ["t"]
    deep = feed(MAX_XML_DEPTH - 3)
    assert feed_tree.clean_root(deep) is None
    with pytest.raises(feeds.RecordError, match=f"limit of {MAX_XML_DEPTH}") as raised:
        parse_feed(deep.encode(), FEED, where="deep.xml")
    assert raised.value.field == "depth"
