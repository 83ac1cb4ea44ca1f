"""Round trip: committed demo bundle -> replay transport -> httpx client, as the connectors see it.

The replay must answer like TED's Search API, TED's notice pages and TenderNed's TNS API: filters,
paging and tokens, status codes and content types; and a European notice on TenderNed must be the very
notice TED serves, so the store can count it once.
"""

from __future__ import annotations

import asyncio
import gc
import json
import weakref
import zipfile
from datetime import date
from typing import Any

import httpx
import pytest
from lxml import etree

from demo import build as bundle
from demo.replay import DEFAULT_TODAY, demo_transport, forget_bundles, load_bundle
from demo.replay_documents import Documents

SEARCH = "https://api.ted.europa.eu/v3/notices/search"
TENDERNED = "https://www.tenderned.nl/papi/tenderned-rs-tns/v2/publicaties"
FIELDS = ["publication-number", "publication-date", "notice-type", "buyer-country", "classification-cpv"]
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"


@pytest.fixture(scope="module")
def client() -> httpx.Client:
    with httpx.Client(transport=demo_transport()) as c:
        yield c


@pytest.fixture(scope="module")
def index() -> list[dict[str, Any]]:
    return json.loads((bundle.DATA_DIR / bundle.TED_INDEX).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def publications() -> list[dict[str, Any]]:
    return json.loads((bundle.DATA_DIR / bundle.TENDERNED_PUBLICATIONS).read_text(encoding="utf-8"))


def _search(client: httpx.Client, query: str, **body: Any) -> httpx.Response:
    return client.post(SEARCH, json={"query": query, "fields": FIELDS, "limit": 250, **body})


def _all_pages(client: httpx.Client, query: str, limit: int = 100) -> tuple[list[dict[str, Any]], int, int]:
    """Every notice of a query through ITERATION paging; also the total and the number of requests."""
    notices: list[dict[str, Any]] = []
    token, requests = None, 0
    while True:
        body = {"paginationMode": "ITERATION", "limit": limit, **({"iterationNextToken": token} if token else {})}
        response = _search(client, query, **body)
        requests += 1
        assert response.status_code == 200, response.text
        payload = response.json()
        notices += payload["notices"]
        token = payload["iterationNextToken"]
        if token is None:
            return notices, payload["totalNoticeCount"], requests


def _day(item: dict[str, Any]) -> str:
    return item["publication-date"][:10]


# --- TED search ----------------------------------------------------------------------------------------


def test_search_filters_by_date_type_country_and_cpv(client: httpx.Client, index: list[dict[str, Any]]) -> None:
    query = ("notice-type IN (can-standard can-social) AND buyer-country IN (NLD) AND "
             "classification-cpv IN (72* 4521* 09310000) AND publication-date>=20240101 AND "
             "publication-date<=20241231 SORT BY publication-date ASC")
    found, total, _ = _all_pages(client, query)

    def wanted(item: dict[str, Any]) -> bool:
        codes = item["classification-cpv"]
        return (item["notice-type"] == "can-standard" and "2024-01-01" <= _day(item) <= "2024-12-31"
                and any(c.startswith(("72", "4521")) or c == "09310000" for c in codes))

    expected = [item["publication-number"] for item in index if wanted(item)]
    assert [item["publication-number"] for item in found] == expected
    assert total == len(expected) > 20
    assert [_day(item) for item in found] == sorted(_day(item) for item in found)


def test_search_returns_only_the_fields_asked_for_plus_links(client: httpx.Client) -> None:
    response = client.post(SEARCH, json={"query": "publication-date>=20250101", "fields": ["publication-number"],
                                         "limit": 5})
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    for item in response.json()["notices"]:
        assert set(item) == {"publication-number", "links"}
        assert item["links"]["xml"]["MUL"].endswith(f"/{item['publication-number']}/xml")


def test_contract_notices_other_countries_and_descending_order(client: httpx.Client) -> None:
    contract = _search(client, "notice-type=cn-standard AND publication-date>=20230101").json()
    assert contract["totalNoticeCount"] > 0
    assert {item["notice-type"] for item in contract["notices"]} == {"cn-standard"}
    assert _search(client, "buyer-country IN (BEL DEU)").json()["totalNoticeCount"] == 0
    newest = _search(client, "classification-cpv=48* SORT BY publication-date DESC", limit=10).json()["notices"]
    assert [_day(i) for i in newest] == sorted((_day(i) for i in newest), reverse=True)
    assert all(any(c.startswith("48") for c in i["classification-cpv"]) for i in newest)


def test_iteration_paging_hands_over_tokens_until_null(client: httpx.Client, index: list[dict[str, Any]]) -> None:
    found, total, requests = _all_pages(client, "publication-date>=20190101", limit=250)
    numbers = [item["publication-number"] for item in found]
    assert len(numbers) == len(set(numbers)) == total == len(index)
    assert requests == -(-total // 250)


def test_page_number_paging_stops_at_15000_results(client: httpx.Client) -> None:
    second = _search(client, "publication-date>=20190101", page=2, limit=100).json()
    assert len(second["notices"]) == 100 and second["iterationNextToken"] is None
    too_deep = _search(client, "publication-date>=20190101", page=61, limit=250)
    assert too_deep.status_code == 400


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"limit": 251}, "limit"),
        ({"limit": 0}, "limit"),
        ({"query": "buyer-country=NLD OR buyer-country=BEL"}, "OR"),
        ({"query": "winner-name=Kwadix"}, "winner-name"),
        ({"query": "publication-date>=2024-01-01"}, "date"),
        ({"query": "publication-date>=20240101 SORT BY publication-number"}, "SORT"),
        ({"paginationMode": "ITERATION", "iterationNextToken": "bm90LWEtdG9rZW4="}, "iterationNextToken"),
        ({"fields": []}, "fields"),
    ],
)
def test_requests_ted_would_refuse_are_400s_with_a_json_message(
    client: httpx.Client, body: dict[str, Any], message: str
) -> None:
    request = {"query": "publication-date>=20240101", "fields": FIELDS, "limit": 10, **body}
    response = client.post(SEARCH, json=request)
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/json"
    assert message in response.json()["message"]


