"""The demo replay of KvK and the CIR answers as of the transport's day, in the real formats,
and the connectors read it: the same company on two days, before and after its failure."""

from __future__ import annotations

from datetime import date

import pytest

from config.company_signals import InsolvencySettings, KvkSettings
from config.settings import HttpSettings
from connectors import insolvency, insolvency_envelope, kvk
from demo.build_companies import OUT_DIR, build_companies
from demo.replay_companies import load_register
from demo.story import build_story
from pipelines.transports import transport_for

KVK = KvkSettings(min_interval_seconds=0)
CIR = InsolvencySettings(username="demo", min_interval_seconds=0)
STORY = build_story()


def _dissolved() -> tuple[str, date]:
    register = load_register()
    for number, company in sorted(register.companies.items()):
        for day, kind, _detail in company["signals"]:
            if kind == "kvk.dissolved":
                return number, date.fromisoformat(day)
    raise AssertionError("the demo story has no dissolved company")


def test_kvk_profile_as_of_two_days() -> None:
    number, dissolved = _dissolved()
    before, after = date(2019, 6, 30), date(2026, 11, 1)
    profiles = {}
    for day in (before, after):
        with kvk.make_client(KVK, HttpSettings(), transport=transport_for("demo", today=day)) as client:
            profiles[day] = kvk.fetch_profile(client, KVK, number)
    assert profiles[before].ended_on is None and profiles[after].ended_on == dissolved
    assert profiles[before].name and profiles[before].sbi and profiles[before].address.country == "Nederland"
    with kvk.make_client(KVK, HttpSettings(), transport=transport_for("demo", today=after)) as client:
        assert isinstance(kvk.search(client, KVK, kvk_number=number), kvk.NotFound)  # inactive: not in Zoeken
        (hit,) = kvk.search(client, KVK, kvk_number=number, include_inactive=True)
        assert hit.active is False
        branch = kvk.fetch_branch(client, KVK, profiles[after].main_branch)
        assert branch.kvk_number == number


def test_a_company_founded_later_is_not_found_yet() -> None:
    register = load_register()
    number, company = next((k, c) for k, c in sorted(register.companies.items()) if c["registered_on"] > "2022-01-01")
    with kvk.make_client(KVK, HttpSettings(), transport=transport_for("demo", today=date(2020, 1, 1))) as client:
        early = kvk.fetch_profile(client, KVK, number)
    with kvk.make_client(KVK, HttpSettings(), transport=transport_for("demo", today=date(2026, 11, 1))) as client:
        late = kvk.fetch_profile(client, KVK, number)
    assert isinstance(early, kvk.NotFound) and early.code == "IPD0005"
    assert isinstance(late, kvk.CompanyProfile) and late.registered_on.isoformat() == company["registered_on"]


def test_insolvency_register_as_of_two_days() -> None:
    ours = STORY.our_failure_id
    with insolvency.make_client(CIR, HttpSettings(), transport=transport_for("demo", today=date(2026, 10, 10))) as client:
        numbers = insolvency.search_undertaking(client, CIR, kvk_number=ours)
        (case,) = [insolvency.get_case(client, CIR, n) for n in numbers]
    assert [p.event_kind for p in case.publications] == [insolvency.PROVISIONAL]
    with insolvency.make_client(CIR, HttpSettings(), transport=transport_for("demo", today=date(2026, 11, 1))) as client:
        changed = insolvency.modified_publications(client, CIR, date(2026, 10, 1))
        cases = {number: insolvency.get_case(client, CIR, kenmerk) for number, kenmerk in changed.items()}
    mine = {n: c for n, c in cases.items() if c.kvk_number == ours}
    kinds = sorted(p.event_kind or p.code for c in mine.values() for p in c.publications)
    assert kinds == ["3313", insolvency.BANKRUPTCY, insolvency.PROVISIONAL]
    bankruptcy = next(p for c in mine.values() for p in c.publications if p.event_kind == insolvency.BANKRUPTCY)
    assert bankruptcy.ruling_on == date(2026, 10, 20)


def test_soap_request_without_security_header_gets_a_fault() -> None:
    transport = transport_for("demo")
    import httpx

    envelope = (f'<soap:Envelope xmlns:soap="{insolvency.SOAP12}"><soap:Body><getCase xmlns="{insolvency.CIR}">'
                f'<publicationNumber>x</publicationNumber></getCase></soap:Body></soap:Envelope>')
    response = transport.handle_request(httpx.Request("POST", CIR.url, content=envelope.encode()))
    assert response.status_code == 500 and b"Fault" in response.read()


def test_the_bundle_rebuilds_to_the_same_bytes(tmp_path) -> None:
    build_companies(tmp_path)
    committed = OUT_DIR / "companies.json"
    assert (tmp_path / "companies.json").read_bytes() == committed.read_bytes()


@pytest.mark.parametrize("day", [date(2026, 3, 1), date(2026, 6, 1)])
def test_both_link_formats_appear_over_time(day: date) -> None:
    import httpx

    number = sorted(load_register().companies)[0]
    transport = transport_for("demo", today=day)
    response = transport.handle_request(httpx.Request("GET", f"https://api.kvk.nl/test/api/v1/basisprofielen/{number}",
                                                      headers={"apikey": "x"}))
    body = response.read().decode()
    assert ('"_links"' in body) is (day >= date(2026, 4, 1)) and ('"links"' in body) is (day < date(2026, 4, 1))


