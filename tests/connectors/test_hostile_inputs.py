"""Hostile inputs are bounded: each is refused (naming file or URL and the limit) or read in time and
memory proportional to its legitimate content. Budgets are generous for a loaded CI machine."""

from __future__ import annotations

import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from config.settings import Settings
from connectors.errors import RecordError
from connectors.feeds import FeedConfig, parse_feed, strip_doctype
from connectors.tabular import FieldTooLargeError, check_xlsx_archive

FEED = FeedConfig(url="https://hostile.example/rss", name="hostile", language="nl")


def timed(work) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


@pytest.mark.parametrize("body", [
    b"<!DOCTYPE [" * 20_000,
    b"<!DOCTYPE x [" + b"<!-- [" * 30_000,
    b"<!DOCTYPE" + b" " * 200_000,
])
def test_a_hostile_doctype_costs_linear_time(body: bytes) -> None:
    data = b"<?xml version='1.0'?>" + body + b"<rss><channel></channel></rss>"
    text = data.decode()
    assert timed(lambda: strip_doctype(text)) < 0.5
    with pytest.raises(RecordError):  # not a feed, or no items: either way quickly
        elapsed = timed(lambda: _parse_or_raise(data))
        assert elapsed < 5


def _parse_or_raise(data: bytes) -> None:
    articles, _ = parse_feed(data, FEED, where=FEED.url)
    if not articles:
        raise RecordError(FEED.url, "no articles")


def test_a_doctype_with_an_internal_subset_is_removed_whole() -> None:
    data = '<?xml version="1.0"?><!DOCTYPE rss [<!ELEMENT rss ANY>]><rss/>'
    assert strip_doctype(data) == '<?xml version="1.0"?><rss/>'


def test_a_huge_markup_title_is_bounded_in_memory() -> None:
    title = "&lt;b&gt;x&lt;/b&gt;" * 60_000  # ~1.2 MB of escaped markup
    data = (f"<rss><channel><item><title>{title}</title><link>https://hostile.example/1</link>"
            "</item></channel></rss>").encode()
    tracemalloc.start()
    try:
        articles, _ = parse_feed(data, FEED, where=FEED.url)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(articles) == 1 and len(articles[0].title) <= 1000
    assert peak < 100_000_000


def test_a_feed_over_the_size_limit_is_refused_naming_url_and_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    from connectors import feeds

    monkeypatch.setattr(feeds, "MAX_FEED_BYTES", 1000)
    with pytest.raises(RecordError, match=r"hostile\.example.*over the limit of 1000"):
        parse_feed(b"<rss>" + b" " * 2000 + b"</rss>", FEED, where=FEED.url)


def test_an_xlsx_bomb_is_refused_before_inflating(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/sharedStrings.xml", b"<sst>" + b"A" * 60_000_000 + b"</sst>")
    assert path.stat().st_size < 1_000_000
    with pytest.raises(FieldTooLargeError, match=r"bomb\.xlsx.*sharedStrings\.xml"):
        check_xlsx_archive(path)


def test_an_xlsx_bomb_through_the_importer_is_a_clear_refusal(tmp_path: Path, settings: Settings) -> None:
    from pipelines.import_own_data import import_files
    from store.db import Store

    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<worksheet>" + b" " * 12_000_000 + b"</worksheet>")
    store = Store(f"sqlite:///{tmp_path / 's.db'}")
    reports, failed = import_files(store, [path], "spend", settings)
    assert reports == [] and "bomb.xlsx" in failed[0] and "at most 100" in failed[0]
