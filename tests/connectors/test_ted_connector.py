"""Round trip: TED Search API v3 pages and notice XML -> ``SearchHit`` -> ``Notice``.

The search fixtures in ``fixtures/ted_api`` have the shape of real responses (scalars, lists and
per-language maps, ``iterationNextToken`` null on the last page); the XML is a real published
eForms notice. Nothing touches the network, and no test waits: ``sleep`` collects the waits.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import httpx
import pytest

from config.settings import HttpSettings, TedSettings
from connectors import ted
from connectors.errors import PendingRecord, RecordError, SourceRequestError, SourceUnavailableError
from connectors.records import Notice, Party, SearchHit

FIXTURES = Path(__file__).parents[1] / "fixtures" / "ted_api"
SETTINGS = TedSettings(
    countries=["NLD"],
    cpv_prefixes=["72", "48"],
    notice_types=["can-standard", "veat"],
    page_size=2,
    min_interval_seconds=0,
)
HTTP = HttpSettings(max_attempts=3, backoff_base=1.0, backoff_max=30.0)
SINCE, UNTIL = date(2024, 1, 1), date(2024, 12, 31)


def page(name: str) -> httpx.Response:
    return httpx.Response(200, json=json.loads((FIXTURES / name).read_text()))


@pytest.fixture
def waits() -> list[float]:
    return []


@pytest.fixture
def client(waits):
    with ted.make_client(SETTINGS, HTTP, sleep=waits.append) as http:
        yield http


def stub_notice(data: bytes, *, where: str) -> Notice:
    """Stands in for the XML parser where the test is about fetching, not parsing."""
    return Notice(
        notice_id=where.split("/")[-2],
        format="eforms",
        notice_type="can-standard",
        subtype="29",
        kind="award",
        published=date(2024, 1, 3),
        buyer=Party(name="Gemeente Utrecht", country="NL"),
        cpv_main="72000000",
        source_url=where,
    )


# --- build_query -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "query"),
    [
        (
            dict(
                notice_types=["can-standard", "veat"],
                countries=["NLD"],
                cpv_prefixes=["72", "48"],
                since=SINCE,
                until=UNTIL,
            ),
            "notice-type IN (can-standard veat) AND buyer-country IN (NLD) AND classification-cpv IN (72* 48*)"
            " AND publication-date>=20240101 AND publication-date<=20241231 SORT BY publication-date ASC",
        ),
        (
            dict(notice_types=["can-standard"], countries=["NLD", "BEL"], cpv_prefixes=[], since=SINCE),
            "notice-type IN (can-standard) AND buyer-country IN (NLD BEL)"
            " AND publication-date>=20240101 SORT BY publication-date ASC",
        ),
        (
            dict(notice_types=[], countries=[], cpv_prefixes=["72000000", "4521", "72200000-7"], since=SINCE),
            "classification-cpv IN (72000000 4521* 72200000)"
            " AND publication-date>=20240101 SORT BY publication-date ASC",
        ),
        (
            dict(notice_types=[], countries=[], cpv_prefixes=[], since=SINCE, until=SINCE),
            "publication-date>=20240101 AND publication-date<=20240101 SORT BY publication-date ASC",
        ),
    ],
    ids=["all-clauses", "no-cpv-no-until", "full-codes-no-wildcard", "dates-only"],
)
def test_build_query(kwargs, query):
    assert ted.build_query(**kwargs) == query


def test_build_query_refuses_a_cpv_prefix_that_is_not_digits():
    with pytest.raises(ValueError, match="not digits"):
        ted.build_query(notice_types=[], countries=[], cpv_prefixes=["IT"], since=SINCE)


# --- search_pages ------------------------------------------------------------------------------


def test_three_pages_follow_the_iteration_token(respx_mock, client):
    route = respx_mock.post(SETTINGS.search_url).mock(
        side_effect=[page("search_page_1.json"), page("search_page_2.json"), page("search_page_3.json")]
    )
    pages = list(ted.search_pages(client, SETTINGS, since=SINCE, until=UNTIL))

    assert [[hit.notice_id for hit in p] for p in pages] == [
        ["4127-2024", "4388-2024"],
        ["9912-2024", "10354-2024"],
        ["14201-2024"],
    ]
    bodies = [json.loads(call.request.content) for call in route.calls]
    query = ted.build_query(
        notice_types=SETTINGS.notice_types,
        countries=SETTINGS.countries,
        cpv_prefixes=SETTINGS.cpv_prefixes,
        since=SINCE,
        until=UNTIL,
    )
    assert [body["query"] for body in bodies] == [query] * 3
    assert [body["limit"] for body in bodies] == [2, 2, 2]
    assert {(body["paginationMode"], body["scope"], tuple(body["fields"])) for body in bodies} == {
        ("ITERATION", "ALL", ted.SEARCH_FIELDS)
    }
    first_token = json.loads((FIXTURES / "search_page_1.json").read_text())["iterationNextToken"]
    second_token = json.loads((FIXTURES / "search_page_2.json").read_text())["iterationNextToken"]
    assert [body.get("iterationNextToken") for body in bodies] == [None, first_token, second_token]


def test_hits_read_scalars_lists_and_links(respx_mock, client):
    respx_mock.post(SETTINGS.search_url).mock(side_effect=[page("search_page_2.json"), page("search_page_3.json")])
    first = next(ted.search_pages(client, SETTINGS, since=SINCE))  # pages 2-3 of 5 notices: read the first only
    without_links, with_links = first
    assert without_links == SearchHit(
        notice_id="9912-2024", published=date(2024, 1, 5), xml_url="https://ted.europa.eu/en/notice/9912-2024/xml"
    )
    assert with_links.xml_url == "https://ted.europa.eu/en/notice/10354-2024/xml"
    assert with_links.raw["classification-cpv"] == ["72500000", "72000000"]


def test_a_page_without_notices_ends_the_search(respx_mock, client):
    respx_mock.post(SETTINGS.search_url).respond(
        200, json={"notices": [], "totalNoticeCount": 0, "iterationNextToken": "t"}
    )
    assert list(ted.search_pages(client, SETTINGS, since=SINCE)) == []


def test_a_timed_out_search_stops_the_collection(respx_mock, client):
    respx_mock.post(SETTINGS.search_url).respond(200, json={"notices": [], "timedOut": True})
    with pytest.raises(SourceUnavailableError, match="timed out"):
        list(ted.search_pages(client, SETTINGS, since=SINCE))


def test_an_item_without_publication_number_is_a_record_error_and_the_page_goes_on(respx_mock, client):
    respx_mock.post(SETTINGS.search_url).mock(return_value=page("search_bad_item.json"))
    [hits] = ted.search_pages(client, SETTINGS, since=SINCE)

    assert [hit.notice_id for hit in hits] == ["4127-2024", "4388-2024"]
    [error] = hits.errors
    assert isinstance(error, RecordError) and error.field == "publication-number"
    assert error.where.endswith("page 1 item 2")
    assert json.loads(error.payload)["buyer-name"] == {"nld": ["Gemeente Utrecht"]}

    respx_mock.get(url__regex=r"https://ted\.europa\.eu/en/notice/.+/xml").respond(200, content=b"<xml/>")
    notices, errors = ted.collect_page(client, SETTINGS, hits, parse=stub_notice)
    assert [n.notice_id for n in notices] == ["4127-2024", "4388-2024"]
    assert errors == [error]  # the page's item error reaches the caller with the page


# --- the shared HTTP policy, as the TED connector meets it ---------------------------------------


@pytest.mark.parametrize(
    ("failure", "expected_wait"),
    [
        (httpx.Response(429, headers={"Retry-After": "7"}), 7),
        (httpx.Response(500), None),
        (httpx.ConnectTimeout("connect timed out"), None),
    ],
    ids=["429-retry-after", "500", "timeout"],
)
def test_a_transient_failure_is_retried_and_the_search_goes_on(respx_mock, client, waits, failure, expected_wait):
    route = respx_mock.post(SETTINGS.search_url).mock(side_effect=[failure, page("search_page_3.json")])
    [hits] = ted.search_pages(client, SETTINGS, since=SINCE)
    assert [hit.notice_id for hit in hits] == ["14201-2024"]
    assert route.call_count == 2
    if expected_wait is not None:
        assert waits == [expected_wait]
    else:
        assert len(waits) == 1 and HTTP.backoff_base <= waits[0] <= 2 * HTTP.backoff_base


def test_exhausted_retries_raise_source_unavailable(respx_mock, client, waits):
    route = respx_mock.post(SETTINGS.search_url).respond(503)
    with pytest.raises(SourceUnavailableError):
        list(ted.search_pages(client, SETTINGS, since=SINCE))
    assert route.call_count == HTTP.max_attempts and len(waits) == HTTP.max_attempts - 1


def test_a_bad_query_is_a_request_error_and_is_not_retried(respx_mock, client, waits):
    route = respx_mock.post(SETTINGS.search_url).respond(
        400, json={"message": "Invalid query: unknown field 'buyer-countri'"}
    )
    with pytest.raises(SourceRequestError, match="unknown field") as caught:
        list(ted.search_pages(client, SETTINGS, since=SINCE))
    assert caught.value.status == 400
    assert route.call_count == 1 and waits == []


# --- fetching and parsing notices -----------------------------------------------------------------

XML_URL = "https://ted.europa.eu/en/notice/565058-2023/xml"


def test_fetch_notice_xml_asks_for_xml_at_the_hit_link(respx_mock, client):
    data = (FIXTURES / "565058-2023.xml").read_bytes()
    route = respx_mock.get(XML_URL).respond(200, content=data, headers={"Content-Type": "application/xml"})
    assert ted.fetch_notice_xml(client, "565058-2023", SETTINGS) == data
    assert route.calls.last.request.headers["Accept"] == "application/xml"


def test_a_real_eforms_notice_is_fetched_and_parsed(respx_mock, client):
    respx_mock.post(SETTINGS.search_url).mock(return_value=page("search_one_page.json"))
    respx_mock.get(XML_URL).respond(200, content=(FIXTURES / "565058-2023.xml").read_bytes())
    [hits] = ted.search_pages(client, SETTINGS, since=SINCE)
    notices, errors = ted.collect_page(client, SETTINGS, hits)
    assert errors == []
    assert len(notices) == 1 and isinstance(notices[0], Notice)


def test_a_malformed_notice_is_that_records_error(respx_mock, client):
    respx_mock.get(XML_URL).respond(200, content=b"<ContractAwardNotice><cbc:ID>")
    hit = SearchHit(notice_id="565058-2023", published=date(2023, 9, 15), xml_url=XML_URL)
    notices, [error] = ted.collect_page(client, SETTINGS, [hit])
    assert notices == []
    assert isinstance(error, RecordError) and error.record == "565058-2023"
    assert error.payload == b"<ContractAwardNotice><cbc:ID>"


def test_a_missing_notice_xml_is_that_records_error_and_the_rest_goes_on(respx_mock, client):
    hits = [
        SearchHit(
            notice_id="4127-2024", published=date(2024, 1, 3), xml_url="https://ted.europa.eu/en/notice/4127-2024/xml"
        ),
        SearchHit(
            notice_id="4388-2024", published=date(2024, 1, 3), xml_url="https://ted.europa.eu/en/notice/4388-2024/xml"
        ),
    ]
    respx_mock.get(hits[0].xml_url).respond(404, text="Not Found")
    respx_mock.get(hits[1].xml_url).respond(200, content=b"<xml/>")
    notices, [error] = ted.collect_page(client, SETTINGS, hits, parse=stub_notice)
    assert [n.notice_id for n in notices] == ["4388-2024"]
    assert error.record == "4127-2024" and "404" in str(error)


def test_an_unavailable_source_stops_the_page(respx_mock, client):
    """One record's 5xx after retries leaves that record pending; three in a row mean the source is down."""
    respx_mock.get(XML_URL).respond(503)
    hit = SearchHit(notice_id="565058-2023", published=None, xml_url=XML_URL)
    notices, [error] = ted.collect_page(client, SETTINGS, [hit], parse=stub_notice)
    assert notices == [] and isinstance(error, PendingRecord) and error.record == "565058-2023"
    with pytest.raises(SourceUnavailableError):
        ted.collect_page(client, SETTINGS, [hit] * 3, parse=stub_notice)
