"""``HttpClient`` builds the requests httpx would build, from headers it prepared once per host and header set,
reads an answer as httpx decodes it (compressed or not, within its size cap) and an error body with the encoding
httpx would pick."""

from __future__ import annotations

import gzip
from collections.abc import Iterator

import httpx
import pytest

from config.settings import HttpSettings
from connectors.errors import ResponseTooLargeError, SourceRequestError
from connectors.http import ERROR_BODY_CHARS, HttpClient, _RequestBuilder, error_detail, text_encoding

SETTINGS = HttpSettings(max_attempts=1, connect_timeout=4, read_timeout=40)
SOAP = {"Content-Type": 'application/soap+xml; charset=utf-8; action="urn:x/op"'}

CASES = [  # method, URL, keywords, whether its headers are kept
    ("GET", "https://api.example.test/v1/a/{n}", {}, True),
    ("GET", "https://api.example.test:8443/v1/a/{n}?x=1", {"headers": {"Accept": "application/xml"}}, True),
    ("GET", "https://api.example.test/v1/a/{n}", {"params": None}, True),
    ("POST", "https://soap.example.test/ws/{n}", {"content": b"<e>{n}</e>", "headers": SOAP}, True),
    ("POST", "https://soap.example.test/ws/{n}", {"content": b""}, True),
    ("PUT", "https://soap.example.test/ws/{n}", {}, True),
    # built by httpx every time: query parameters, a str body, JSON, a header httpx derives itself
    ("GET", "https://api.example.test/v2/zoeken/{n}", {"params": {"naam": "x"}}, False),
    ("POST", "https://soap.example.test/ws/{n}", {"content": "<e>{n}</e>"}, False),
    ("POST", "https://soap.example.test/ws/{n}", {"json": {"n": "{n}"}}, False),
    ("POST", "https://soap.example.test/ws/{n}", {"content": b"<e/>", "headers": {"content-length": "4"}}, False),
]


def _filled(kwargs: dict, n: int) -> dict:
    """The case's keywords for its ``n``th request (a body's length changes with ``n``)."""
    content = kwargs.get("content")
    if isinstance(content, bytes | str):
        kwargs = {**kwargs, "content": content.replace("{n}" if isinstance(content, str) else b"{n}",
                                                       str(n) * n if isinstance(content, str) else b"7" * n)}
    return kwargs


@pytest.mark.parametrize(("method", "url", "kwargs", "kept"), CASES)
def test_every_request_is_the_one_httpx_builds(method, url, kwargs, kept):
    with HttpClient("test", SETTINGS, headers={"apikey": "k", "Accept": "application/hal+json"}) as client:
        builder = _RequestBuilder(client._client)
        for n in (1, 2, 3):  # the first builds the headers it keeps, the later ones copy them
            mine = builder.build(method, httpx.URL(url.format(n=n)), dict(_filled(kwargs, n)))
            theirs = client._client.build_request(method, httpx.URL(url.format(n=n)), **_filled(kwargs, n))
            assert (mine.method, mine.url, mine.headers.raw, mine.extensions) == (
                theirs.method, theirs.url, theirs.headers.raw, theirs.extensions)
            assert mine.content == theirs.content and b"".join(mine.stream) == b"".join(theirs.stream)
        assert bool(builder._prepared) is kept


def test_a_cookie_in_the_jar_goes_with_requests_whose_headers_were_kept():
    with HttpClient("test", SETTINGS) as client:
        builder = _RequestBuilder(client._client)
        url = httpx.URL("https://api.example.test/v1/a")
        assert "Cookie" not in builder.build("GET", url, {}).headers
        assert "Cookie" not in builder.build("GET", url, {}).headers  # kept now
        client._client.cookies.set("session", "abc", domain="api.example.test")
        request = builder.build("GET", url, {})
        assert request.headers["Cookie"] == "session=abc"
        assert request.headers.raw == client._client.build_request("GET", url).headers.raw


@pytest.mark.parametrize("content_type", [
    None, "text/plain", "text/plain; charset=iso-8859-1", 'text/html; charset="UTF-8"', "text/plain; charset=x-nope",
    "application/json",
])
def test_the_error_text_encoding_is_the_one_httpx_picks(content_type):
    headers = {} if content_type is None else {"Content-Type": content_type}
    response = httpx.Response(404, headers=headers, content="café".encode("latin-1"))
    assert text_encoding(content_type, "utf-8") == response.encoding


