"""The one HTTP client every connector goes through.

Timeouts, the pause between requests, retries with backoff and Retry-After, and the sorting of
failures into "try again later" (``SourceUnavailableError``) and "asking again cannot help"
(``SourceRequestError``) live here, once, so a connector module only says what to ask for.
httpx's own ``HTTPTransport(retries=...)`` retries connection errors only and respx bypasses it,
so the retries are ours, and tests drive them through an injected ``sleep`` and ``clock``.

Logs name the source, method, URL and wait, never credentials: userinfo is stripped from URLs and
query parameters that look like secrets (``apikey``, ``token``, ``password``...) are redacted. httpx
itself logs every request's full URL at INFO; importing this module puts the same redaction on
the ``httpx`` logger.
"""

from __future__ import annotations

import codecs
import logging
import random
import re
import time
from collections.abc import Callable, Collection, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from functools import lru_cache
from types import TracebackType
from typing import Any

import httpx

from config.settings import HttpSettings
from connectors.errors import (
    RecordError,
    ResponseTooLargeError,
    SourceRequestError,
    SourceUnavailableError,
)

log = logging.getLogger("supplyradar.http")

# --- Retry policy: the only place that decides what is worth asking again. ---
#: Statuses that say "not now": rate limited, or the server or a proxy in front of it failing.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
#: Failures before any status arrives; ``httpx.TimeoutException`` is one of them.
RETRY_EXCEPTIONS: tuple[type[Exception], ...] = (httpx.TransportError,)
#: Each backoff wait is lengthened by up to this fraction at random, so clients that failed
#: together do not all come back in the same second.
JITTER_FRACTION = 0.25
#: Statuses that mean one record is gone, not that the source or our query is wrong:
#: ``get_record`` turns them into a ``RecordError`` for that record and the batch goes on.
RECORD_GONE_STATUSES = frozenset({404, 410})
#: How much of an error body goes into ``SourceRequestError``: enough to read the API's complaint.
ERROR_BODY_CHARS = 300

#: Parsed URLs kept by ``parsed_url`` (~0.5 KiB each: 32 MiB at most). Enough for a watch list of ~50,000 KvK
#: numbers asked again every quarter of a history: a least-recently-used cache smaller than the URLs asked in a cycle
#: keeps none of them (at 16,384 a scale-24 demo hit 32,617 times and missed 250,363; at 65,536: 202,052 and 80,928).
URL_CACHE_SIZE = 65_536

#: Query parameters whose values never reach a log line.
SECRET_PARAM = re.compile(r"key|token|password|passwd|secret|signature|auth", re.IGNORECASE)
REDACTED = "REDACTED"


