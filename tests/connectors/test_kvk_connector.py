"""Round trip: KvK API (recorded test-environment answers, both link formats) -> connectors.kvk records.

The recordings in ``fixtures/kvk`` hold request and response; respx serves the response at the
recorded URL, so the connector builds the same URLs the real API was asked.
"""

from __future__ import annotations

import json
import logging
from datetime import date
from pathlib import Path

import httpx
import pytest
import respx

from config.company_signals import KVK_TEST_API_KEY, KvkSettings
from config.settings import HttpSettings
from connectors import kvk
from connectors.errors import SourceRequestError, SourceUnavailableError

FIXTURES = Path(__file__).parents[1] / "fixtures" / "kvk"
FORMATS = [FIXTURES, FIXTURES / "recorded-2026-03"]
SETTINGS = KvkSettings(min_interval_seconds=0)


def _serve(router: respx.MockRouter, path: Path) -> respx.Route:
    recording = json.loads(path.read_text(encoding="utf-8"))
    response = recording["response"]
    return router.get(recording["request"]["url"]).respond(
        response["status"], headers=response["headers"], content=json.dumps(response["body"]).encode()
    )


def _client(waits: list[float] | None = None, **http: object) -> kvk.HttpClient:
    return kvk.make_client(SETTINGS, HttpSettings(**http), sleep=(waits if waits is not None else []).append)


@pytest.mark.parametrize("folder", FORMATS, ids=["hal-links", "links-array"])
def test_basisprofiel_parses_in_both_link_formats(folder: Path) -> None:
    with respx.mock(assert_all_called=True) as router, _client() as client:
        _serve(router, folder / "basisprofiel_69599084.json")
        profile = kvk.fetch_profile(client, SETTINGS, "69599084")
    assert isinstance(profile, kvk.CompanyProfile)
    assert profile.name == "Test EMZ Dagobert" and profile.legal_form == "Eenmanszaak"
    assert profile.trade_names[:2] == ("Test EMZ Dagobert", "Tweede handelsnaam 1MZ") and len(profile.trade_names) == 8
    assert profile.main_sbi == kvk.SbiActivity("10110", profile.sbi[0].description, True)
    assert [a.main for a in profile.sbi] == [True, False, False]
    assert profile.address == kvk.Address("Abebe Bikilalaan", "17 M", "1034WL", "Amsterdam", "Nederland", "bezoekadres")
    assert profile.employees == 1 and profile.non_mailing is True
    assert profile.registered_on == date(2017, 7, 10) and profile.started_on == date(2017, 1, 8)
    assert profile.ended_on is None and profile.main_branch == "000038509504"
    assert profile.source_url == "https://api.kvk.nl/test/api/v1/basisprofielen/69599084"
    assert profile.api_version == "1.5.0"


@pytest.mark.parametrize("folder", FORMATS, ids=["hal-links", "links-array"])
def test_owner_addresses_and_rsin_when_there_is_no_branch(folder: Path) -> None:
    with respx.mock() as router, _client() as client:
        _serve(router, folder / "basisprofiel_90000749_vve.json")
        profile = kvk.fetch_profile(client, SETTINGS, "90000749")
    assert profile.legal_form == "Vereniging van Eigenaars" and profile.rsin == "992340597"
    assert profile.address.town == "Dordrecht" and profile.address.house_number == "163"
    assert profile.employees is None and profile.statutory_name == "Global Conron"


def test_both_link_formats_give_the_same_snapshot() -> None:
    profiles = []
    for folder in FORMATS:
        with respx.mock() as router, _client() as client:
            _serve(router, folder / "basisprofiel_69599084.json")
            profiles.append(kvk.fetch_profile(client, SETTINGS, "69599084").to_json())
    assert profiles[0] == profiles[1]


@pytest.mark.parametrize("recording, code", [("basisprofiel_404.json", "IPD0005"), ("zoeken_404.json", "IPD5200")])
def test_404_with_an_ipd_code_is_a_typed_not_found(recording: str, code: str) -> None:
    with respx.mock() as router, _client() as client:
        _serve(router, FIXTURES / recording)
        if recording.startswith("zoeken"):
            result = kvk.search(client, SETTINGS, kvk_number="12345678")
        else:
            result = kvk.fetch_profile(client, SETTINGS, "12345678")
    assert isinstance(result, kvk.NotFound)
    assert result.code == code and result.query == "12345678" and code in result.message


def test_a_404_without_an_ipd_code_is_an_error_not_a_disappearance() -> None:
    with respx.mock() as router, _client() as client:
        router.get("https://api.kvk.nl/test/api/v1/basisprofielen/12345678").respond(404, text="<html>Not  Found</html>")
        with pytest.raises(SourceRequestError) as raised:
            kvk.fetch_profile(client, SETTINGS, "12345678")
    # the error the client raises for any 404 (the connector reads the 404 as an answer first)
    assert (raised.value.source, raised.value.status, raised.value.detail, raised.value.url) == (
        "kvk", 404, "<html>Not Found</html>", "https://api.kvk.nl/test/api/v1/basisprofielen/12345678")
    assert str(raised.value) == ("kvk: https://api.kvk.nl/test/api/v1/basisprofielen/12345678 answered 404: "
                                 "<html>Not Found</html>")