def test_an_error_body_is_read_in_the_charset_it_names():
    body = "Niet gevonden: café".encode("latin-1")

    def handler(request: httpx.Request) -> httpx.Response:
        charset = "; charset=iso-8859-1" if request.url.path == "/latin" else ""
        return httpx.Response(404, content=body, headers={"Content-Type": "text/plain" + charset})

    with HttpClient("test", SETTINGS, transport=httpx.MockTransport(handler)) as client:
        for path, detail in (("/latin", "Niet gevonden: café"), ("/plain", "Niet gevonden: caf\ufffd")):
            with pytest.raises(SourceRequestError) as raised:
                client.request("GET", f"https://api.example.test{path}")
            assert raised.value.detail == detail and raised.value.url == f"https://api.example.test{path}"


@pytest.mark.parametrize("content_type", [
    None, "text/plain", "text/plain; charset=iso-8859-1", 'text/html; charset="UTF-8"', "text/plain; charset=x-nope",
    "application/json", "text/plain; charset=utf-16",
])
@pytest.mark.parametrize("body", [b"", "Niet  gevonden:\n caf\u00e9 ".encode(), b"bad \xff\xfe utf-8 \xe2\x82",
                                  "\u00e9".encode("utf-16") * 200, b"x" * 500])
def test_an_error_detail_is_the_text_httpx_reads(content_type, body):
    headers = {} if content_type is None else {"Content-Type": content_type}
    response = httpx.Response(404, headers=headers, content=body)
    theirs = httpx.Response(404, headers=headers, content=body)
    theirs.encoding = text_encoding(content_type, theirs.default_encoding)  # what the client read with httpx
    try:
        expected = " ".join(theirs.text[:ERROR_BODY_CHARS].split())
    except UnicodeError:  # (httpx's UTF-16 decoder refuses a body without a byte order mark: so does the detail)
        with pytest.raises(UnicodeError):
            error_detail(response)
    else:
        assert error_detail(response) == expected


def test_a_status_the_caller_answers_is_returned_not_raised_and_a_retried_one_stays_retried():
    statuses = iter([503, 404, 400])

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(next(statuses), text="nothing")

    settings = HttpSettings(max_attempts=2, backoff_base=0)
    with HttpClient("test", settings, transport=httpx.MockTransport(handler), sleep=lambda _: None) as client:
        response = client.request("GET", "https://api.example.test/a", answers={404, 503})
        assert (response.status_code, response.text, client.sent) == (404, "nothing", 2)  # the 503 asked again
        with pytest.raises(SourceRequestError):
            client.request("GET", "https://api.example.test/a", answers={404})


class _Chunks(httpx.SyncByteStream):
    """A body that arrives in pieces, as from a socket (an empty piece among them)."""

    def __init__(self, *chunks: bytes) -> None:
        self.chunks = chunks

    def __iter__(self) -> Iterator[bytes]:
        yield from self.chunks


BODY = b'{"naam": "Caf\xc3\xa9 de Zwaan B.V."}' * 40


def _serve(request: httpx.Request) -> httpx.Response:
    if request.url.path == "/gzip":
        packed = gzip.compress(BODY)
        return httpx.Response(200, headers={"Content-Encoding": "gzip"}, stream=_Chunks(packed[:50], b"", packed[50:]))
    return httpx.Response(200, stream=_Chunks(BODY[:100], b"", BODY[100:]))


@pytest.mark.parametrize("path", ["/gzip", "/plain"])
def test_an_answer_is_read_whole_and_decoded(path):
    with HttpClient("test", SETTINGS, transport=httpx.MockTransport(_serve)) as client:
        response = client.request("GET", f"https://api.example.test{path}")
    assert response.content == BODY and list(response.iter_bytes()) == [BODY]


@pytest.mark.parametrize("path", ["/gzip", "/plain"])
def test_an_answer_over_the_size_cap_is_refused_counting_its_decoded_bytes(path):
    settings = HttpSettings(max_attempts=1, max_response_bytes=len(BODY) - 1)
    with HttpClient("test", settings, transport=httpx.MockTransport(_serve)) as client:
        with pytest.raises(ResponseTooLargeError, match=r"api\.example\.test/(gzip|plain).*max_response_bytes"):
            client.request("GET", f"https://api.example.test{path}")
    with HttpClient("test", HttpSettings(max_response_bytes=len(BODY)), transport=httpx.MockTransport(_serve)) as client:
        assert client.request("GET", f"https://api.example.test{path}").content == BODY
