"""Serves the demo bundle the way TED and TenderNed serve the real data: an httpx transport.

The demo is production with a different transport: connectors get ``httpx.Client(transport=
demo_transport())`` and run unchanged. So this answers like the real services, with their status codes,
content types, paging and quirks, for the subset of requests the connectors make:

- ``POST https://api.ted.europa.eu/v3/notices/search``: the expert query (``AND``-joined clauses on
  notice-type, buyer-country, classification-cpv with trailing ``*`` wildcards, publication-number and
  publication-date, then an optional ``SORT BY publication-date ASC|DESC``), ``fields``, ``limit`` (at
  most 250), ``PAGE_NUMBER`` paging (at most 15,000 results) and ``ITERATION`` paging with an opaque
  ``iterationNextToken`` that is ``null`` on the last page. A query it cannot understand is a 400.
- ``GET https://ted.europa.eu/en/notice/{publication-number}/xml``: the notice's XML.
- ``GET https://www.tenderned.nl/papi/tenderned-rs-tns/v2/publicaties`` (pages from 0, newest first),
  ``/publicaties/{id}`` and ``/publicaties/{id}/public-xml``.

Everything else is a 404. Notices published after ``today`` do not exist yet. The bundle is read once,
lazily, and indexed by date, so a request costs a bisect and a filter, never a parse.
"""

from __future__ import annotations

import base64
import bisect
import gc
import hashlib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx

from demo.build import (
    TED_INDEX,
    TED_NOTICES,
    TENDERNED_DETAILS,
    TENDERNED_PUBLICATIONS,
    TENDERNED_XML,
)
from demo.build import bundle_dir as default_bundle_dir
from demo.replay_documents import Details, Documents
from demo.replay_meter import answered

DEFAULT_TODAY = date(2026, 11, 1)
TED_SEARCH_HOST, TED_SEARCH_PATH = "api.ted.europa.eu", "/v3/notices/search"
TED_SITE_HOST = "ted.europa.eu"
TENDERNED_HOST, TENDERNED_PATH = "www.tenderned.nl", "/papi/tenderned-rs-tns/v2/publicaties"
TED_MAX_LIMIT = 250
TED_MAX_PAGE_RESULTS = 15_000
TENDERNED_MAX_SIZE = 100

_TED_XML_PATH = re.compile(r"^/en/notice/(\d+)-(\d{4})/xml$")
_TENDERNED_ITEM_PATH = re.compile(r"^/(\d+)(/public-xml)?$")
_XML = "application/xml"


# --- the bundle, read once ----------------------------------------------------------------------------


@dataclass
class Bundle:
    """The bundle's documents, indexed for the requests the transport answers."""

    ted_items: list[dict[str, Any]]  # by publication date, then number
    ted_dates: list[date]
    ted_xml: Mapping[str, bytes]  # publication number -> XML
    ted_published: dict[str, date]  # publication number -> publication date
    tenderned_items: list[dict[str, Any]]  # by publicatieDatum, then id
    tenderned_dates: list[date]
    #: publicatieId -> detail, read from its file when a detail is first asked for (``Details``)
    tenderned_details: Mapping[str, dict[str, Any]]
    #: publicatieId -> publicatieDatum: the publications there are (the details' ids, the XML zip's names)
    tenderned_published: dict[str, date]
    tenderned_xml: Mapping[str, bytes]
    _searches: dict[tuple[Any, ...], list[dict[str, Any]]] = field(default_factory=dict)

    def search(self, query: TedQuery, today: date) -> list[dict[str, Any]]:
        """The notices matching a query, in its order; remembered, so paging through them is cheap."""
        key = (query, today)
        if key not in self._searches:
            if len(self._searches) > 256:
                self._searches.clear()
            first = bisect.bisect_left(self.ted_dates, query.date_from) if query.date_from else 0
            last = bisect.bisect_right(self.ted_dates, min(query.date_to or today, today))
            found = [item for item in self.ted_items[first:last] if query.matches(item)]
            self._searches[key] = found[::-1] if query.descending else found
        return self._searches[key]

    def publications(self, first_day: date | None, last_day: date | None, types: frozenset[str],
                     today: date) -> list[dict[str, Any]]:
        """TenderNed's listing for these filters, newest first; remembered like ``search``, so a page costs
        a slice, not a pass over every publication (which made paging through a large world quadratic)."""
        key = ("tenderned", first_day, last_day, types, today)
        if key not in self._searches:
            if len(self._searches) > 256:
                self._searches.clear()
            first = bisect.bisect_left(self.tenderned_dates, first_day) if first_day else 0
            last = bisect.bisect_right(self.tenderned_dates, min(last_day or today, today))
            self._searches[key] = [item for item in self.tenderned_items[first:last]
                                   if not types or item["typePublicatie"]["code"] in types][::-1]
        return self._searches[key]