def test_a_token_only_works_for_its_own_query(client: httpx.Client) -> None:
    first = _search(client, "publication-date>=20190101", paginationMode="ITERATION", limit=10).json()
    other = _search(client, "publication-date>=20200101", paginationMode="ITERATION", limit=10,
                    iterationNextToken=first["iterationNextToken"])
    assert other.status_code == 400


def test_the_connector_query_is_understood(client: httpx.Client) -> None:
    ted = pytest.importorskip("connectors.ted")
    query = ted.build_query(notice_types=["can-standard", "can-social", "veat"], countries=["NLD"],
                            cpv_prefixes=["72", "4521", "09310000"], since=date(2025, 1, 1), until=date(2025, 6, 30))
    response = client.post(SEARCH, json=ted.search_body(query, 250))
    assert response.status_code == 200, response.text
    assert response.json()["totalNoticeCount"] > 0


# --- TED notice XML ------------------------------------------------------------------------------------


def test_notice_xml_is_served_as_application_xml(client: httpx.Client, index: list[dict[str, Any]]) -> None:
    item = index[-1]
    response = client.get(item["links"]["xml"]["MUL"])
    assert response.status_code == 200 and response.headers["content-type"] == "application/xml"
    etree.fromstring(response.content)
    serial, year = item["publication-number"].split("-")
    padded = client.get(f"https://ted.europa.eu/en/notice/{int(serial):08d}-{year}/xml")
    assert padded.content == response.content
    assert response.headers["content-length"] == str(len(response.content))  # as a server states it


def test_json_answers_are_what_httpx_would_write(client: httpx.Client, publications: list[dict[str, Any]]) -> None:
    """Compact UTF-8 JSON with its length, as ``httpx.Response(json=...)`` writes it (names keep their accents)."""
    response = client.get(f"{TENDERNED}/{publications[0]['publicatieId']}")
    expected = httpx.Response(200, json=response.json())
    assert response.content == expected.content
    assert response.headers["content-length"] == expected.headers["content-length"] == str(len(response.content))


def test_unknown_notices_and_routes_are_404(client: httpx.Client) -> None:
    assert client.get("https://ted.europa.eu/en/notice/999999-2019/xml").status_code == 404
    assert client.get("https://ted.europa.eu/en/notice/abc/xml").status_code == 404
    assert client.get(SEARCH).status_code == 404
    assert client.get("https://example.org/").status_code == 404
    assert client.get(f"{TENDERNED}/9999999").status_code == 404
    assert client.get(f"{TENDERNED}/9999999/public-xml").status_code == 404


def test_answers_carry_their_status_line_as_a_server_gives_it(client: httpx.Client) -> None:
    """HTTP version and reason phrase come with the answer, as httpx's own transport gives them from a server."""
    found = client.post(SEARCH, json={"query": "publication-date>=20260101", "fields": FIELDS})
    missing = client.get("https://ted.europa.eu/en/notice/999999-2019/xml")
    register = client.get("https://api.kvk.nl/api/v1/basisprofielen/99999999", headers={"apikey": "demo"})
    assert (found.http_version, found.reason_phrase) == ("HTTP/1.1", "OK")
    assert (missing.status_code, missing.reason_phrase) == (404, "Not Found")
    assert (register.status_code, register.reason_phrase) == (404, "Not Found")


