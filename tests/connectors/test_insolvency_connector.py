"""Round trip: CIR SOAP 1.2 (recorded, anonymised responses) -> connectors.insolvency records.

Requests are checked as sent (envelope, WS-Addressing, UsernameToken, escaping); responses are the
recordings in ``fixtures/cir``.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import pytest
import respx
from lxml import etree
from pydantic import SecretStr

from config.company_signals import InsolvencySettings
from config.settings import HttpSettings
from connectors import insolvency, insolvency_envelope
from connectors.errors import SourceUnavailableError

FIXTURES = Path(__file__).parents[1] / "fixtures" / "cir"
PASSWORD = "s3cret&<pw>"
SETTINGS = InsolvencySettings(username="buyer", password=SecretStr(PASSWORD), min_interval_seconds=0)
NS = {"s": insolvency.SOAP12, "wsa": insolvency.WSA, "wsse": insolvency.WSSE, "wsu": insolvency.WSU, "c": insolvency.CIR}


def _client(waits: list[float] | None = None, **http: object) -> insolvency.HttpClient:
    return insolvency.make_client(SETTINGS, HttpSettings(**http), sleep=(waits if waits is not None else []).append)


def _answer(name: str, status: int = 200) -> httpx.Response:
    return httpx.Response(status, content=(FIXTURES / name).read_bytes(),
                          headers={"Content-Type": "application/soap+xml; charset=utf-8"})


def test_envelope_has_addressing_username_token_and_escaped_values() -> None:
    now = datetime(2026, 11, 1, 6, 0, tzinfo=UTC)
    xml = insolvency.build_envelope("searchUndertaking", [("name", "Jansen & Zonen <B.V.>")], SETTINGS,
                                    message_id="urn:uuid:1", now=now)
    root = etree.fromstring(xml)
    header = root.find("s:Header", NS)
    assert header.findtext("wsa:Action", namespaces=NS) == f"{insolvency.CIR}/searchUndertaking"
    assert header.findtext("wsa:To", namespaces=NS) == SETTINGS.url
    assert header.findtext("wsa:MessageID", namespaces=NS) == "urn:uuid:1"
    token = header.find("wsse:Security/wsse:UsernameToken", NS)
    assert token.findtext("wsse:Username", namespaces=NS) == "buyer"
    password = token.find("wsse:Password", NS)
    assert password.text == PASSWORD and password.get("Type") == insolvency.PASSWORD_TEXT
    assert header.findtext("wsse:Security/wsu:Timestamp/wsu:Expires", namespaces=NS) == "2026-11-01T06:05:00Z"
    assert root.findtext("s:Body/c:searchUndertaking/c:name", namespaces=NS) == "Jansen & Zonen <B.V.>"
    assert b"Jansen &amp; Zonen &lt;B.V.&gt;" in xml and b"s3cret&amp;&lt;pw&gt;" in xml


@pytest.mark.parametrize("value", ["", "plain 12345678", "Jansen & Zonen <B.V.>", "quotes \" and ' stay", "é € 😀",
                                   "tab\tand\nnewline", "carriage\rreturn", "del\x7f and nel\x85"])
def test_envelope_from_its_kept_parts_is_the_one_built_from_elements(value: str) -> None:
    """``build_envelope`` puts the values into the operation's serialised envelope: the same bytes as setting them
    on the elements (values lxml writes otherwise, a carriage return, go that way)."""
    settings = InsolvencySettings(username=value or "u", password=SecretStr(value), min_interval_seconds=0)
    now = datetime(2026, 11, 1, 6, 0, tzinfo=UTC)
    built = insolvency.build_envelope("searchUndertaking", [("name", value), ("commercialRegisterID", "12345678")],
                                      settings, message_id="urn:uuid:1", now=now)
    token_id = etree.fromstring(built).find("s:Header/wsse:Security/wsse:UsernameToken", NS).get(f"{{{insolvency.WSU}}}Id")
    texts = ["urn:uuid:1", settings.url, "2026-11-01T06:00:00Z", "2026-11-01T06:05:00Z", token_id, value or "u", value,
             "2026-11-01T06:00:00Z", value, "12345678"]
    assert built == insolvency_envelope._built_envelope("searchUndertaking", ("name", "commercialRegisterID"), texts)


def test_request_goes_out_as_soap12_and_the_password_stays_out_of_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with respx.mock() as router, _client() as client:
        route = router.post(SETTINGS.url).mock(return_value=_answer("SearchUndertaking.xml"))
        numbers = insolvency.search_undertaking(client, SETTINGS, kvk_number="99098123")
    request = route.calls.last.request
    assert request.headers["Content-Type"].startswith("application/soap+xml")
    assert f'action="{insolvency.CIR}/searchUndertaking"' in request.headers["Content-Type"]
    body = etree.fromstring(request.content)
    assert body.findtext("s:Body/c:searchUndertaking/c:commercialRegisterID", namespaces=NS) == "99098123"
    assert numbers == ["16.ams.21.100.F.1300.1.00"]
    assert PASSWORD not in caplog.text and PASSWORD not in repr(SETTINGS)


@pytest.mark.parametrize("recording, operation, expected", [
    ("SearchModifiedSince.xml", "searchModifiedSince",
     ["01.obr.19.100.F.1308.1.00", "05.gel.19.100.F.1300.1.00", "08.ove.11.100.F.1316.1.00", "08.ove.17.100.F.1316.1.00"]),
    ("SearchUndertaking.xml", "searchUndertaking", ["16.ams.21.100.F.1300.1.00"]),
    ("SearchByDate.xml", "searchByDate", ["16.mne.21.100.F.0010.1.21", "16.mne.22.100.F.0010.1.21", "16.mne.23.100.F.0010.1.21"]),
    ("SearchInsolvencyID.xml", "searchInsolvencyID", ["16.ams.21.000.F.1300.1.00"]),
    ("SearchNaturalPerson.xml", "searchNaturalPerson", ["16.ams.21.100.F.0010.1.00"]),
])
def test_publication_lists_of_every_recorded_search(recording: str, operation: str, expected: list[str]) -> None:
    with respx.mock() as router, _client() as client:
        router.post(SETTINGS.url).mock(return_value=_answer(recording))
        result = insolvency.call(client, SETTINGS, operation, [])
    assert insolvency.publication_list(result, operation) == expected


@pytest.mark.parametrize("recording", ["GetCase.xml", "GetCaseWithReports.xml"])
def test_get_case_parses_the_case_and_its_publications(recording: str) -> None:
    with respx.mock() as router, _client() as client:
        router.post(SETTINGS.url).mock(return_value=_answer(recording.replace("WithReports", "WithReports")))
        if recording == "GetCase.xml":
            case = insolvency.get_case(client, SETTINGS, "16.mne.23.100.F.1300.1.00")
        else:
            result = insolvency.call(client, SETTINGS, "getCaseWithReports", [])
            case = insolvency.parse_case(result, where="test", fetched_at=datetime.now(UTC))
    assert case.case_number == "F.16/21/150" and case.court == "Rechtbank Midden-Nederland"
    assert case.kvk_number == "99098123" and case.legal_person and case.name == "Company B.V."
    assert case.trade_names == ("Company B.V.",) and case.administrators == ("mr K. Oopt",)
    (publication,) = case.publications
    assert publication.published_on == date(2021, 5, 20) and publication.code == "1300"
    assert publication.event_kind == insolvency.BANKRUPTCY and publication.kind_name == "bankruptcy declared"
    assert publication.ruling_on == date(2021, 5, 18)


def test_removed_since_and_modified_cases() -> None:
    with respx.mock() as router, _client() as client:
        router.post(SETTINGS.url).mock(side_effect=[_answer("SearchRemovedSince.xml"), _answer("SearchModifiedSince.xml")])
        removed = insolvency.search_removed_since(client, SETTINGS, date(2021, 5, 1))
        cases = insolvency.modified_publications(client, SETTINGS, date(2021, 5, 1))
    assert removed[0] == insolvency.RemovedPublication("R.16/00/100", "16.mne.00.100.R.2348.1.00", "Eindevindbaarheid")
    assert cases == {"F.01/19/100": "01.obr.19.100.F.1308.1.00", "F.05/19/100": "05.gel.19.100.F.1300.1.00",
                     "F.08/11/100": "08.ove.11.100.F.1316.1.00", "F.08/17/100": "08.ove.17.100.F.1316.1.00"}


def test_soap_fault_is_a_specific_error_and_not_retried() -> None:
    fault = (b'<?xml version="1.0"?><soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body>'
             b'<soap:Fault><soap:Code><soap:Value>soap:Sender</soap:Value><soap:Subcode><soap:Value xmlns:wsse="'
             + insolvency.WSSE.encode() + b'">wsse:FailedAuthentication</soap:Value></soap:Subcode></soap:Code>'
             b'<soap:Reason><soap:Text xml:lang="en">The security token could not be authenticated.</soap:Text>'
             b'</soap:Reason></soap:Fault></soap:Body></soap:Envelope>')
    waits: list[float] = []
    with respx.mock() as router, _client(waits) as client:
        route = router.post(SETTINGS.url).respond(500, content=fault, headers={"Content-Type": "application/soap+xml"})
        with pytest.raises(insolvency.SoapFaultError) as raised:
            insolvency.search_modified_since(client, SETTINGS, date(2026, 1, 1))
    assert route.call_count == 1 and waits == []
    assert "FailedAuthentication" in raised.value.code and "could not be authenticated" in raised.value.reason
    assert PASSWORD not in str(raised.value)


def test_a_500_without_a_fault_is_an_outage() -> None:
    with respx.mock() as router, _client(max_attempts=2) as client:
        router.post(SETTINGS.url).respond(500, text="<html>Service Unavailable</html>")
        with pytest.raises(SourceUnavailableError):
            insolvency.search_modified_since(client, SETTINGS, date(2026, 1, 1))


def test_exceptie_no_results_is_empty_and_other_codes_raise() -> None:
    def answer(code: str) -> httpx.Response:
        xml = (f'<soap:Envelope xmlns:soap="{insolvency.SOAP12}"><soap:Body><searchUndertakingResponse xmlns="{insolvency.CIR}">'
               f'<searchUndertakingResult><publicatieLijst xmlns="{insolvency.INSPUB}"><exceptie errorcode="{code}">x</exceptie>'
               f'</publicatieLijst></searchUndertakingResult></searchUndertakingResponse></soap:Body></soap:Envelope>')
        return httpx.Response(200, content=xml.encode())

    with respx.mock() as router, _client() as client:
        router.post(SETTINGS.url).mock(side_effect=[answer("1"), answer("3")])
        assert insolvency.search_undertaking(client, SETTINGS, kvk_number="12345678") == []
        with pytest.raises(insolvency.CirServiceError, match="too many"):
            insolvency.search_undertaking(client, SETTINGS, kvk_number="12345678")


def test_case_numbers_and_kind_table() -> None:
    assert insolvency.case_number("16.mne.23.100.F.1300.1.00") == "F.16/23/100"
    assert insolvency.case_number("nonsense") is None
    kinds = {code: kind for code, (_name, kind) in insolvency.PUBLICATION_KINDS.items()}
    assert kinds["1300"] == insolvency.BANKRUPTCY and kinds["3300"] == insolvency.PROVISIONAL
    assert kinds["3302"] == insolvency.FINAL and kinds["1316"] == insolvency.ENDED and kinds["1309"] is None


def test_a_redirect_is_not_followed_so_the_password_never_goes_elsewhere() -> None:
    from connectors.errors import SourceRequestError

    with respx.mock(assert_all_called=False) as router, _client() as client:
        router.post(SETTINGS.url).respond(307, headers={"Location": "https://evil.example/cir.asmx"})
        evil = router.post("https://evil.example/cir.asmx").mock(return_value=_answer("SearchUndertaking.xml"))
        with pytest.raises(SourceRequestError, match="307"):
            insolvency.search_undertaking(client, SETTINGS, kvk_number="12345678")
    assert not evil.called


def test_a_listing_is_read_once_per_answer_but_for_the_echo_of_the_message_id() -> None:
    """``listing``: answers that differ only in the RelatesTo echoing each request's MessageID give the numbers read
    from the first; any other difference is another answer; the id anywhere else is not cut (nothing kept)."""
    without_echo = insolvency_envelope.without_echo
    head, tail = b'<?xml version="1.0"?><s:Envelope><s:Header><wsa:RelatesTo>', b"</wsa:RelatesTo></s:Header><s:Body/>"
    assert without_echo(head + b"urn:uuid:1" + tail, "urn:uuid:1") == (head, tail)
    assert without_echo(head + b"urn:uuid:1" + tail, "urn:uuid:2") is None
    assert without_echo(b"<s:Envelope><s:Body><x>urn:uuid:1</x></s:Body></s:Envelope>", "urn:uuid:1") is None
    assert without_echo(b"<a><RelatesTo>urn:uuid:1</RelatesTo><b>urn:uuid:1</b></a>", "urn:uuid:1") is None
    assert without_echo(b'<a><w:RelatesTo RelationshipType="r">urn:uuid:1</w:RelatesTo></a>', "urn:uuid:1") == (
        b'<a><w:RelatesTo RelationshipType="r">', b"</w:RelatesTo></a>")

    asked: list[bytes] = []

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(request.content)
        message_id = re.search(rb"<wsa:MessageID[^>]*>([^<]+)<", request.content).group(1).decode()
        kenmerk = "16.mne.23.100.F.1300.1.00" if len(asked) < 3 else "16.mne.23.101.F.1300.1.00"
        return httpx.Response(200, content=(
            f'<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="{insolvency.SOAP12}" xmlns:wsa="{insolvency.WSA}">'
            f"<soap:Header><wsa:RelatesTo>{message_id}</wsa:RelatesTo></soap:Header><soap:Body>"
            f'<searchUndertakingResponse xmlns="{insolvency.CIR}"><searchUndertakingResult>'
            f'<publicatieLijst xmlns="{insolvency.INSPUB}"><publicatieKenmerk>{kenmerk}</publicatieKenmerk>'
            "</publicatieLijst></searchUndertakingResult></searchUndertakingResponse></soap:Body></soap:Envelope>").encode())

    with insolvency.make_client(SETTINGS, HttpSettings(), transport=httpx.MockTransport(answer)) as client:
        found = [insolvency.search_undertaking(client, SETTINGS, kvk_number=f"1234567{n}") for n in range(4)]
    assert found == [["16.mne.23.100.F.1300.1.00"]] * 2 + [["16.mne.23.101.F.1300.1.00"]] * 2
    assert len(asked) == 4  # every question is asked