def _published(item: dict[str, Any]) -> date:
    return date.fromisoformat(item["publication-date"][:10])


@lru_cache(maxsize=4)
def load_bundle(folder: Path) -> Bundle:
    """The bundle read and indexed, kept out of the cyclic garbage collector's way.

    The bundle lives as long as the process (``lru_cache``) and holds a few containers per notice (the
    search index's items, TenderNed's details). Reading them set off full collections that walked
    everything and freed nothing, and every full collection afterwards, while the connectors page
    through the bundle, walked them again. So garbage is collected once before the read (reading makes
    no reference cycles), the collector is paused while reading, and what is alive then is frozen
    (``gc.freeze``, as ``web.server.prepare`` does after start-up): nothing dead is kept, objects freed
    by their reference count still go at once, and later full collections walk only what collecting
    makes. Garbage collection in ``collect-tenders`` at scale 8: 0.75 -> 0.33 CPU-s.
    """
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        bundle = _read_bundle(folder)
    finally:
        if enabled:
            gc.enable()
    gc.freeze()
    return bundle


def forget_bundles() -> None:
    """Let go of every bundle read so far (a later request reads its bundle again).

    The demo calls it once the tenders are collected: nothing after collection asks the TED or TenderNed
    replay anything, and a scaled world's bundle is large (about 190 MiB of the process at scale 54), memory the
    later stages' own peaks (training, scoring) came on top of. Objects frozen by ``load_bundle`` are freed
    by their reference counts like any other."""
    load_bundle.cache_clear()


def _read_bundle(folder: Path) -> Bundle:
    ted_items = json.loads((folder / TED_INDEX).read_text(encoding="utf-8"))
    ted_keys = [(_published(item), _serial(item["publication-number"])) for item in ted_items]  # each read once
    ted_order = sorted(range(len(ted_items)), key=ted_keys.__getitem__)  # (stable, as ``list.sort``)
    tenderned = json.loads((folder / TENDERNED_PUBLICATIONS).read_text(encoding="utf-8"))
    tenderned.sort(key=lambda item: (item["publicatieDatum"], item["publicatieId"]))
    tenderned_dates = [date.fromisoformat(item["publicatieDatum"]) for item in tenderned]
    return Bundle(
        ted_items=[ted_items[index] for index in ted_order],
        ted_dates=[ted_keys[index][0] for index in ted_order],
        ted_xml=Documents(folder / TED_NOTICES),
        ted_published={item["publication-number"]: day for item, (day, _) in zip(ted_items, ted_keys, strict=True)},
        tenderned_items=tenderned,
        tenderned_dates=tenderned_dates,
        tenderned_details=Details(folder / TENDERNED_DETAILS),
        tenderned_published={item["publicatieId"]: day for item, day in zip(tenderned, tenderned_dates, strict=True)},
        tenderned_xml=Documents(folder / TENDERNED_XML),
    )


def _serial(number: str) -> tuple[int, int]:
    serial, year = number.split("-")
    return int(year), int(serial)


# --- the TED expert query, the subset the connectors send --------------------------------------------


class QueryError(ValueError):
    """The query is outside what the demo understands (or what TED accepts): answered with a 400."""


@dataclass(frozen=True)
class TedQuery:
    notice_types: frozenset[str] | None = None
    countries: frozenset[str] | None = None
    cpv: tuple[str, ...] | None = None  # exact codes, or prefixes ending in "*"
    numbers: frozenset[str] | None = None
    date_from: date | None = None
    date_to: date | None = None
    descending: bool = False

    def matches(self, item: dict[str, Any]) -> bool:
        if self.notice_types is not None and item["notice-type"] not in self.notice_types:
            return False
        if self.countries is not None and not self.countries.intersection(item["buyer-country"]):
            return False
        if self.numbers is not None and item["publication-number"] not in self.numbers:
            return False
        return self.cpv is None or any(_cpv_match(p, code) for p in self.cpv for code in item["classification-cpv"])