def test_notices_after_today_do_not_exist_yet(index: list[dict[str, Any]], publications: list[dict[str, Any]]) -> None:
    today = date(2024, 1, 1)
    with httpx.Client(transport=demo_transport(today=today)) as early:
        found, total, _ = _all_pages(early, "publication-date>=20190101", limit=250)
        assert total == sum(1 for item in index if _day(item) <= "2024-01-01") == len(found)
        later = next(item for item in index if _day(item) > "2024-01-01")
        assert early.get(later["links"]["xml"]["MUL"]).status_code == 404
        tenderned = early.get(TENDERNED, params={"size": 100}).json()
        assert tenderned["totalElements"] == sum(1 for p in publications if p["publicatieDatum"] <= "2024-01-01")
        late = next(p for p in publications if p["publicatieDatum"] > "2024-01-01")
        assert early.get(f"{TENDERNED}/{late['publicatieId']}").status_code == 404
    assert DEFAULT_TODAY == date(2026, 11, 1)


def test_the_bundle_is_read_once(client: httpx.Client) -> None:
    load_bundle.cache_clear()
    for _ in range(3):
        client.post(SEARCH, json={"query": "publication-date>=20260101", "fields": FIELDS})
    assert load_bundle.cache_info().misses == 1


def test_a_forgotten_bundle_is_freed_and_read_again_when_asked_for(client: httpx.Client) -> None:
    """The demo forgets the bundle once collection is done: its memory goes (frozen or not), and a later request
    still gets its answer, from the bundle read again."""
    load_bundle.cache_clear()
    first = weakref.ref(load_bundle(bundle.DATA_DIR.resolve()))
    forget_bundles()
    assert first() is None  # by its reference count: no collection needed
    assert load_bundle.cache_info().currsize == 0
    answer = client.post(SEARCH, json={"query": "publication-date>=20260101", "fields": FIELDS})
    assert answer.status_code == 200 and answer.json()["notices"]
    assert load_bundle.cache_info().currsize == 1


def test_the_bundle_is_kept_out_of_the_garbage_collectors_walks() -> None:
    """Read once for the process, the bundle's containers are frozen: full collections while collecting skip them."""
    load_bundle.cache_clear()
    loaded = load_bundle(bundle.DATA_DIR.resolve())
    walked = {id(item) for item in gc.get_objects()}
    assert loaded.ted_items and id(loaded.ted_items) not in walked
    assert not walked.intersection(id(item) for item in loaded.ted_items)
    assert not loaded.tenderned_details.read  # (read when a detail is asked for: never while collecting the demo)
    assert gc.get_freeze_count() > 0
    assert gc.isenabled()  # paused only while reading


def test_documents_are_read_from_the_archive_when_asked_for() -> None:
    """The bundle keeps the zips, not every document inflated: the same bytes, by name, on demand."""
    documents = load_bundle(bundle.DATA_DIR.resolve()).ted_xml
    with zipfile.ZipFile(bundle.DATA_DIR / bundle.TED_NOTICES) as archive:
        names = archive.namelist()
        assert sorted(documents) == sorted(name.removesuffix(".xml") for name in names) and len(documents) == len(names)
        assert documents[names[-1].removesuffix(".xml")] == archive.read(names[-1])
    assert "0-2024" not in documents and documents.get("0-2024") is None
    with pytest.raises(KeyError):
        documents["0-2024"]


