"""Round trip: TenderNed TNS list, detail and public XML -> ``Notice``.

The JSON fixtures in ``fixtures/tenderned_api`` have the shape of real responses (list rows with
string ids and ``typePublicatie``; details with numeric ids, ``aankondigingCode`` and ``cpvCodes``
with check digits). Nothing touches the network, and no test waits.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import logging
from datetime import date
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from config.settings import HttpSettings, TenderNedSettings
from connectors import tenderned
from connectors.errors import PendingRecord, RecordError, RecordWarning, SourceUnavailableError
from connectors.records import Award, Bid, Lot, Notice, Party

FIXTURES = Path(__file__).parents[1] / "fixtures" / "tenderned_api"
SETTINGS = TenderNedSettings(page_size=2, publication_types=["AGO"], min_interval_seconds=0)
HTTP = HttpSettings(max_attempts=3, backoff_base=1.0, backoff_max=30.0)
BASE = SETTINGS.base_url
SINCE, UNTIL = date(2024, 2, 1), date(2024, 3, 31)


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


@pytest.fixture
def waits() -> list[float]:
    return []


@pytest.fixture
def client(waits):
    with tenderned.make_client(SETTINGS, HTTP, sleep=waits.append) as http:
        yield http


def xml_notice() -> Notice:
    """What the XML parser makes of an award notice: built here, so these tests do not hang on it."""
    winner = Party(name="Centric Netherlands B.V.", country="NL", company_id="24163720", town="Gouda")
    loser = Party(name="Zaakwerk B.V.", country="NL", company_id="12345678", town="Zwolle")
    return Notice(
        notice_id="143526-2024",
        format="eforms",
        notice_type="can-standard",
        subtype="29",
        kind="award",
        published=date(2024, 3, 5),
        buyer=Party(name="Gemeente Utrecht", country="NL", company_id="30280353", town="Utrecht"),
        cpv_main="72200000",
        cpv=("72200000", "72000000", "72250000"),
        procedure_type="open",
        lots=(Lot(lot_id="LOT-0001", title="Zaaksysteem", cpv=("72200000",)),),
        awards=(
            Award(lot="LOT-0001", winners=(winner,), value=Decimal("1250000"), currency="EUR", tenders_received=4),
        ),
        bids=(
            Bid(lot="LOT-0001", tenderers=(winner,), won=True, rank=1, value=Decimal("1250000"), currency="EUR"),
            Bid(lot="LOT-0001", tenderers=(loser,), won=False, rank=2, value=Decimal("1310000"), currency="EUR"),
        ),
        source="tenderned",
        source_url="https://www.tenderned.nl/papi/tenderned-rs-tns/v2/publicaties/443725/public-xml",
        same_as=("eforms:7c1d9a4e-2f4b-4c8e-9b1a-3e5f6a7b8c9d", "ted:143526-2024"),
    )


def parse_stub(data: bytes, *, where: str) -> Notice:
    return xml_notice()


# --- list_pages ----------------------------------------------------------------------------------


def test_pages_follow_total_pages_and_come_out_oldest_first(respx_mock, client):
    route = respx_mock.get(f"{BASE}/publicaties").mock(
        side_effect=[
            httpx.Response(200, json=fixture("publicaties_page_0.json")),
            httpx.Response(200, json=fixture("publicaties_page_1.json")),
        ]
    )
    pages = list(tenderned.list_pages(client, SETTINGS, since=SINCE, until=UNTIL))

    assert [[row["publicatieId"] for row in p] for p in pages] == [["441200", "443610"], ["443725"]]
    params = [call.request.url.params for call in route.calls]
    assert [p["page"] for p in params] == ["0", "1"]
    assert {(p["size"], p["publicatieDatumVanaf"], p["publicatieDatumTot"]) for p in params} == {
        ("2", "2024-02-01", "2024-03-31")
    }
    assert [p.get_list("publicatieType") for p in params] == [["AGO"], ["AGO"]]


def test_each_publication_type_is_its_own_parameter_and_until_is_optional(respx_mock, client):
    route = respx_mock.get(f"{BASE}/publicaties").respond(200, json={**fixture("publicaties_page_1.json"), "number": 0})
    settings = SETTINGS.model_copy(update={"publication_types": ["AGO", "WNO"]})
    list(tenderned.list_pages(client, settings, since=SINCE))
    url = route.calls.last.request.url
    assert url.params.get_list("publicatieType") == ["AGO", "WNO"]
    assert "publicatieDatumTot" not in url.params
    assert str(url).startswith(f"{BASE}/publicaties?page=0&size=2&publicatieDatumVanaf=2024-02-01&publicatieType=AGO")


def test_rows_of_types_we_did_not_ask_for_are_dropped(respx_mock, client, caplog):
    body = fixture("publicaties_page_1.json")
    other = {
        **body["content"][0],
        "publicatieId": "440001",
        "typePublicatie": {"code": "AAO", "omschrijving": "Aankondiging opdracht"},
    }
    respx_mock.get(f"{BASE}/publicaties").respond(200, json={**body, "content": [*body["content"], other]})
    [rows] = tenderned.list_pages(client, SETTINGS, since=SINCE)
    assert [row["publicatieId"] for row in rows] == ["441200"]
    assert "type filter was not applied" in caplog.text


def test_a_row_seen_on_two_pages_is_handed_on_once(respx_mock, client):
    first = fixture("publicaties_page_0.json")
    second = {
        **fixture("publicaties_page_1.json"),
        "content": [first["content"][1], *fixture("publicaties_page_1.json")["content"]],
    }
    respx_mock.get(f"{BASE}/publicaties").mock(
        side_effect=[httpx.Response(200, json=first), httpx.Response(200, json=second)]
    )
    ids = [row["publicatieId"] for p in tenderned.list_pages(client, SETTINGS, since=SINCE) for row in p]
    assert sorted(ids) == ["441200", "443610", "443725"]


# --- credentials ---------------------------------------------------------------------------------


def test_basic_auth_is_sent_but_never_logged(respx_mock, caplog, waits):
    settings = SETTINGS.model_copy(update={"username": "inkoop-analist", "password": SecretStr("Zomer2024!geheim")})
    route = respx_mock.get(f"{BASE}/publicaties/443725/public-xml").mock(
        side_effect=[httpx.Response(503), httpx.Response(200, content=b"<xml/>")]
    )
    caplog.set_level(logging.DEBUG)
    with tenderned.make_client(settings, HTTP, sleep=waits.append) as http:
        tenderned.fetch_public_xml(http, "443725", settings)

    token = base64.b64encode(b"inkoop-analist:Zomer2024!geheim").decode()
    assert route.calls.last.request.headers["Authorization"] == f"Basic {token}"
    assert "supplyradar.http" in caplog.text  # the retry was logged...
    assert "Zomer2024!geheim" not in caplog.text and token not in caplog.text  # ...without the secret
    assert "Zomer2024!geheim" not in repr(settings)


def test_no_account_means_no_authorization_header(respx_mock, client):
    route = respx_mock.get(f"{BASE}/publicaties/443725").respond(200, json=fixture("detail_443725.json"))
    tenderned.fetch_detail(client, "443725", SETTINGS)
    assert "Authorization" not in route.calls.last.request.headers


# --- detail and notice -----------------------------------------------------------------------------


def test_cpv_codes_lose_their_check_digit_and_the_main_one_comes_first():
    assert tenderned.cpv_codes(fixture("detail_443725.json")) == ("72200000", "72000000")
    assert tenderned.cpv_codes({"cpvCodes": [{"code": "7220"}, {"code": None}, "72000000-5"]}) == ()
    assert tenderned.cpv_codes({}) == ()


def test_to_notice_from_json_and_xml():
    summary = fixture("publicaties_page_0.json")["content"][0]
    notice = tenderned.to_notice(summary, fixture("detail_443725.json"), xml_notice())

    xml = xml_notice()
    assert notice.notice_id == "443725"
    assert (notice.format, notice.source, notice.notice_type, notice.subtype, notice.kind) == (
        "tenderned",
        "tenderned",
        "AGO",
        None,
        "award",
    )
    assert notice.published == date(2024, 3, 4)
    assert notice.buyer == xml.buyer  # the XML knows the buyer's identifiers
    assert (notice.cpv_main, notice.cpv) == ("72200000", ("72200000", "72000000"))
    assert notice.title == "Beheer en doorontwikkeling zaaksysteem"
    assert notice.procedure_type == "open"
    assert (notice.lots, notice.awards) == (xml.lots, xml.awards)
    assert notice.bids == xml.bids  # who bid and lost: on TenderNed alone for a national notice
    assert notice.source_url == "https://www.tenderned.nl/aankondigingen/overzicht/443725"
    assert notice.same_as == ("tenderned:443725", "eforms:7c1d9a4e-2f4b-4c8e-9b1a-3e5f6a7b8c9d", "ted:143526-2024")


def test_to_notice_from_json_alone():
    summary = fixture("publicaties_page_0.json")["content"][1]
    notice = tenderned.to_notice(summary, fixture("detail_443610.json"), None)
    assert notice.buyer == Party(name="Waterschap Rivierenland", country="NL")
    assert (notice.cpv_main, notice.cpv) == ("79620000", ("79620000",))
    assert notice.procedure_type == "NOP"
    assert (notice.lots, notice.awards, notice.bids, notice.same_as) == ((), (), (), ("tenderned:443610",))


def test_to_notice_takes_the_buyer_from_opdrachtgever_when_the_dienst_is_not_named():
    summary = {**fixture("publicaties_page_1.json")["content"][0]}
    del summary["aanbestedendeDienstNaam"]
    assert tenderned.to_notice(summary, {}, None).buyer == Party(name="Provincie Noord-Brabant", country="NL")


@pytest.mark.parametrize(
    ("code", "kind"),
    [("VOP", "planning"), ("AAO", "competition"), ("AGO", "award"), ("WNO", "modification"), ("RVO", "other")],
)
def test_kind_follows_the_publication_type(code, kind):
    summary = {
        **fixture("publicaties_page_1.json")["content"][0],
        "typePublicatie": {"code": code, "omschrijving": "..."},
    }
    assert tenderned.to_notice(summary, None, None).kind == kind


@pytest.mark.parametrize("missing", ["publicatieId", "publicatieDatum", "opdrachtgeverNaam"])
def test_to_notice_refuses_a_row_without_id_date_or_buyer(missing):
    summary = {**fixture("publicaties_page_1.json")["content"][0], "aanbestedendeDienstNaam": None, missing: None}
    with pytest.raises(RecordError):
        tenderned.to_notice(summary, {}, None)


# --- collect_page --------------------------------------------------------------------------------


def test_a_missing_public_xml_keeps_the_notice_without_awards_and_warns(respx_mock, client):
    summary = fixture("publicaties_page_0.json")["content"][0]
    respx_mock.get(f"{BASE}/publicaties/443725").respond(200, json=fixture("detail_443725.json"))
    respx_mock.get(f"{BASE}/publicaties/443725/public-xml").respond(404, text="Not Found")

    [notice], [warning] = tenderned.collect_page(client, SETTINGS, [summary], parse=parse_stub)

    assert notice.notice_id == "443725" and notice.awards == () and notice.lots == ()
    assert notice.buyer == Party(name="Gemeente Utrecht", country="NL")
    assert isinstance(warning, tenderned.NoticeWithoutXml) and isinstance(warning, RecordWarning)
    assert warning.record == "443725" and "404" in str(warning)


def test_a_page_with_xml_a_gone_detail_and_a_row_without_id(respx_mock, client):
    rows = fixture("publicaties_page_0.json")["content"]
    broken = {key: value for key, value in rows[1].items() if key != "publicatieId"}
    respx_mock.get(f"{BASE}/publicaties/443725/public-xml").respond(200, content=b"<xml/>")
    respx_mock.get(f"{BASE}/publicaties/441200/public-xml").respond(404, text="Not Found")
    respx_mock.get(f"{BASE}/publicaties/441200").respond(410)

    notices, errors = tenderned.collect_page(
        client, SETTINGS, [rows[0], broken, {**rows[0], "publicatieId": "441200"}], parse=parse_stub
    )

    assert [n.notice_id for n in notices] == ["443725"] and notices[0].awards == xml_notice().awards
    no_id, gone = errors  # (the XML's warning is not added for a notice that is not there at all)
    assert (
        no_id.field == "publicatieId" and json.loads(no_id.payload)["aanbestedingNaam"] == rows[1]["aanbestedingNaam"]
    )
    assert gone.record == "441200" and not isinstance(gone, RecordWarning)


def test_the_detail_is_asked_only_where_the_xml_and_the_row_leave_something_out(respx_mock, client):
    """The XML and the list row make the whole notice: one request per notice, not two (TenderNed's rate limit is
    over all requests). Without CPV codes in the XML, or a row without its type, the detail is asked as well."""
    row = fixture("publicaties_page_0.json")["content"][0]
    xml = respx_mock.get(f"{BASE}/publicaties/443725/public-xml").respond(200, content=b"<xml/>")
    detail = respx_mock.get(f"{BASE}/publicaties/443725").respond(200, json=fixture("detail_443725.json"))

    [notice], warnings = tenderned.collect_page(client, SETTINGS, [row], parse=parse_stub)
    assert (xml.call_count, detail.call_count, warnings) == (1, 0, [])
    assert (notice.cpv_main, notice.cpv, notice.kind) == ("72200000", ("72200000", "72000000", "72250000"), "award")

    def without_cpv(data: bytes, *, where: str) -> Notice:
        return dataclasses.replace(xml_notice(), cpv_main=None, cpv=())

    [notice], _ = tenderned.collect_page(client, SETTINGS, [row], parse=without_cpv)
    assert (xml.call_count, detail.call_count) == (2, 1) and notice.cpv == ("72200000", "72000000")
    untyped = {key: value for key, value in row.items() if key != "typePublicatie"}
    [notice], _ = tenderned.collect_page(client, SETTINGS, [untyped], parse=parse_stub)
    assert (xml.call_count, detail.call_count) == (3, 2) and notice.kind == "award"  # the detail's aankondigingCode


def test_an_unavailable_xml_leaves_the_record_pending_not_the_page_stopped(respx_mock, client):
    row = fixture("publicaties_page_0.json")["content"][0]
    respx_mock.get(f"{BASE}/publicaties/443725/public-xml").respond(503)
    notices, [error] = tenderned.collect_page(client, SETTINGS, [row], parse=parse_stub)
    assert notices == [] and isinstance(error, PendingRecord) and error.record == "443725"


def test_an_unparseable_public_xml_is_a_warning_too(respx_mock, client):
    summary = fixture("publicaties_page_0.json")["content"][0]
    respx_mock.get(f"{BASE}/publicaties/443725").respond(200, json=fixture("detail_443725.json"))
    respx_mock.get(f"{BASE}/publicaties/443725/public-xml").respond(200, content=b"<html>login</html>")

    def refuse(data: bytes, *, where: str) -> Notice:
        raise RecordError(where, "root element html is not a notice")

    [notice], [warning] = tenderned.collect_page(client, SETTINGS, [summary], parse=refuse)
    assert notice.cpv == ("72200000", "72000000") and isinstance(warning, RecordWarning)


def test_an_unavailable_source_stops_the_page(respx_mock, client):
    """One record's 5xx after retries leaves that record pending; three in a row mean the source is down."""
    respx_mock.get(f"{BASE}/publicaties/443725/public-xml").respond(404, text="Not Found")
    respx_mock.get(f"{BASE}/publicaties/443725").respond(502)
    row = fixture("publicaties_page_0.json")["content"][0]
    notices, [error] = tenderned.collect_page(client, SETTINGS, [row], parse=parse_stub)
    assert notices == [] and isinstance(error, PendingRecord) and error.record == "443725"
    with pytest.raises(SourceUnavailableError):
        tenderned.collect_page(client, SETTINGS, [row] * 3, parse=parse_stub)