def _cpv_match(pattern: str, code: str) -> bool:
    return code.startswith(pattern[:-1]) if pattern.endswith("*") else code == pattern


_TOKEN = re.compile(r"\s*(?:(?P<paren>[()])|(?P<op>>=|<=|!=|=|>|<)|(?P<word>\"[^\"]*\"|[^\s()=<>!]+))")
_FIELDS = {"notice-type", "buyer-country", "classification-cpv", "publication-date", "publication-number"}


def _tokens(text: str) -> list[str]:
    tokens, position = [], 0
    text = text.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match or match.end() == position:
            raise QueryError(f"line 1:{position} token recognition error at: '{text[position:position + 10]}'")
        tokens.append(match.group(match.lastgroup).strip('"'))  # type: ignore[arg-type]
        position = match.end()
    return tokens


def _day(value: str) -> date:
    if not re.fullmatch(r"\d{8}", value):
        raise QueryError(f"Invalid date value '{value}': expected YYYYMMDD")
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError as error:
        raise QueryError(f"Invalid date value '{value}'") from error


def parse_query(text: str) -> TedQuery:
    """Parse the expert query: clauses joined by AND, then an optional SORT BY publication-date."""
    tokens = _tokens(text)
    values: dict[str, Any] = {}
    position = 0

    def take() -> str:
        nonlocal position
        if position >= len(tokens):
            raise QueryError("mismatched input '<EOF>'")
        position += 1
        return tokens[position - 1]

    while position < len(tokens):
        token = take()
        if token.upper() == "SORT":
            if take().upper() != "BY" or take() != "publication-date":
                raise QueryError("only SORT BY publication-date is supported")
            direction = take().upper() if position < len(tokens) else "ASC"
            if direction not in {"ASC", "DESC"} or position < len(tokens):
                raise QueryError(f"unexpected input after SORT BY: '{direction}'")
            values["descending"] = direction == "DESC"
            break
        grouped = token == "("
        name = take() if grouped else token
        if name not in _FIELDS:
            raise QueryError(f"Unsupported field '{name}'")
        _clause(name, take, values)
        if grouped and take() != ")":
            raise QueryError("missing ')'")
        if position < len(tokens) and tokens[position].upper() != "SORT":
            joiner = take().upper()
            if joiner != "AND":
                raise QueryError(f"unsupported operator '{joiner}': the demo joins clauses with AND only")
    return TedQuery(**values)


def _clause(name: str, take: Callable[[], str], values: dict[str, Any]) -> None:
    operator = take()
    if name == "publication-date":
        if operator not in {">=", "<=", ">", "<", "="}:
            raise QueryError(f"operator '{operator}' is not valid for publication-date")
        day = _day(take())
        if operator in {">=", ">", "="}:
            values["date_from"] = day if operator != ">" else date.fromordinal(day.toordinal() + 1)
        if operator in {"<=", "<", "="}:
            values["date_to"] = day if operator != "<" else date.fromordinal(day.toordinal() - 1)
        return
    if operator.upper() == "IN":
        if take() != "(":
            raise QueryError("expected '(' after IN")
        items: list[str] = []
        while (item := take()) != ")":
            items += [part for part in item.split(",") if part]
    elif operator == "=":
        items = [take()]
    else:
        raise QueryError(f"operator '{operator}' is not valid for {name}")
    if not items:
        raise QueryError(f"empty value list for {name}")
    key = {"notice-type": "notice_types", "buyer-country": "countries", "classification-cpv": "cpv",
           "publication-number": "numbers"}[name]
    values[key] = tuple(items) if name == "classification-cpv" else frozenset(items)


# --- answers -------------------------------------------------------------------------------------------


def _body(status: int, data: bytes, content_type: str) -> httpx.Response:
    """An answer as a network transport hands it to the client: the body as a stream, with its type and length.

    ``httpx.Response(content=...)`` would also read the body into the response on the spot (and work out its
    headers again), which the client then reads once more from the stream: three quarters of the cost of
    an answer, paid 20,000 times a collection at scale 8.
    """
    return httpx.Response(status, headers=[("Content-Type", content_type), ("Content-Length", str(len(data)))],
                          stream=httpx.ByteStream(data))


