"""TED (Tenders Electronic Daily): EU-wide award notices through the Search API v3.

Domain
  Every notice published in the Supplement to the Official Journal of the EU, from any member
  state's buyers, above the EU thresholds. We search for result notices (who won what) and fetch
  each one's XML, because only the XML says which winner took which lot for how much.

API documentation
  https://docs.ted.europa.eu/api/latest/search.html
  ``POST https://api.ted.europa.eu/v3/notices/search``, no key. The XML of each notice lives at
  ``https://ted.europa.eu/en/notice/{publication-number}/xml``.

Caveats
  - ``paginationMode=PAGE_NUMBER`` stops at 15,000 results; we use ``ITERATION``, where each page
    hands over an ``iterationNextToken`` for the next. The last page has no token or no notices.
  - A field with no value is left out of a search result; a value may be a scalar, a list or a
    per-language map (``{"nld": ["..."]}``). Read them with ``_values``/``_first``, never by index.
  - The winner and value arrays of the search result do not line up: winners come from the XML.
  - ``timedOut: true`` means TED gave up on the query and the page may be incomplete: we stop
    (``SourceUnavailableError``) and the next run starts again from the watermark.
  - A search result without ``publication-number`` cannot be fetched: it becomes a
    ``RecordError`` in ``Page.errors`` and the rest of the page goes on.

Arguments
  ``TedSettings``: ``search_url``, ``xml_url``, ``countries`` (alpha-3), ``cpv_prefixes``,
  ``notice_types``, ``page_size`` (at most 250), ``min_interval_seconds`` (fair use).
  ``since`` / ``until``: publication dates, both inclusive. Incremental runs pass
  ``since`` = the stored watermark, the last fully processed publication date. Results are
  sorted by publication date ascending, so the watermark can advance page by page: once a page
  is stored, every date before its last one is complete. Fetching the watermark day again on the
  next run is harmless because storage is idempotent (notices are upserted by id).
"""

from __future__ import annotations

import itertools
import json
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from typing import Any

import httpx

from config.settings import HttpSettings, TedSettings
from connectors import notice_xml
from connectors.errors import RecordError, SourceUnavailableError, note_unexpected_fields
from connectors.http import HttpClient
from connectors.record_faults import UnavailableStreak, sort_failure, unavailable
from connectors.records import Notice, SearchHit

SOURCE = "ted"
log = logging.getLogger("supplyradar.connectors.ted")

#: The search-result fields we ask for: enough to decide what to fetch and to advance the watermark.
SEARCH_FIELDS = (
    "publication-number",
    "publication-date",
    "notice-type",
    "buyer-country",
    "buyer-name",
    "classification-cpv",
)
#: What a search result may carry; anything else is logged, so a format change shows the day it comes.
KNOWN_HIT_FIELDS = frozenset({*SEARCH_FIELDS, "links"})
FULL_CPV_DIGITS = 8

NoticeParser = Callable[..., Notice]


class Page(list[SearchHit]):
    """One page of search results: the hits, plus ``errors`` for the items that could not be read.

    A list, so callers that only want the hits use it as one; ``collect_page`` passes the errors
    on, so the caller quarantines them with the rest of the page's.
    """

    def __init__(self, hits: Iterable[SearchHit] = (), errors: Iterable[RecordError] = ()) -> None:
        super().__init__(hits)
        self.errors: tuple[RecordError, ...] = tuple(errors)
        #: How many notices the search announced (``totalNoticeCount``), when it said.
        self.announced: int | None = None