def test_a_run_refused_the_xml_for_want_of_an_account_stops_asking_for_it(respx_mock, client, caplog):
    """Three answers 401 in a row are about the account, not a notice: the rest of the run asks for no XML (one
    request per notice instead of two against TenderNed's limit), each notice still comes from the detail with the
    warning that says why, and one log line names the settings. A 404 between refusals is an answer: it counts anew."""
    rows = [{**fixture("publicaties_page_0.json")["content"][0], "publicatieId": str(n)} for n in range(1, 8)]
    detail = fixture("detail_443725.json")
    for n in range(1, 8):
        respx_mock.get(f"{BASE}/publicaties/{n}").respond(200, json={**detail, "publicatieId": n})
    refused = respx_mock.get(url__regex=rf"{BASE}/publicaties/[12456]/public-xml").respond(401, text="Unauthorized")
    missing = respx_mock.get(f"{BASE}/publicaties/3/public-xml").respond(404, text="Not Found")
    access = tenderned.XmlAccess()

    with caplog.at_level(logging.WARNING, logger="supplyradar.connectors.tenderned"):
        first, first_warnings = tenderned.collect_page(client, SETTINGS, rows[:4], parse=parse_stub, access=access)
        rest, rest_warnings = tenderned.collect_page(client, SETTINGS, rows[4:], parse=parse_stub, access=access)

    # 1, 2 refused; 3 missing (the count starts anew); 4, 5, 6 refused, three in a row: 7's XML is not asked
    assert [n.notice_id for n in first + rest] == [str(n) for n in range(1, 8)]
    assert all(n.awards == () for n in first + rest) and len(first_warnings + rest_warnings) == 7
    assert (refused.call_count, missing.call_count) == (5, 1)
    assert not access.asking and "not asked" in str(rest_warnings[-1]) and "401" in str(rest_warnings[-1])
    [line] = [r.getMessage() for r in caplog.records if "not asked again" in r.getMessage()]
    assert "set tenderned.username and tenderned.password" in line