def _json(status: int, body: Any) -> httpx.Response:
    """JSON as ``httpx.Response(json=...)`` writes it (compact, UTF-8), through ``_body``."""
    data = json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")
    return _body(status, data, "application/json")


def _ted_error(status: int, message: str, today: date) -> httpx.Response:
    return _json(status, {"timestamp": f"{today.isoformat()}T00:00:00.000+00:00", "status": status,
                          "error": "Bad Request" if status == 400 else "Not Found", "message": message,
                          "path": TED_SEARCH_PATH})


def _not_found(request: httpx.Request) -> httpx.Response:
    return httpx.Response(404, text=f"Not Found: {request.url.path}", headers={"Content-Type": "text/plain"})


def _token(query_text: str, offset: int) -> str:
    digest = hashlib.sha256(query_text.encode()).hexdigest()[:16]
    return base64.urlsafe_b64encode(json.dumps({"o": offset, "q": digest}).encode()).decode()


def _offset_from(token: str, query_text: str) -> int:
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode()))
        offset = int(data["o"])
    except (ValueError, KeyError, TypeError) as error:
        raise QueryError("Invalid iterationNextToken") from error
    if data.get("q") != hashlib.sha256(query_text.encode()).hexdigest()[:16] or offset < 0:
        raise QueryError("iterationNextToken does not belong to this query")
    return offset


def _ted_search(request: httpx.Request, bundle: Callable[[], Bundle], today: date) -> httpx.Response:
    try:
        body = json.loads(request.content or b"null")
    except ValueError:
        return _ted_error(400, "Request body is not valid JSON", today)
    try:
        if not isinstance(body, dict) or not isinstance(body.get("query"), str) or not body["query"].strip():
            raise QueryError("query must not be empty")
        fields = body.get("fields")
        if not isinstance(fields, list) or not fields or not all(
                isinstance(f, str) and re.fullmatch(r"[a-z0-9-]+", f) for f in fields):
            raise QueryError("fields must be a non-empty list of field names")
        limit = body.get("limit", 10)
        if not isinstance(limit, int) or not 1 <= limit <= TED_MAX_LIMIT:
            raise QueryError(f"limit must be between 1 and {TED_MAX_LIMIT}")
        if body.get("scope", "ALL") not in {"ALL", "ACTIVE", "LATEST"}:
            raise QueryError("scope must be one of ALL, ACTIVE, LATEST")
        query = parse_query(body["query"])
        mode = body.get("paginationMode", "PAGE_NUMBER")
        if mode == "ITERATION":
            token = body.get("iterationNextToken")
            offset = _offset_from(token, body["query"]) if token else 0
        elif mode == "PAGE_NUMBER":
            page = body.get("page", 1)
            if not isinstance(page, int) or page < 1:
                raise QueryError("page must be a positive number")
            if page * limit > TED_MAX_PAGE_RESULTS:
                raise QueryError(f"PAGE_NUMBER pagination reaches at most {TED_MAX_PAGE_RESULTS} results; "
                                 "use ITERATION")
            offset = (page - 1) * limit
        else:
            raise QueryError("paginationMode must be PAGE_NUMBER or ITERATION")
    except QueryError as error:
        return _ted_error(400, str(error), today)
    found = bundle().search(query, today)
    page_items = found[offset:offset + limit]
    wanted = set(fields) | {"links"}
    more = mode == "ITERATION" and offset + limit < len(found)
    return _json(200, {
        "notices": [{k: v for k, v in item.items() if k in wanted} for item in page_items],
        "totalNoticeCount": len(found),
        "iterationNextToken": _token(body["query"], offset + limit) if more else None,
        "timedOut": False,
    })


def _ted_xml(match: re.Match[str], bundle: Bundle, today: date, request: httpx.Request) -> httpx.Response:
    number = f"{int(match.group(1))}-{match.group(2)}"  # "00123456-2024" is "123456-2024"
    if number not in bundle.ted_xml or bundle.ted_published[number] > today:
        return _not_found(request)
    return _body(200, bundle.ted_xml[number], _XML)