def test_a_not_found_names_the_url_and_the_message_the_error_would_have_carried() -> None:
    body = '{"fout":[{"code":"IPD0005","omschrijving":"Op basis van het KVK-nummer 12345678 kan het product niet worden geleverd."}]}'
    with respx.mock() as router, _client() as client:
        router.get("https://api.kvk.nl/test/api/v1/basisprofielen/12345678").respond(
            404, content=body.encode(), headers={"Content-Type": "application/json"})
        result = kvk.fetch_profile(client, SETTINGS, "12345678")
    assert isinstance(result, kvk.NotFound)
    assert (result.source_url, result.code, result.message) == (
        "https://api.kvk.nl/test/api/v1/basisprofielen/12345678", "IPD0005",
        "IPD0005: Op basis van het KVK-nummer 12345678 kan het product niet worden geleverd.")


def test_zoeken_hits_and_vestigingsprofiel() -> None:
    with respx.mock() as router, _client() as client:
        _serve(router, FIXTURES / "zoeken_69599084.json")
        _serve(router, FIXTURES / "vestigingsprofiel_000038509504.json")
        hits = kvk.search(client, SETTINGS, kvk_number="69599084")
        branch = kvk.fetch_branch(client, SETTINGS, "000038509504")
    assert [(h.kind, h.town) for h in hits] == [("nevenvestiging", "Maastricht"), ("hoofdvestiging", "Amsterdam")]
    assert branch.main is True and branch.employees == 1 and branch.address.postcode == "1034WL"


def test_invalid_branch_number_answer_is_a_request_error() -> None:
    with respx.mock() as router, _client() as client:
        _serve(router, FIXTURES / "vestigingsprofiel_400.json")
        with pytest.raises(SourceRequestError) as raised:
            kvk.fetch_branch(client, SETTINGS, "12345678")
    assert raised.value.status == 400 and "IPD0006" in raised.value.detail


def test_apikey_header_is_sent_and_never_logged(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    settings = KvkSettings(min_interval_seconds=0)
    with respx.mock() as router, kvk.make_client(settings, HttpSettings(), sleep=lambda _s: None) as client:
        route = _serve(router, FIXTURES / "basisprofiel_69599084.json")
        kvk.fetch_profile(client, settings, "69599084")
    request = route.calls.last.request
    assert request.headers["apikey"] == KVK_TEST_API_KEY
    assert request.headers["Accept"] == "application/hal+json"
    assert KVK_TEST_API_KEY not in caplog.text and KVK_TEST_API_KEY not in repr(settings)


def test_retries_429_honouring_retry_after() -> None:
    recording = json.loads((FIXTURES / "basisprofiel_69599084.json").read_text(encoding="utf-8"))
    waits: list[float] = []
    with respx.mock() as router, _client(waits) as client:
        route = router.get("https://api.kvk.nl/test/api/v1/basisprofielen/69599084").mock(side_effect=[
            httpx.Response(429, headers={"Retry-After": "7"}),
            httpx.Response(200, json=recording["response"]["body"]),
        ])
        profile = kvk.fetch_profile(client, SETTINGS, "69599084")
    assert route.call_count == 2 and waits == [7.0] and profile.kvk_number == "69599084"


def test_an_outage_is_raised_after_the_retries() -> None:
    with respx.mock() as router, _client(max_attempts=2) as client:
        router.get("https://api.kvk.nl/test/api/v1/basisprofielen/69599084").respond(503)
        with pytest.raises(SourceUnavailableError):
            kvk.fetch_profile(client, SETTINGS, "69599084")


def test_dates_flags_and_numbers() -> None:
    assert kvk.kvk_date("20170710", "x", "f") == date(2017, 7, 10)
    assert kvk.kvk_date("19990000", "x", "f") == date(1999, 1, 1)
    assert kvk.kvk_date(None, "x", "f") is None
    with pytest.raises(kvk.RecordError, match="field f"):
        kvk.kvk_date("2017-07-10", "x", "f")
    assert (kvk.flag("Ja"), kvk.flag("nee"), kvk.flag("?")) == (True, False, None)
    with pytest.raises(ValueError):
        kvk.check_kvk_number("1234")


def test_unexpected_fields_are_logged(caplog: pytest.LogCaptureFixture) -> None:
    body = json.loads((FIXTURES / "basisprofiel_69599084.json").read_text(encoding="utf-8"))["response"]["body"]
    body["nieuwVeld"] = "x"
    with caplog.at_level(logging.WARNING, logger="supplyradar.connectors.kvk"):
        kvk.parse_profile(body, where="test", fetched_at=kvk.datetime.now(kvk.UTC))
    assert "nieuwVeld" in caplog.text


def test_a_redirect_is_not_followed_so_the_apikey_never_goes_elsewhere() -> None:
    with respx.mock(assert_all_called=False) as router, _client() as client:
        router.get(f"{SETTINGS.base_url}/v1/basisprofielen/69599084").respond(302, headers={"Location": "https://evil.example/x"})
        evil = router.get("https://evil.example/x").respond(200, json={"kvkNummer": "69599084"})
        with pytest.raises(SourceRequestError, match="302"):
            kvk.fetch_profile(client, SETTINGS, "69599084")
    assert not evil.called
