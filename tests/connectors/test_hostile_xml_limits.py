"""Hostile XML: a document nested thousands deep, or too large, is refused quickly, naming the file or URL and the limit.

Every XML path is driven: notices (TED and TenderNed go through ``parse_notice``), the insolvency
register's SOAP answers, news feeds (bs4 over lxml in recovery mode) and the sanctions list.
"""

from __future__ import annotations

import time
from datetime import date

import pytest
import respx
from pydantic import SecretStr

from config.company_signals import InsolvencySettings
from config.settings import HttpSettings
from connectors import insolvency
from connectors.errors import MalformedNoticeError, RecordError, SourceUnavailableError
from connectors.feeds import FeedConfig, parse_feed
from connectors.notice_xml import parse_notice, safe_xml
from connectors.notice_xml.safe_xml import MAX_XML_DEPTH, parse_xml
from connectors.sanctions_eu import NAMESPACE, iter_entries

EFORMS = "urn:oasis:names:specification:ubl:schema:xsd:ContractAwardNotice-2"


def nested(depth: int, *, inner: bytes = b"x", tag: bytes = b"a") -> bytes:
    """``depth`` elements, each inside the previous one."""
    return (b"<" + tag + b">") * depth + inner + (b"</" + tag + b">") * depth


def hostile_notice(depth: int) -> bytes:
    """An eForms award notice whose body is ``depth`` elements deep in all (the root counts as one)."""
    return (f'<?xml version="1.0"?><ContractAwardNotice xmlns="{EFORMS}">').encode() + nested(depth - 1) + \
        b"</ContractAwardNotice>"


def timed(work) -> tuple[float, BaseException | None]:
    start = time.perf_counter()
    try:
        work()
    except Exception as exc:  # noqa: BLE001 (the caller asserts which)
        return time.perf_counter() - start, exc
    return time.perf_counter() - start, None


@pytest.mark.parametrize("depth", [MAX_XML_DEPTH + 1, 257, 100_000])
def test_a_deeply_nested_notice_is_refused_naming_the_file_and_the_limit(depth: int) -> None:
    elapsed, error = timed(lambda: parse_notice(hostile_notice(depth), where="hostile-notice.xml"))
    assert isinstance(error, MalformedNoticeError)
    assert error.field == "depth"
    assert str(error).startswith("hostile-notice.xml") and f"limit of {MAX_XML_DEPTH}" in str(error)
    assert elapsed < 1.0


def test_a_document_at_the_depth_limit_still_parses() -> None:
    root = parse_xml(hostile_notice(MAX_XML_DEPTH), where="deep-but-allowed.xml")
    assert len(list(root.iter())) == MAX_XML_DEPTH


def test_a_notice_over_the_size_limit_is_refused_before_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(safe_xml, "MAX_XML_BYTES", 1000)
    data = hostile_notice(3) + b" " * 2000
    with pytest.raises(MalformedNoticeError, match=rf"^big\.xml.*is {len(data)} bytes, over the limit of 1000") as raised:
        parse_notice(data, where="big.xml")
    assert raised.value.field == "size"


@pytest.mark.parametrize("depth", [MAX_XML_DEPTH + 1, 200_000])
def test_a_deeply_nested_feed_is_refused_quickly_naming_the_url(depth: int) -> None:
    feed = FeedConfig(url="https://hostile.example/rss", name="hostile", language="nl")
    data = (b'<?xml version="1.0"?><rss version="2.0"><channel><item><title>t</title>'
            b"<link>https://hostile.example/a</link><description>" + nested(depth) + b"</description></item></channel></rss>")
    elapsed, error = timed(lambda: parse_feed(data, feed, where=feed.url))
    assert isinstance(error, RecordError) and error.field == "depth"
    assert "https://hostile.example/rss" in str(error) and f"limit of {MAX_XML_DEPTH}" in str(error)
    assert elapsed < 1.0  # 200,000 deep took 4.8 s before the limit, and grew with the size


def test_a_feed_at_ordinary_depth_still_reads() -> None:
    feed = FeedConfig(url="https://example.org/rss", name="ok", language="nl")
    data = (b'<?xml version="1.0"?><rss version="2.0"><channel><item><title>Titel</title>'
            b"<link>https://example.org/a</link><description>" + nested(20) + b"</description></item></channel></rss>")
    articles, errors = parse_feed(data, feed, where=feed.url)
    assert [a.title for a in articles] == ["Titel"] and errors == []


def test_a_deeply_nested_sanctions_entity_within_the_limit_is_read_with_the_others() -> None:
    """Nesting within ``MAX_XML_DEPTH`` costs a reader nothing (none recurses): the entity is read like any other;
    past it the whole list is refused while parsing (the next test)."""
    entity = '<sanctionEntity logicalId="{id}"><subjectType code="enterprise"/>' \
             '<nameAlias wholeName="{name}"/>{extra}</sanctionEntity>'
    data = (f'<export xmlns="{NAMESPACE}">'
            + entity.format(id=1, name="Goed Bedrijf", extra="")
            + entity.format(id=2, name="Diep", extra=nested(MAX_XML_DEPTH - 3, tag=b"remark").decode())
            + "</export>").encode()
    results = list(iter_entries(data, where="sanctions.xml"))
    assert not [r for r in results if isinstance(r, RecordError)]
    assert [r.names for r in results] == [("Goed Bedrijf",), ("Diep",)]


def test_a_sanctions_list_past_libxml2s_own_stop_names_our_limit() -> None:
    data = f'<export xmlns="{NAMESPACE}">'.encode() + nested(300) + b"</export>"
    with pytest.raises(MalformedNoticeError, match=rf"sanctions\.xml.*limit of {MAX_XML_DEPTH}"):
        list(iter_entries(data, where="sanctions.xml"))


def test_a_deeply_nested_soap_answer_is_refused_naming_the_url_and_the_limit() -> None:
    settings = InsolvencySettings(username="buyer", password=SecretStr("pw"), min_interval_seconds=0)
    soap = (f'<s:Envelope xmlns:s="{insolvency.SOAP12}"><s:Body>').encode() + nested(10_000) + b"</s:Body></s:Envelope>"
    with respx.mock() as router, insolvency.make_client(settings, HttpSettings(max_attempts=1), sleep=lambda _s: None) as client:
        router.post(settings.url).respond(200, content=soap, headers={"Content-Type": "application/soap+xml"})
        elapsed, error = timed(lambda: insolvency.search_modified_since(client, settings, date(2026, 1, 1)))
    assert isinstance(error, SourceUnavailableError)
    assert settings.url in str(error) and f"limit of {MAX_XML_DEPTH}" in str(error)
    assert elapsed < 1.0


def test_real_answers_are_well_inside_the_limit() -> None:
    from pathlib import Path

    fixtures = Path(__file__).parents[1] / "fixtures"
    documents = [*fixtures.glob("ted/real-notices/*/*.xml"), *fixtures.glob("cir/*.xml")]
    assert len(documents) >= 5
    for path in documents:
        assert parse_xml(path.read_bytes(), where=path.name) is not None  # a refusal would raise
