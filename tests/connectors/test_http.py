"""Round trip: ``HttpClient`` against a server that fails the ways real ones do (respx plays it).

Nothing waits: the client gets ``sleep=waits.append``, so each test reads the waits it would have slept.
"""

from __future__ import annotations

import base64
import gc
import logging
import weakref
from datetime import UTC, datetime

import httpx
import pytest

from config.settings import HttpSettings
from connectors.errors import RecordError, SourceRequestError, SourceUnavailableError
from connectors.http import JITTER_FRACTION, HttpClient, retry_after_seconds, safe_url

URL = "https://api.example.test/v1/things"
SETTINGS = HttpSettings(max_attempts=3, backoff_base=1.0, backoff_max=30.0, connect_timeout=4, read_timeout=40)


@pytest.fixture
def waits() -> list[float]:
    return []


@pytest.fixture
def client(waits: list[float]) -> HttpClient:
    with HttpClient("test", SETTINGS, sleep=waits.append) as http:
        yield http


def backoff_range(attempt: int) -> tuple[float, float]:
    base = SETTINGS.backoff_base * 2 ** (attempt - 1)
    return base, base * (1 + JITTER_FRACTION)


def test_sends_user_agent_and_explicit_timeouts(respx_mock, client):
    route = respx_mock.get(URL).respond(200, json={})
    client.request("GET", URL)
    request = route.calls.last.request
    assert request.headers["User-Agent"] == SETTINGS.user_agent
    assert request.extensions["timeout"] == {"connect": 4, "read": 40, "write": 40, "pool": 40}


def test_a_cookie_the_server_sets_goes_with_the_next_request_and_none_without_one(respx_mock, client):
    route = respx_mock.get(URL).mock(side_effect=[
        httpx.Response(200, json={}),
        httpx.Response(200, json={}, headers={"Set-Cookie": "session=abc; Path=/"}),
        httpx.Response(200, json={}),
    ])
    for _ in range(3):
        client.request("GET", URL)
    sent = [call.request.headers.get("Cookie") for call in route.calls]
    assert sent == [None, None, "session=abc"]
    assert client._client.cookies.get("session") == "abc"


def test_a_read_response_is_freed_as_soon_as_it_is_dropped(respx_mock, client):
    """No cycle left for the cyclic collector (httpx's bound stream pointed back at its response): with the
    collector off, the response and its body go when the last reference does; the body still reads the same."""
    respx_mock.get(URL).respond(200, content=b"<notice/>")
    enabled = gc.isenabled()
    gc.disable()
    try:
        response = client.request("GET", URL)
        assert response.content == b"<notice/>" and list(response.iter_bytes()) == [b"<notice/>"]
        gone = weakref.ref(response)
        del response
        assert gone() is None
    finally:
        if enabled:
            gc.enable()


def test_429_waits_what_retry_after_says(respx_mock, client, waits):
    route = respx_mock.get(URL).mock(
        side_effect=[httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(200, json={"ok": True})]
    )
    assert client.request("GET", URL).json() == {"ok": True}
    assert waits == [7]
    assert route.call_count == 2


def test_retry_after_is_capped_at_backoff_max(respx_mock, client, waits):
    respx_mock.get(URL).mock(side_effect=[httpx.Response(503, headers={"Retry-After": "3600"}), httpx.Response(200)])
    client.request("GET", URL)
    assert waits == [SETTINGS.backoff_max]


@pytest.mark.parametrize(
    "failure",
    [
        httpx.Response(500),
        httpx.Response(502),
        httpx.Response(504),
        httpx.ConnectTimeout("slow"),
        httpx.ReadTimeout("slow"),
        httpx.ConnectError("refused"),
    ],
    ids=["500", "502", "504", "connect-timeout", "read-timeout", "connect-error"],
)
def test_transient_failure_then_success_backs_off_once(respx_mock, client, waits, failure):
    route = respx_mock.get(URL).mock(side_effect=[failure, httpx.Response(200)])
    assert client.request("GET", URL).status_code == 200
    assert route.call_count == 2
    low, high = backoff_range(1)
    assert len(waits) == 1 and low <= waits[0] <= high