@pytest.mark.parametrize("compression", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
def test_documents_read_stored_and_deflated_members_as_zipfile_does(tmp_path, compression: int) -> None:
    """Positioned reads give every member's bytes as ``ZipFile.read`` would (a scaled world's zips are stored, the
    committed bundle's deflated), and a member whose bytes do not match its CRC-32 is refused, naming it."""
    path = tmp_path / "notices.zip"
    members = {f"{n}-2024.xml": (f"<notice n='{n}'>" + "x" * n * 97 + "</notice>").encode() for n in range(1, 40)}
    with zipfile.ZipFile(path, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        archive.writestr(zipfile.ZipInfo("extra.xml"), b"<a/>")  # (a member with its own local header fields)
    documents = Documents(path)
    assert {f"{key}.xml": documents[key] for key in documents if key != "extra"} == members
    assert documents["extra"] == b"<a/>"
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("7-2024.xml")
    raw = bytearray(path.read_bytes())
    raw[info.header_offset + 30 + len(info.filename) + 3] ^= 0x01  # one bit of its data (stored or inflated)
    path.write_bytes(bytes(raw))
    with pytest.raises(zipfile.BadZipFile, match="7-2024.xml"):
        Documents(path)["7-2024"]
    assert Documents(path)["8-2024"] == members["8-2024.xml"]


def test_the_transport_serves_async_clients_too() -> None:
    async def fetch() -> int:
        async with httpx.AsyncClient(transport=demo_transport()) as client:
            response = await client.post(SEARCH, json={"query": "publication-date>=20260101", "fields": FIELDS})
            return response.json()["totalNoticeCount"]

    assert asyncio.run(fetch()) > 0


# --- TenderNed -----------------------------------------------------------------------------------------


def test_tenderned_pages_newest_first(client: httpx.Client, publications: list[dict[str, Any]]) -> None:
    rows: list[dict[str, Any]] = []
    page = 0
    while True:
        response = client.get(TENDERNED, params=[("page", page), ("size", 100), ("publicatieType", "AGO")])
        assert response.status_code == 200 and response.headers["content-type"] == "application/json"
        payload = response.json()
        assert payload["number"] == page and payload["size"] == 100 and payload["first"] == (page == 0)
        rows += payload["content"]
        if payload["last"]:
            break
        page += 1
    assert page + 1 == payload["totalPages"]
    assert len(rows) == payload["totalElements"] == len(publications)
    assert {r["publicatieId"] for r in rows} == {p["publicatieId"] for p in publications}
    dates = [r["publicatieDatum"] for r in rows]
    assert dates == sorted(dates, reverse=True)
    assert {r["europees"] for r in rows} == {True, False}


def test_tenderned_filters_by_date_and_type(client: httpx.Client, publications: list[dict[str, Any]]) -> None:
    params = {"publicatieDatumVanaf": "2024-01-01", "publicatieDatumTot": "2024-06-30", "size": 100}
    payload = client.get(TENDERNED, params=params).json()
    expected = [p for p in publications if "2024-01-01" <= p["publicatieDatum"] <= "2024-06-30"]
    assert payload["totalElements"] == len(expected) > 0
    assert client.get(TENDERNED, params={"publicatieType": "AAO"}).json()["totalElements"] == 0
    assert client.get(TENDERNED, params={"size": 101}).status_code == 400
    assert client.get(TENDERNED, params={"publicatieDatumVanaf": "01-01-2024"}).status_code == 400


def test_tenderned_detail_and_public_xml(client: httpx.Client, publications: list[dict[str, Any]]) -> None:
    national = next(p for p in publications if not p["europees"])
    detail = client.get(f"{TENDERNED}/{national['publicatieId']}").json()
    assert detail["publicatieId"] == int(national["publicatieId"]) and isinstance(detail["kenmerk"], int)
    assert detail["aanbestedingNaam"] == national["aanbestedingNaam"]
    main = [c for c in detail["cpvCodes"] if c["isHoofdOpdracht"]]
    assert len(main) == 1 and len(main[0]["code"]) == 10 and main[0]["code"][8] == "-"
    response = client.get(f"{TENDERNED}/{national['publicatieId']}/public-xml")
    assert response.status_code == 200 and response.headers["content-type"] == "application/xml"
    root = etree.fromstring(response.content)
    assert root.findtext(".//{*}NoticeSubType/{*}SubTypeCode") == "E4"
    assert root.find(".//{*}Publication") is None  # national: never in the OJ S
    uuid = root.findtext(f"{{{CBC}}}ID")
    assert uuid not in {_uuid(d) for d in load_bundle(bundle.DATA_DIR.resolve()).ted_xml.values()}


def _uuid(document: bytes) -> str | None:
    root = etree.fromstring(document)
    return root.findtext(f"{{{CBC}}}ID") or root.findtext(".//{*}NOTICE_UUID")


def _ted_number(document: bytes) -> str:
    """The OJ S number a notice states: eForms NoticePublicationID, or the legacy DOC_ID."""
    root = etree.fromstring(document)
    number = root.findtext(".//{*}Publication/{*}NoticePublicationID") or root.get("DOC_ID")
    serial, year = number.split("-")
    return f"{int(serial)}-{year}"


def test_european_tenderned_notices_are_the_notices_ted_serves(
    client: httpx.Client, publications: list[dict[str, Any]]
) -> None:
    european = [p for p in publications if p["europees"]]
    assert len(european) >= 50
    formats = set()
    for row in european:
        document = client.get(f"{TENDERNED}/{row['publicatieId']}/public-xml").content
        number = _ted_number(document)
        on_ted = client.get(f"https://ted.europa.eu/en/notice/{number}/xml")
        assert on_ted.status_code == 200
        assert _uuid(on_ted.content) == _uuid(document) is not None
        assert on_ted.content == document
        formats.add(etree.QName(etree.fromstring(document)).localname)
    assert formats == {"TED_EXPORT", "ContractAwardNotice"}  # both sides of the eForms switch
