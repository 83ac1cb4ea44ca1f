"""GDELT DOC 2.0: news articles worldwide that mention our suppliers, and the news tone per country.

Domain
  GDELT monitors news sites in 65 languages. The DOC 2.0 API searches the last three months of
  it: ``mode=artlist`` gives matching articles, ``mode=timelinetone`` the average tone per day of
  the articles matching a query (we ask one per followed country, for ``country_tone``).

API documentation
  https://blog.gdeltproject.org/gdelt-doc-2-0-api-debuts/
  ``GET https://api.gdeltproject.org/api/v2/doc/doc?query=...&mode=artlist&format=json&maxrecords=250&timespan=7d``

Caveats
  - No key, but at most one request every 5 seconds. A faster caller gets the text "Please limit
    requests to one every 5 seconds" (sometimes with HTTP 200, sometimes 429). The transport wrapper
    ``ThrottleCheck`` turns that text into ``GdeltThrottled``, a transport error, so the shared
    client backs off and retries it like any other "not now" (no change to the shared client).
  - Other complaints also come as text with HTTP 200 ("Your search contained a phrase that was too
    short", "Queries containing OR'd terms must be surrounded by ()"): ``SourceRequestError``.
  - An empty result is ``{}`` (no ``articles`` key).
  - Queries have a length limit: supplier names go in OR-groups of quoted phrases, batched under
    ``max_query_chars``; phrases shorter than 3 characters are refused by GDELT and left out.
  - ``seendate`` is when GDELT saw the article (``YYYYMMDDTHHMMSSZ``), not when it was published;
    ``language`` and ``sourcecountry`` are English names ("Dutch", "Netherlands").

Arguments
  ``GdeltSettings``: ``url``, ``min_interval_seconds``, ``timespan``, ``maxrecords`` (≤ 250),
  ``max_query_chars``, ``topic_queries``, ``tone_countries``, ``tone_timespan``.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

from config.news import GdeltSettings
from config.settings import HttpSettings
from connectors.errors import RecordError, SourceRequestError, note_unexpected_fields
from connectors.feeds import Article, clean_text
from connectors.http import HttpClient, safe_url
from models.entity_linking import core_name

SOURCE = "gdelt"
log = logging.getLogger("supplyradar.connectors.gdelt")

THROTTLE_TEXT = "please limit requests"
MIN_PHRASE_CHARS = 3
#: GDELT's language names, for the languages we classify.
LANGUAGE_CODES = {"dutch": "nl", "english": "en", "german": "de", "french": "fr"}
#: GDELT's source country names for the countries an outlet most often comes from.
COUNTRY_CODES = {
    "netherlands": "NL", "belgium": "BE", "germany": "DE", "france": "FR", "united kingdom": "GB",
    "ireland": "IE", "denmark": "DK", "united states": "US", "china": "CN", "switzerland": "CH", "norway": "NO",
}
KNOWN_ARTICLE_FIELDS = frozenset({"url", "url_mobile", "title", "seendate", "socialimage", "domain", "language", "sourcecountry"})


class GdeltThrottled(httpx.TransportError):
    """GDELT said "Please limit requests to one every 5 seconds": retried by the shared client."""


class ThrottleCheck(httpx.BaseTransport):
    """Wraps a transport: a throttle message in the body (whatever the status) raises ``GdeltThrottled``."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        content_type = response.headers.get("Content-Type", "")
        if "json" not in content_type:
            body = response.read()
            if THROTTLE_TEXT in body[:500].decode("utf-8", "replace").casefold():
                response.close()
                raise GdeltThrottled(f"GDELT throttled the request: {body[:120].decode('utf-8', 'replace').strip()}", request=request)
        return response

    def close(self) -> None:
        self.inner.close()


@dataclass(frozen=True, slots=True)
class ToneDay:
    country: str
    day: date
    tone: float