def test_an_unknown_number_is_answered_as_kvk_writes_it() -> None:
    """The replay writes the not-found body once and puts the number in: the same answer as any other error."""
    import httpx

    from demo.replay_companies import _fout

    transport = transport_for("demo", today=date(2026, 11, 1))
    answer = transport.handle_request(httpx.Request("GET", "https://api.kvk.nl/api/v1/basisprofielen/90000749",
                                                    headers={"apikey": "x"}))
    expected = _fout(404, "IPD0005", "Op basis van het KVK-nummer 90000749 kan het product niet worden geleverd.")
    assert (answer.status_code, answer.read(), answer.headers["Content-Type"]) == (404, expected.read(), "application/json")
    with kvk.make_client(KVK, HttpSettings(), transport=transport) as client:
        assert kvk.fetch_profile(client, KVK, "90000749").code == "IPD0005"


def test_search_undertaking_by_number_finds_each_case_by_its_number() -> None:
    register, day = load_register(), date(2026, 11, 1)
    with insolvency.make_client(CIR, HttpSettings(), transport=transport_for("demo", today=day)) as client:
        for case in register.cases[:5]:
            found = insolvency.search_undertaking(client, CIR, kvk_number=case["kvk"])
            expected = sorted((p["published_on"], p["kenmerk"]) for c in register.cases if c["kvk"] == case["kvk"]
                              for p in c["publications"] if p["published_on"] <= day.isoformat())
            assert found == [kenmerk for _day, kenmerk in expected] and found


def test_a_profile_rendered_once_per_state_is_the_one_rendered_that_day() -> None:
    """The kept Basisprofiel bodies answer as rendering the state of the day would (every signal day, both link
    formats, a day before registration)."""
    import json

    from demo.replay_companies import _profile_body, _state, basisprofiel

    register, base = load_register(), "https://api.kvk.nl/test/api"
    for number in sorted(register.companies)[::7]:
        days = {date(2019, 1, 1), date(2026, 3, 31), date(2026, 4, 1), date(2026, 11, 1)}
        days |= {signal.day for signal in register.lives[number].signals}
        for day in sorted(days) * 2:  # twice: the second time from the kept bodies
            state = _state(register, number, day)
            expected = None if state is None else json.dumps(basisprofiel(state, base, day), ensure_ascii=False).encode()
            assert _profile_body(register, number, base, day) == expected


def test_a_publication_list_rendered_once_answers_as_rendering_it_each_time() -> None:
    """The kept searchUndertaking answers (the request's MessageID put in) are the bytes rendering them whole makes;
    a MessageID that would need escaping is rendered whole."""
    from demo.replay_companies import _extraction, _listed, _publication_list, _soap, _soap_makers

    register, day = load_register(), date(2026, 11, 1)
    lists = [[], [kenmerk for _day, kenmerk in next(iter(register.published_for.values()))], ["a&b", "<c>"]]
    for numbers in lists:
        for relates in ("urn:uuid:0f1e2d3c-aaaa-4bbb-8ccc-123456789abc", None, "", "id & <more>", "urn:uuid:x"):
            for _ in range(2):  # the second time from the kept parts
                kept = _listed("searchUndertaking", numbers, day, relates)
                whole = _soap("searchUndertaking", _publication_list(_soap_makers()[3], numbers, _extraction(day)), day,
                              relates)
                assert kept.read() == whole.read() and kept.headers.raw == whole.headers.raw


_S, _WSSE, _WSA = "http://www.w3.org/2003/05/soap-envelope", insolvency_envelope.WSSE, insolvency_envelope.WSA
_TOKEN = f'<wsse:Security xmlns:wsse="{_WSSE}"><wsse:UsernameToken><wsse:Username>u</wsse:Username></wsse:UsernameToken></wsse:Security>'


@pytest.mark.parametrize("envelope", [
    insolvency_envelope.build_envelope("searchUndertaking", [("commercialRegisterID", "12345678")], CIR,
                                       message_id="urn:uuid:1").decode(),
    f'<s:Envelope xmlns:s="{_S}"><s:Body><op/></s:Body></s:Envelope>',  # no header
    f'<s:Envelope xmlns:s="{_S}"><s:Header><!-- c --><x/></s:Header><s:Body/><s:Body><op/></s:Body></s:Envelope>',
    f'<s:Envelope xmlns:s="{_S}" xmlns:a="{_WSA}"><s:Header><a:MessageID/><a:MessageID>2</a:MessageID></s:Header>'
    f'<s:Header>{_TOKEN}<a:MessageID>3</a:MessageID></s:Header></s:Envelope>',  # two headers, an empty MessageID
    f'<s:Envelope xmlns:s="{_S}"><s:Header><wsse:Security xmlns:wsse="{_WSSE}"/>{_TOKEN}</s:Header></s:Envelope>',
    f'<s:Envelope xmlns:s="{_S}"><Header>{_TOKEN}</Header><x:Body xmlns:x="urn:other"/></s:Envelope>',  # other names
    f'<s:Envelope xmlns:s="{_S}"><s:Header><wsse:UsernameToken xmlns:wsse="{_WSSE}"/></s:Header></s:Envelope>',
])
def test_a_requests_parts_are_those_the_paths_find(envelope: str) -> None:
    from lxml import etree

    from demo.replay_companies import request_parts

    root = etree.fromstring(envelope.encode())
    namespaces = {"s": _S, "wsse": _WSSE, "wsa": _WSA}
    body = root.find("s:Body", namespaces)
    assert request_parts(root) == (bool(root.findall("s:Header/wsse:Security/wsse:UsernameToken", namespaces)),
                                   body, root.findtext("s:Header/wsa:MessageID", namespaces=namespaces))