def _tenderned_error(status: int, message: str) -> httpx.Response:
    return _json(status, {"status": status, "message": message})


def _tenderned_day(params: dict[str, list[str]], name: str) -> date | None:
    if name not in params:
        return None
    try:
        return date.fromisoformat(params[name][-1])
    except ValueError as error:
        raise QueryError(f"{name}: invalid date '{params[name][-1]}', expected YYYY-MM-DD") from error


def _tenderned_list(request: httpx.Request, bundle: Bundle, today: date) -> httpx.Response:
    params = parse_qs(request.url.query.decode(), keep_blank_values=True)
    try:
        page = int(params.get("page", ["0"])[-1])
        size = int(params.get("size", ["10"])[-1])
        if page < 0 or not 1 <= size <= TENDERNED_MAX_SIZE:
            raise QueryError(f"page must be >= 0 and size between 1 and {TENDERNED_MAX_SIZE}")
        first_day = _tenderned_day(params, "publicatieDatumVanaf")
        last_day = _tenderned_day(params, "publicatieDatumTot")
    except (ValueError, QueryError) as error:
        return _tenderned_error(400, str(error))
    found = bundle.publications(first_day, last_day, frozenset(params.get("publicatieType", [])), today)
    total_pages = -(-len(found) // size)
    return _json(200, {
        "content": found[page * size:(page + 1) * size],
        "totalElements": len(found),
        "totalPages": total_pages,
        "number": page,
        "size": size,
        "first": page == 0,
        "last": page >= total_pages - 1,
    })


def _tenderned_item(match: re.Match[str], bundle: Bundle, today: date) -> httpx.Response:
    publication_id, xml = match.group(1), match.group(2)
    published = bundle.tenderned_published.get(publication_id)  # (the details' ids: they are read for a detail only)
    detail = None if xml else bundle.tenderned_details.get(publication_id)
    if published is None or published > today or (detail is None and not xml):
        return _tenderned_error(404, f"Publicatie {publication_id} niet gevonden")
    if xml:
        return _body(200, bundle.tenderned_xml[publication_id], _XML)
    return _json(200, detail)


def demo_transport(bundle_dir: Path | None = None, *, today: date = DEFAULT_TODAY) -> httpx.MockTransport:
    """An httpx transport that answers TED and TenderNed requests from the demo bundle as of ``today``
    (by default the committed bundle, or the one ``$SUPPLYRADAR_DEMO_BUNDLE`` names)."""
    folder = (bundle_dir or default_bundle_dir()).resolve()

    def bundle() -> Bundle:
        return load_bundle(folder)

    from demo.replay_hosts import extra_handlers

    others = extra_handlers(today)

    def route(request: httpx.Request) -> httpx.Response:
        host, path, method = request.url.host, request.url.path, request.method
        if host == TED_SEARCH_HOST and path == TED_SEARCH_PATH and method == "POST":
            return _ted_search(request, bundle, today)
        if host == TED_SITE_HOST and method == "GET" and (match := _TED_XML_PATH.match(path)):
            return _ted_xml(match, bundle(), today, request)
        if host == TENDERNED_HOST and method == "GET" and path.startswith(TENDERNED_PATH):
            rest = path[len(TENDERNED_PATH):]
            if rest in {"", "/"}:
                return _tenderned_list(request, bundle(), today)
            if match := _TENDERNED_ITEM_PATH.match(rest):
                return _tenderned_item(match, bundle(), today)
        for other in others:
            if (response := other(request)) is not None:
                return response
        return _not_found(request)

    def handle(request: httpx.Request) -> httpx.Response:
        return _as_served(answered(route, request))

    return httpx.MockTransport(handle)


def _as_served(response: httpx.Response) -> httpx.Response:
    """The answer with its status line's HTTP version and reason phrase, as a server's comes through httpx's own
    transport. (Without them httpx works the phrase out of its status-code enum for every response it logs,
    which every request does, logged or not: about a microsecond of a replayed request's 30-60.)"""
    response.extensions.setdefault("http_version", b"HTTP/1.1")
    response.extensions.setdefault("reason_phrase", _reason_phrase(response.status_code))
    return response


@lru_cache(maxsize=64)
def _reason_phrase(status: int) -> bytes:
    return httpx.codes.get_reason_phrase(status).encode("ascii")