def make_client(
    settings: GdeltSettings,
    http: HttpSettings,
    *,
    transport: httpx.BaseTransport | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> HttpClient:
    """An ``HttpClient`` at GDELT's pace, whose transport recognises GDELT's throttle message."""
    return HttpClient(
        SOURCE,
        http,
        transport=ThrottleCheck(transport or httpx.HTTPTransport()),
        min_interval_seconds=settings.min_interval_seconds,
        headers={"Accept": "application/json"},
        sleep=sleep,
    )


def name_queries(names: Iterable[str], max_chars: int) -> list[str]:
    """Supplier names as GDELT queries: quoted phrases without legal forms, OR-ed in groups under ``max_chars``."""
    # a dict keeps the first-seen order and answers "seen?" at once (a list's ``in`` was quadratic in the suppliers)
    phrases: dict[str, None] = {}
    for name in names:
        core = core_name(name)[0]
        if len(core) >= MIN_PHRASE_CHARS:
            phrases.setdefault(f'"{core}"')
    queries: list[str] = []
    group: list[str] = []
    for phrase in phrases:
        candidate = group + [phrase]
        if group and len(_or_group(candidate)) > max_chars:
            queries.append(_or_group(group))
            candidate = [phrase]
        group = candidate
    if group:
        queries.append(_or_group(group))
    return queries


def _or_group(phrases: list[str]) -> str:
    return phrases[0] if len(phrases) == 1 else f"({' OR '.join(phrases)})"


def search_articles(client: HttpClient, settings: GdeltSettings, query: str) -> tuple[list[Article], list[RecordError]]:
    """One ``artlist`` search over ``settings.timespan``: the articles, and the items that could not be read."""
    params = {"query": query, "mode": "artlist", "format": "json", "maxrecords": str(settings.maxrecords),
              "timespan": settings.timespan, "sort": "datedesc"}
    payload = _get_json(client, settings.url, params)
    items = payload.get("articles") or []
    note_unexpected_fields(log, "gdelt", "article", {key for item in items if isinstance(item, dict) for key in item},
                           KNOWN_ARTICLE_FIELDS)
    articles: list[Article] = []
    errors: list[RecordError] = []
    for position, item in enumerate(items, start=1):
        try:
            articles.append(read_article(item, where=f"gdelt artlist {query!r} item {position}"))
        except RecordError as exc:
            log.warning("gdelt: skipped %s", exc)
            errors.append(exc)
    return articles, errors


def read_article(item: Any, *, where: str) -> Article:
    if not isinstance(item, dict):
        raise RecordError(where, "article is not an object")
    url, title = item.get("url"), clean_text(item.get("title") or "")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise RecordError(where, "article without a URL", field="url")
    try:
        urlsplit(url).port  # noqa: B018
    except ValueError:
        raise RecordError(where, "article without a usable URL", field="url", record=url[:200]) from None
    if not title:
        raise RecordError(where, "article without a title", field="title", record=url)
    country = COUNTRY_CODES.get(str(item.get("sourcecountry") or "").casefold())
    return Article(
        url=url,
        title=title[:1000],
        published=parse_seendate(item.get("seendate")),
        source=SOURCE,
        outlet=str(item.get("domain") or ""),
        language=LANGUAGE_CODES.get(str(item.get("language") or "").casefold()),
        countries=(country,) if country else (),
    )


def parse_seendate(value: Any) -> datetime | None:
    try:
        return datetime.strptime(str(value), "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        return None


def country_tone(client: HttpClient, settings: GdeltSettings, country: str, term: str) -> list[ToneDay]:
    """The daily average tone of the news matching ``term`` over ``settings.tone_timespan``."""
    params = {"query": term if " " not in term else f'"{term}"', "mode": "timelinetone", "format": "json",
              "timespan": settings.tone_timespan}
    payload = _get_json(client, settings.url, params)
    days: list[ToneDay] = []
    for series in payload.get("timeline") or []:
        for point in series.get("data") or []:
            moment = parse_seendate(point.get("date"))
            value = point.get("value")
            if moment is None or not isinstance(value, int | float):
                log.warning("gdelt: tone point %r for %s skipped", point, country)
                continue
            days.append(ToneDay(country, moment.date(), float(value)))
    return days


def all_tones(client: HttpClient, settings: GdeltSettings) -> Iterator[list[ToneDay]]:
    for country, term in settings.tone_countries.items():
        yield country_tone(client, settings, country, term)


def _get_json(client: HttpClient, url: str, params: dict[str, str]) -> dict[str, Any]:
    """GDELT's JSON answer; a text answer (its way of refusing a query) is a ``SourceRequestError``."""
    response = client.request("GET", url, params=params)
    try:
        payload = json.loads(response.content or b"{}")
    except ValueError:
        detail = " ".join(response.text[:300].split())
        raise SourceRequestError(SOURCE, safe_url(response.request.url), response.status_code, detail) from None
    if not isinstance(payload, dict):
        raise SourceRequestError(SOURCE, safe_url(response.request.url), response.status_code, "answer is not a JSON object")
    return payload