def make_client(
    settings: TedSettings,
    http: HttpSettings,
    *,
    transport: httpx.BaseTransport | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> HttpClient:
    """An ``HttpClient`` at TED's fair-use pace."""
    return HttpClient(
        SOURCE,
        http,
        transport=transport,
        min_interval_seconds=settings.min_interval_seconds,
        headers={"Accept": "application/json"},
        sleep=sleep,
    )


def build_query(
    *,
    notice_types: Sequence[str],
    countries: Sequence[str],
    cpv_prefixes: Sequence[str],
    since: date,
    until: date | None = None,
) -> str:
    """The expert query for one collection window, oldest first; an empty list leaves its clause out."""
    clauses = [
        f"{field} IN ({' '.join(values)})"
        for field, values in (
            ("notice-type", list(notice_types)),
            ("buyer-country", list(countries)),
            ("classification-cpv", [_cpv_term(prefix) for prefix in cpv_prefixes]),
        )
        if values
    ]
    clauses.append(f"publication-date>={since:%Y%m%d}")
    if until is not None:
        clauses.append(f"publication-date<={until:%Y%m%d}")
    return " AND ".join(clauses) + " SORT BY publication-date ASC"


def _cpv_term(prefix: str) -> str:
    """A configured CPV prefix as a query term: a wildcard unless it is a full code."""
    digits = prefix.strip().split("-")[0]  # "72000000-5": the check digit is not part of the code
    if not digits.isdigit():
        raise ValueError(f"CPV prefix {prefix!r} is not digits")
    return digits if len(digits) >= FULL_CPV_DIGITS else f"{digits}*"


def search_body(query: str, page_size: int, token: str | None = None) -> dict[str, Any]:
    """The JSON body of one search request; ``token`` is the previous page's ``iterationNextToken``."""
    body: dict[str, Any] = {
        "query": query,
        "fields": list(SEARCH_FIELDS),
        "limit": page_size,
        "paginationMode": "ITERATION",
        "scope": "ALL",
        "checkQuerySyntax": False,
        "onlyLatestVersions": False,
    }
    if token:
        body["iterationNextToken"] = token
    return body


def search_pages(
    client: HttpClient, settings: TedSettings, *, since: date, until: date | None = None
) -> Iterator[Page]:
    """Every page of hits published from ``since`` to ``until``, oldest first, one request per page."""
    query = build_query(
        notice_types=settings.notice_types,
        countries=settings.countries,
        cpv_prefixes=settings.cpv_prefixes,
        since=since,
        until=until,
    )
    token: str | None = None
    seen_tokens: set[str] = set()
    listed = 0
    announced: int | None = None
    for number in itertools.count(1):
        if number > settings.max_pages:
            raise SourceUnavailableError(
                SOURCE, settings.search_url,
                f"stopped after {settings.max_pages} pages (ted.max_pages); the next run goes on from the watermark",
            )
        payload = client.request_json("POST", settings.search_url, json=search_body(query, settings.page_size, token))
        if payload.get("timedOut"):
            raise SourceUnavailableError(SOURCE, settings.search_url, "TED reports the search timed out")
        if number == 1:
            announced = _count(payload.get("totalNoticeCount"))
            log.info("ted: %s notices match %s", announced, query)
        items = payload.get("notices") or []
        token = payload.get("iterationNextToken")
        if items:
            listed += len(items)
            page = read_page(items, settings, where=f"{settings.search_url} page {number}")
            page.announced = announced
            yield page
        if not items and announced is not None and listed < announced:
            raise SourceUnavailableError(
                SOURCE, settings.search_url,
                f"an empty page {number} after {listed} of the {announced} notices TED announced; stopped, not done",
            )
        if not items or not token:
            if announced is not None and listed < announced:
                log.warning("ted: the listing ended with %d of the %d notices announced for %s", listed, announced, query)
            return
        if token in seen_tokens:
            raise SourceUnavailableError(
                SOURCE, settings.search_url, f"TED handed out the same iterationNextToken again at page {number}; stopped (loop)"
            )
        seen_tokens.add(token)


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and value >= 0 else None


def read_page(items: Sequence[dict[str, Any]], settings: TedSettings, *, where: str) -> Page:
    """One page of search results as hits; an unreadable item becomes an error, not a lost page."""
    note_unexpected_fields(log, "ted", "search result", {name for item in items for name in item}, KNOWN_HIT_FIELDS,
                           where=where)
    hits: list[SearchHit] = []
    errors: list[RecordError] = []
    for position, item in enumerate(items, start=1):
        try:
            hits.append(read_hit(item, settings, where=f"{where} item {position}"))
        except RecordError as exc:
            errors.append(_with_evidence(exc, json.dumps(item).encode()))
    return Page(hits, errors)


def read_hit(item: dict[str, Any], settings: TedSettings, *, where: str) -> SearchHit:
    """One search result as a ``SearchHit``; it needs a publication number, nothing else."""
    number = _first(item.get("publication-number"))
    if not number:
        raise RecordError(where, "search result without a publication number", field="publication-number")
    links = item.get("links")
    xml_links = links.get("xml") if isinstance(links, dict) else None
    multilingual = xml_links.get("MUL") if isinstance(xml_links, dict) else None
    xml_url = multilingual or _first(xml_links) or settings.xml_url.format(publication_number=number)
    return SearchHit(notice_id=number, published=_date(item.get("publication-date")), xml_url=xml_url, raw=item)


def notice_xml_url(hit_or_publication_number: SearchHit | str, settings: TedSettings) -> str:
    """Where a notice's XML lives: the link the search gave, else the documented pattern."""
    if isinstance(hit_or_publication_number, SearchHit):
        if hit_or_publication_number.xml_url:
            return hit_or_publication_number.xml_url
        hit_or_publication_number = hit_or_publication_number.notice_id
    return settings.xml_url.format(publication_number=hit_or_publication_number)


def fetch_notice_xml(client: HttpClient, hit_or_publication_number: SearchHit | str, settings: TedSettings) -> bytes:
    """The notice XML as published. A 404/410 raises ``RecordError`` for that notice."""
    record = getattr(hit_or_publication_number, "notice_id", hit_or_publication_number)
    url = notice_xml_url(hit_or_publication_number, settings)
    return client.get_xml(url, record=record)


def collect_page(
    client: HttpClient,
    settings: TedSettings,
    hits: Sequence[SearchHit],
    *,
    parse: NoticeParser | None = None,
) -> tuple[list[Notice], list[RecordError]]:
    """Fetch and parse each hit's XML: the notices, and one error per record that failed.

    A missing or malformed notice is that record's error; ``SourceUnavailableError`` (and any
    ``SourceRequestError`` other than 404/410) propagates, because the rest would fail the same way.
    ``parse`` defaults to ``connectors.notice_xml.parse_notice``.
    """
    parse = parse or notice_xml.parse_notice
    notices: list[Notice] = []
    errors: list[RecordError] = list(getattr(hits, "errors", ()))
    streak = UnavailableStreak()
    for hit in hits:
        data: bytes | None = None
        try:
            data = fetch_notice_xml(client, hit, settings)
            notices.append(parse(data, where=notice_xml_url(hit, settings)))
        except RecordError as exc:
            errors.append(_with_evidence(sort_failure(exc, data, hit.notice_id), data))
        except SourceUnavailableError as exc:
            streak.failed(exc)
            errors.append(unavailable(exc, hit.notice_id))
            continue
        streak.succeeded()
    return notices, errors


def fetch_notices(
    client: HttpClient,
    settings: TedSettings,
    wanted: Sequence[tuple[str, str | None]],
    *,
    parse: NoticeParser | None = None,
) -> tuple[list[Notice], list[RecordError]]:
    """The notices of these (publication number, XML link or None) pairs: pending records, ``quarantine retry``."""
    hits = [SearchHit(notice_id=number, published=None, xml_url=link, raw={}) for number, link in wanted]
    return collect_page(client, settings, hits, parse=parse)


def _with_evidence(error: RecordError, payload: bytes | None, *, record: str | None = None) -> RecordError:
    """Name the record (the parser may not know it) and keep what failed, for the quarantine table."""
    if record is not None:
        error.record = record
    error.payload = payload  # type: ignore[attr-defined]  # read by the store's quarantine
    return error


def _values(value: Any) -> list[str]:
    """Every string in a search-result value, whether scalar, list or per-language map."""
    if value is None:
        return []
    if isinstance(value, dict):
        return [text for inner in value.values() for text in _values(inner)]
    if isinstance(value, list):
        return [text for inner in value for text in _values(inner)]
    return [str(value)]


def _first(value: Any) -> str | None:
    values = _values(value)
    return values[0] if values else None


def _date(value: Any) -> date | None:
    """TED's ``2024-01-03+01:00``: the date, without the zone it was published in."""
    text = _first(value)
    try:
        return date.fromisoformat(text[:10]) if text else None
    except ValueError:
        return None