class HttpClient:
    """An ``httpx.Client`` for one source, with that source's pace and the shared retry policy.

    State lives here because the pause between requests needs to remember the last one.
    """

    def __init__(
        self,
        source: str,
        settings: HttpSettings,
        *,
        transport: httpx.BaseTransport | None = None,
        min_interval_seconds: float = 0,
        auth: httpx.Auth | tuple[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.source = source
        self.settings = settings
        self.min_interval_seconds = min_interval_seconds
        self._sleep = sleep
        self._clock = clock
        self._last_request_at: float | None = None
        #: Requests sent so far, retries included (what a source with a quota counts: ``pipelines.kvk_refresh_plan``).
        self.sent = 0
        self._client = httpx.Client(
            transport=transport,
            auth=auth,
            headers={"User-Agent": settings.user_agent, **(headers or {})},
            timeout=httpx.Timeout(settings.read_timeout, connect=settings.connect_timeout),
            follow_redirects=True,
        )
        # httpx reads every response into its cookie jar through urllib adapters (a third of the client's
        # time per request); the same jar, consulted only when the response sets a cookie.
        self._client._cookies = _CookiesWhenSet()
        self._requests = _RequestBuilder(self._client)

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def request(self, method: str, url: str | httpx.URL, *, answers: Collection[int] = (),
                **kwargs: Any) -> httpx.Response:
        """Send a request, retrying what may pass; return a 2xx/3xx response or raise.

        ``kwargs`` are those of ``httpx.Client.request`` (``params``, ``json``, ``headers``...).
        Raises ``SourceUnavailableError`` once ``max_attempts`` are spent on retriable failures,
        ``SourceRequestError`` at once on any other error status, but for a status in ``answers``: an error status
        the caller reads as an answer (KvK's "not found", with a body that says so), returned like a success, so
        that an answer the caller expects by the hundred thousand is not raised and caught (a status that is
        retried stays retried).
        """
        send_options = {name: kwargs.pop(name) for name in ("auth", "follow_redirects") if name in kwargs}
        url = parsed_url(url) if isinstance(url, str) else url
        attempts = max(1, self.settings.max_attempts)
        for attempt in range(1, attempts + 1):
            request = self._requests.build(method, url, kwargs)
            self._keep_pace()
            self.sent += 1
            retry_after: str | None = None
            try:
                response = self._send_bounded(request, send_options)
            except RETRY_EXCEPTIONS as exc:
                reason = type(exc).__name__
            else:
                if response.status_code not in RETRY_STATUSES:
                    return response if response.status_code in answers else _accept(self.source, request, response)
                reason = f"HTTP {response.status_code}"
                retry_after = response.headers.get("Retry-After")
            where = safe_url(request.url)  # for the log and the error only: a success never needs it
            if attempt == attempts:
                raise SourceUnavailableError(self.source, where, f"{reason} ({attempts} attempts)")
            wait = self._wait_before_retry(attempt, retry_after)
            log.warning(
                "%s: %s %s failed (%s), attempt %d of %d, retrying in %.1f s",
                self.source,
                method,
                where,
                reason,
                attempt,
                attempts,
                wait,
            )
            self._sleep(wait)
        raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover

    def _send_bounded(self, request: httpx.Request, send_options: dict[str, Any]) -> httpx.Response:
        """Send and read the body within ``request_timeout`` seconds and ``max_response_bytes``.

        httpx's read timeout bounds each read, not the request: a server that trickles a byte a
        second holds it for ever. Reading the stream ourselves adds a deadline over the whole body
        (``TotalTimeoutError``, retried like any timeout) and a size cap (``ResponseTooLargeError``,
        not retried: the same answer would come again).
        """
        deadline = time.monotonic() + self.settings.request_timeout
        response = self._client.send(request, stream=True, **send_options)
        try:
            chunks: list[bytes] = []
            size = 0
            # Without a Content-Encoding the decoded bytes are the raw ones: iter_bytes would pass each chunk through
            # an identity decoder and a chunker that keeps it whole (twice iter_raw's cost, per response). (A
            # response a transport made with its content in memory has been read already: iter_bytes gives that.)
            raw = not response.is_stream_consumed and "content-encoding" not in response.headers
            for chunk in response.iter_raw() if raw else response.iter_bytes():
                size += len(chunk)
                if size > self.settings.max_response_bytes:
                    raise ResponseTooLargeError(
                        self.source, safe_url(request.url), response.status_code,
                        f"answer larger than {self.settings.max_response_bytes} bytes (http.max_response_bytes); refused",
                    )
                if time.monotonic() > deadline:
                    raise TotalTimeoutError(
                        f"{safe_url(request.url)}: no complete answer within {self.settings.request_timeout} s (http.request_timeout)",
                        request=request,
                    )
                chunks.append(chunk)
        finally:
            response.close()
        # The decoded body, as ``Response.read()`` would have kept it (httpx has no public setter), and as the
        # response's stream, as httpx gives a response made with its content: the stream read above points back
        # at the response, a cycle only the cyclic collector could free (with the body) after the caller is done.
        response._content = b"".join(chunks)
        response.stream = httpx.ByteStream(response._content)
        return response

    def request_json(self, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
        """``request`` for APIs that answer a JSON object.

        Anything else with a 2xx (a maintenance page, a truncated body) cannot be paged on,
        so it ends the collection like an outage: ``SourceUnavailableError``.
        """
        response = self.request(method, url, **kwargs)
        try:
            payload = response.json()
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            raise SourceUnavailableError(self.source, safe_url(response.request.url), "the answer is not a JSON object")
        return payload

    def get_record(self, url: str, *, record: str, **kwargs: Any) -> httpx.Response:
        """GET one record's document, where "not there" is that record's problem, not the batch's.

        A 404 or 410 raises ``RecordError`` (the caller quarantines the record and goes on); every
        other failure is raised as by ``request``.
        """
        try:
            return self.request("GET", url, **kwargs)
        except SourceRequestError as exc:
            if exc.status not in RECORD_GONE_STATUSES:
                raise
            raise RecordError(exc.url, f"HTTP {exc.status}: not published (any more)", record=record) from exc

    def get_xml(self, url: str, *, record: str) -> bytes:
        """One record's XML document as published (bytes: the XML declares its own encoding)."""
        return self.get_record(url, record=record, headers={"Accept": "application/xml"}).content

    def _keep_pace(self) -> None:
        """Wait until ``min_interval_seconds`` have passed since the previous request (retries count)."""
        if self._last_request_at is not None:
            wait = self.min_interval_seconds - (self._clock() - self._last_request_at)
            if wait > 0:
                self._sleep(wait)
        self._last_request_at = self._clock()

    def _wait_before_retry(self, attempt: int, retry_after: str | None) -> float:
        """Retry-After when the server gives a usable one, else exponential backoff with jitter."""
        cap = self.settings.backoff_max
        told = retry_after_seconds(retry_after, datetime.now(UTC)) if retry_after else None
        if told is not None:
            return min(told, cap)
        backoff = min(self.settings.backoff_base * 2 ** (attempt - 1), cap)
        return min(backoff * (1 + random.uniform(0, JITTER_FRACTION)), cap)


class _RequestBuilder:
    """``httpx.Client.build_request`` for what connectors send: an absolute URL, maybe a dict of headers and a
    bytes body. httpx merges the client's headers with the request's and works out ``Host`` and ``Content-Length``
    anew for every request (a seventh of a KvK profile fetch's CPU), though they are the same for every request to
    one host with one set of headers: those headers are built by httpx for the first such request and kept, and a
    later one gets a copy (its own ``Content-Length``). Anything else (query parameters, JSON, forms, a cookie in
    the jar, a header httpx derives itself) is built by httpx as before.
    """

    #: Headers httpx works out from the URL, the body and the cookie jar: a request naming one is built by httpx.
    DERIVED = frozenset({"host", "content-length", "transfer-encoding", "cookie"})
    #: Prepared header sets kept (a handful per source: one per host, method and header set); past it, all dropped.
    LIMIT = 256

    def __init__(self, client: httpx.Client) -> None:
        self._client = client
        # (the client's own headers are set once, by HttpClient: they are not part of the key)
        self._prepared: dict[tuple[Any, ...], httpx.Headers] = {}

    def build(self, method: str, url: httpx.URL, kwargs: dict[str, Any]) -> httpx.Request:
        headers, content = kwargs.get("headers"), kwargs.get("content")
        if (kwargs.keys() - {"headers", "content", "params"} or kwargs.get("params") is not None
                or not (headers is None or type(headers) is dict) or not (content is None or type(content) is bytes)
                or not url.is_absolute_url or self._client.cookies):
            return self._client.build_request(method, url, **kwargs)
        key = (url.netloc, method, bool(content), tuple(headers.items()) if headers else ())
        prepared = self._prepared.get(key)
        if prepared is None:
            request = self._client.build_request(method, url, **kwargs)
            self._keep(key, request, headers, content)
            return request
        request = httpx.Request(method, url, headers=prepared, stream=httpx.ByteStream(content or b""),
                                extensions={"timeout": self._client.timeout.as_dict()})
        if content:  # where httpx puts it: after the client's and the request's headers
            request.headers["Content-Length"] = str(len(content))
        request.read()  # as httpx does for a body in memory: ``request.content`` is there
        return request

    def _keep(self, key: tuple[Any, ...], request: httpx.Request, headers: dict[str, Any] | None,
              content: bytes | None) -> None:
        """Keep the headers httpx built for ``request`` (without its body's length) for the next with ``key``."""
        if any(name.lower() in self.DERIVED for name in [*self._client.headers.keys(), *(headers or ())]):
            return
        if len(self._prepared) >= self.LIMIT:
            self._prepared.clear()
        prepared = httpx.Headers(request.headers)
        if content:
            del prepared["Content-Length"]
        self._prepared[key] = prepared


class _CookiesWhenSet(httpx.Cookies):
    """``httpx.Cookies`` that skips the jar for a response without ``Set-Cookie``/``Set-Cookie2`` (the jar
    would find nothing in it): the same cookies kept, without building urllib's request and message per response.
    """

    def extract_cookies(self, response: httpx.Response) -> None:
        headers = response.headers
        if "set-cookie" in headers or "set-cookie2" in headers:
            super().extract_cookies(response)


class TotalTimeoutError(httpx.TimeoutException):
    """The whole request took longer than ``request_timeout``: a timeout like any other, retried."""


class _RedactHttpxUrls(logging.Filter):
    """Rewrites the URLs in httpx's own "HTTP Request: GET <url>" lines through ``safe_url``."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(safe_url(arg) if isinstance(arg, httpx.URL) else arg for arg in record.args)
        return True


logging.getLogger("httpx").addFilter(_RedactHttpxUrls())


def _accept(source: str, request: httpx.Request, response: httpx.Response) -> httpx.Response:
    """Pass a success through; turn any other status into ``SourceRequestError`` (naming the URL asked for)."""
    if response.is_success or response.is_redirect:
        return response
    raise SourceRequestError(source, safe_url(request.url), response.status_code, error_detail(response))


def error_detail(response: httpx.Response) -> str:
    """The start of an error body on one line (``ERROR_BODY_CHARS``), as ``SourceRequestError`` carries it: the
    text httpx's ``Response.text`` reads with the encoding httpx would pick (``text_encoding``).

    A UTF-8 body is decoded in one call: httpx builds an incremental decoder per response for bytes that are all
    there, which for UTF-8 gives the same text (the same replacement characters) at several times the cost: most of
    reading a short error body, and a KvK history reads 150,000 "not found" bodies. Any other encoding is read by
    httpx (an incremental UTF-16 decoder, say, refuses a body without a byte order mark)."""
    if isinstance(response.default_encoding, str):  # (a callable one reads the body: left to httpx)
        encoding = text_encoding(response.headers.get("Content-Type"), response.default_encoding)
        if _is_utf8(encoding):
            return " ".join(response.content.decode(encoding, "replace")[:ERROR_BODY_CHARS].split())
        response.encoding = encoding
    return " ".join(response.text[:ERROR_BODY_CHARS].split())


@lru_cache(maxsize=64)
def _is_utf8(encoding: str) -> bool:
    return codecs.lookup(encoding).name == "utf-8"


def retry_after_seconds(value: str, now: datetime) -> float | None:
    """Seconds to wait according to a Retry-After header (delta-seconds or HTTP-date).

    ``None`` when the header cannot be read, so the caller falls back to its own backoff;
    a date in the past means "now" (0).
    """
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # RFC 9110 dates are GMT; obsolete forms parse without a zone
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


@lru_cache(maxsize=64)
def text_encoding(content_type: str | None, default_encoding: str) -> str:
    """The encoding httpx decodes a response's text with, for its Content-Type and the client's default encoding:
    httpx parses the header through ``email.message`` for every response (most of reading a short error body),
    though a source answers with one or two Content-Types. Worked out by httpx itself, once per pair."""
    headers = {} if content_type is None else {"Content-Type": content_type}
    return httpx.Response(200, headers=headers, default_encoding=default_encoding).encoding or default_encoding


@lru_cache(maxsize=URL_CACHE_SIZE)
def parsed_url(url: str) -> httpx.URL:
    """``httpx.URL(url)``, remembered: parsing a URL is a third of httpx's work per request, and a refresh asks the
    same URLs again (every watched company's profile, every quarter of a history); an ``httpx.URL`` never changes.

    A plain URL (``_PLAIN_URL``: what the connectors make of a record's id, such as TED's
    ``https://ted.europa.eu/en/notice/12345-2024/xml``) is one httpx keeps exactly as written, so its parts are
    handed over as they are (``_plain``); any other goes through httpx's parser."""
    plain = _plain(url) if _PLAIN_PARTS_AS_HTTPX else None
    return httpx.URL(url) if plain is None else plain


#: An absolute http(s) URL that httpx keeps exactly as written: a lower-case ASCII host name with a letter in it
#: (not an IPv4 address, which httpx checks), no user, port, query or fragment, and a path of unreserved characters
#: and slashes. ``httpx.URL`` checks every character of a URL in Python and quotes each part (about 20 us on a slow
#: machine); a collection asks each of its records' documents once (about 130,000 URLs in a national backfill).
_PLAIN_URL = re.compile(r"(https?)://([a-z0-9.-]*[a-z][a-z0-9.-]*)(/[A-Za-z0-9._~/-]*)?")


def _plain(url: str) -> httpx.URL | None:
    """The ``httpx.URL`` of a plain URL, made from its parts as written; ``None`` for any other URL.

    httpx keeps a URL as its parsed parts alone (``_uri_reference``, a ``ParseResult``), so a URL made from the
    parts httpx would have parsed is the one ``httpx.URL(url)`` makes (checked: ``_PLAIN_PARTS_AS_HTTPX``)."""
    plain = _PLAIN_URL.fullmatch(url)
    if plain is None or "/." in url:  # (a "." or ".." segment httpx would remove)
        return None
    made = httpx.URL.__new__(httpx.URL)
    made._uri_reference = _ParseResult(plain[1], "", plain[2], None, plain[3] or "", None, None)
    return made


def _plain_parts_as_httpx() -> bool:
    """Whether ``_plain`` makes what this httpx makes, checked once at import on a few plain URLs: an httpx that keeps
    a URL otherwise turns the shortcut off, and every URL is parsed by httpx as before."""
    samples = ("https://ted.europa.eu/en/notice/12345-2024/xml", "http://api.kvk.nl/api/v1/basisprofielen/69599084",
               "https://x-1.example/a_b~c.d/", "https://host9.example")
    try:
        return all(vars(_plain(url)) == vars(httpx.URL(url)) for url in samples)
    except Exception:  # noqa: BLE001 (any difference at all means: do not take the shortcut)
        return False


_ParseResult = type(httpx.URL("https://example.org/")._uri_reference)
_PLAIN_PARTS_AS_HTTPX = _plain_parts_as_httpx()


def safe_url(url: httpx.URL | str) -> str:
    """The URL as it may appear in logs and errors: no userinfo, secret-looking parameters redacted."""
    url = url if isinstance(url, httpx.URL) else httpx.URL(url)  # (httpx.URL(a URL) parses it again)
    if url.userinfo:
        url = url.copy_with(username=None, password=None)
    if url.query and any(SECRET_PARAM.search(name) for name in url.params):
        params = [(name, REDACTED if SECRET_PARAM.search(name) else value) for name, value in url.params.multi_items()]
        url = url.copy_with(params=params)
    return str(url)