def test_exhausted_retries_raise_source_unavailable(respx_mock, client, waits):
    route = respx_mock.get(URL).respond(503)
    with pytest.raises(SourceUnavailableError, match="HTTP 503") as caught:
        client.request("GET", URL)
    assert route.call_count == SETTINGS.max_attempts
    assert caught.value.source == "test" and caught.value.url == URL
    assert len(waits) == SETTINGS.max_attempts - 1  # no wait after the last attempt
    for attempt, wait in enumerate(waits, start=1):
        low, high = backoff_range(attempt)
        assert low <= wait <= high


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
def test_permanent_4xx_is_a_request_error_without_retry(respx_mock, client, waits, status):
    route = respx_mock.get(URL).respond(status, text="query syntax error near 'AND AND'")
    with pytest.raises(SourceRequestError) as caught:
        client.request("GET", URL)
    assert caught.value.status == status
    assert "query syntax error" in caught.value.detail
    assert route.call_count == 1 and waits == []


def test_minimum_interval_between_requests(respx_mock, waits):
    respx_mock.get(URL).respond(200)
    times = iter([100.0, 100.5, 100.5, 103.0, 103.0])
    with HttpClient("test", SETTINGS, min_interval_seconds=2, sleep=waits.append, clock=lambda: next(times)) as http:
        http.request("GET", URL)  # first request: nothing to wait for
        http.request("GET", URL)  # 0.5 s later: wait the remaining 1.5 s
        http.request("GET", URL)  # 2.5 s later: no wait
    assert waits == [1.5]


def test_retry_log_names_source_method_url_and_wait_but_no_secret(respx_mock, waits, caplog):
    respx_mock.get(host="api.example.test").mock(side_effect=[httpx.Response(503), httpx.Response(200)])
    caplog.set_level(logging.DEBUG)
    with HttpClient("test", SETTINGS, sleep=waits.append, auth=("alice", "s3cret-pass")) as http:
        http.request(
            "GET", "https://bob:hunter2@api.example.test/v1/things", params={"apikey": "k-123", "q": "laptops"}
        )
    [record] = [r for r in caplog.records if r.name == "supplyradar.http"]
    assert record.levelno == logging.WARNING
    message = record.getMessage()
    assert message.startswith(
        "test: GET https://api.example.test/v1/things?apikey=REDACTED&q=laptops failed (HTTP 503)"
    )
    assert f"retrying in {waits[0]:.1f} s" in message
    for secret in ("s3cret-pass", "hunter2", "k-123", base64.b64encode(b"alice:s3cret-pass").decode()):
        assert secret not in caplog.text


def test_request_json_refuses_an_answer_that_is_not_a_json_object(respx_mock, client):
    respx_mock.get(URL).respond(200, text="<html>maintenance</html>")
    with pytest.raises(SourceUnavailableError, match="not a JSON object"):
        client.request_json("GET", URL)


def test_get_record_turns_a_missing_record_into_a_record_error(respx_mock, client):
    respx_mock.get(URL).respond(404, text="not found")
    with pytest.raises(RecordError) as caught:
        client.get_record(URL, record="123-2024")
    assert caught.value.record == "123-2024" and caught.value.where == URL


def test_get_record_lets_other_refusals_through(respx_mock, client):
    respx_mock.get(URL).respond(401)
    with pytest.raises(SourceRequestError):
        client.get_record(URL, record="123-2024")


NOW = datetime(2015, 10, 21, 7, 27, 50, tzinfo=UTC)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("7", 7.0),
        (" 120 ", 120.0),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 10.0),
        ("Wed, 21 Oct 2015 07:00:00 GMT", 0.0),  # already past: go now
        ("soon", None),  # unreadable: the caller backs off on its own
        ("-5", None),
    ],
)
def test_retry_after_forms(header, seconds):
    assert retry_after_seconds(header, NOW) == seconds


def test_unreadable_retry_after_falls_back_to_backoff(respx_mock, client, waits):
    respx_mock.get(URL).mock(side_effect=[httpx.Response(503, headers={"Retry-After": "soon"}), httpx.Response(200)])
    client.request("GET", URL)
    low, high = backoff_range(1)
    assert low <= waits[0] <= high


@pytest.mark.parametrize(
    ("url", "logged"),
    [
        ("https://u:p@x.test/a?q=1", "https://x.test/a?q=1"),
        (
            "https://x.test/a?api_key=1&token=2&password=3&page=4",
            "https://x.test/a?api_key=REDACTED&token=REDACTED&password=REDACTED&page=4",
        ),
        ("https://x.test/a?page=0&size=100", "https://x.test/a?page=0&size=100"),
    ],
)
def test_safe_url(url, logged):
    assert safe_url(url) == logged

