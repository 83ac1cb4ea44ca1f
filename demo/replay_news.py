"""Demo replay of the news sources (see demo/replay_hosts.py): feeds, GDELT, the sanctions list.

Answers as the real services do, from ``demo/data/news`` (built by ``build_news``),
as of the transport's ``today``:

- the demo outlets' feeds (``build_news.NL_FEED``, ``EN_FEED``, ``TRADE_FEED``; listed in
  ``demo/data/news/feeds.yaml``): the document with the items
  published up to ``today``, an ``ETag`` and ``Last-Modified``; ``If-None-Match`` with the same
  ETag (or ``If-Modified-Since`` at or after Last-Modified) gets a 304;
- GDELT DOC 2.0 ``artlist``: the pool's articles whose title matches the query (quoted phrases and
  words; OR inside parentheses, AND between groups), seen within ``timespan`` before ``today``
  (GDELT's window is three months at most), newest first, at most ``maxrecords``; ``{}`` when
  nothing matches; ``timelinetone``: the recorded answer for the query term, cut to ``timespan``;
- the EU sanctions list, with ``ETag`` and 304 on a repeated conditional request.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from lxml import etree

from connectors.notice_xml.safe_xml import safe_parser
from demo.build_news import EN_FEED, GDELT_ARTLIST, GDELT_TONE, NEWS_DIR, NL_FEED, SANCTIONS_LIST, TRADE_FEED

GDELT_HOST, GDELT_PATH = "api.gdeltproject.org", "/api/v2/doc/doc"
SANCTIONS_HOST = "webgate.ec.europa.eu"
GDELT_MAX_DAYS = 92
_TERM = re.compile(r'"([^"]+)"|([^\s()"]+)')
_SPAN = re.compile(r"^(\d+)(min|h|d|w|m)$")
_ATOM = "{http://www.w3.org/2005/Atom}"


def _response(status: int, content: bytes = b"", content_type: str = "text/plain; charset=utf-8", **headers: str) -> httpx.Response:
    return httpx.Response(status, content=content, headers={"Content-Type": content_type, **headers})


def _feed_files(folder: Path) -> dict[str, Path]:
    """Feed URL -> its document."""
    return {url: folder / file_name for file_name, url, _name in (NL_FEED, EN_FEED, TRADE_FEED)}


def _item_moment(element: etree._Element) -> datetime | None:
    text = element.findtext("pubDate") or element.findtext(f"{_ATOM}published")
    if not text:
        return None
    try:
        return parsedate_to_datetime(text) if "," in text else datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


@lru_cache(maxsize=32)
def _feed_as_of(path: Path, today: date) -> tuple[bytes, str, datetime]:
    """The feed with only the items published by the end of ``today``; its ETag and Last-Modified."""
    data = path.read_bytes()
    end = datetime.combine(today, time.max, tzinfo=UTC)
    try:
        root = etree.fromstring(data, safe_parser())
    except etree.XMLSyntaxError:  # the deliberately broken feed is served as it is
        return data, hashlib.sha256(data).hexdigest()[:20], end
    items = root.findall("channel/item") or root.findall(f"{_ATOM}entry")
    newest, removed = None, 0
    for item in items:
        moment = _item_moment(item)
        if moment and moment > end:
            item.getparent().remove(item)
            removed += 1
        elif moment and (newest is None or moment > newest):
            newest = moment
    # Nothing in the future: the document byte for byte (it holds a deliberately mis-encoded item).
    body = etree.tostring(root, xml_declaration=True, encoding="UTF-8") if removed else data
    return body, hashlib.sha256(body).hexdigest()[:20], newest or end


def _feed(request: httpx.Request, path: Path, today: date) -> httpx.Response:
    body, digest, modified = _feed_as_of(path, today)
    etag, last_modified = f'"{digest}"', format_datetime(modified.astimezone(UTC), usegmt=True)
    if request.headers.get("If-None-Match") == etag:
        return _response(304, ETag=etag, **{"Last-Modified": last_modified})
    since = request.headers.get("If-Modified-Since")
    if since and "If-None-Match" not in request.headers:
        try:
            if parsedate_to_datetime(since) >= modified.replace(microsecond=0):
                return _response(304, ETag=etag, **{"Last-Modified": last_modified})
        except (TypeError, ValueError):
            pass
    kind = "application/atom+xml" if b"http://www.w3.org/2005/Atom\"" in body[:300] else "application/rss+xml"
    return _response(200, body, f"{kind}; charset=utf-8", ETag=etag, **{"Last-Modified": last_modified})


@lru_cache(maxsize=2)
def _gdelt_data(folder: Path) -> tuple[list[dict], dict[str, dict]]:
    pool = json.loads((folder / GDELT_ARTLIST).read_text(encoding="utf-8"))["articles"]
    tone = json.loads((folder / GDELT_TONE).read_text(encoding="utf-8"))
    return pool, tone


def _timespan(value: str) -> timedelta | None:
    match = _SPAN.match(value.strip().lower())
    if not match:
        return None
    amount, unit = int(match.group(1)), match.group(2)
    span = {"min": timedelta(minutes=amount), "h": timedelta(hours=amount), "d": timedelta(days=amount),
            "w": timedelta(weeks=amount), "m": timedelta(days=30 * amount)}[unit]
    return min(span, timedelta(days=GDELT_MAX_DAYS))


def _groups(query: str) -> list[list[str]]:
    """The query as AND-ed groups of OR-ed terms (lower case)."""
    groups: list[list[str]] = []
    for part in re.findall(r"\([^)]*\)|\"[^\"]+\"|[^\s()]+", query):
        terms = [(phrase or word).lower() for phrase, word in _TERM.findall(part.strip("()")) if (phrase or word).upper() != "OR"]
        if terms:
            groups.append(terms)
    return groups


def _gdelt(request: httpx.Request, folder: Path, today: date) -> httpx.Response:
    params = request.url.params
    query, mode = params.get("query", ""), params.get("mode", "").lower()
    if params.get("format", "").lower() != "json":
        return _response(200, b"Only format=json is replayed by the demo.")
    if any(len(term) < 3 for group in _groups(query) for term in group) or not query.strip():
        return _response(200, b"Your search contained a phrase that was too short.")
    if " OR " in query and "(" not in query:
        return _response(200, b"Queries containing OR'd terms must be surrounded by ().")
    span = _timespan(params.get("timespan", "3m"))
    if span is None:
        return _response(200, b"Invalid timespan.")
    end = datetime.combine(today, time.max, tzinfo=UTC)
    pool, tones = _gdelt_data(folder)
    if mode == "timelinetone":
        answer = tones.get(query.strip('"'))
        if answer is None:
            return _response(200, b"{}", "application/json")
        first, last = f"{(end - span):%Y%m%dT%H%M%SZ}", f"{end:%Y%m%dT%H%M%SZ}"
        timeline = [{**series, "data": [p for p in series["data"] if first <= p["date"] <= last]} for series in answer["timeline"]]
        return _response(200, json.dumps({**answer, "timeline": timeline}).encode(), "application/json")
    if mode != "artlist":
        return _response(200, b"Invalid mode.")
    try:
        limit = min(250, max(1, int(params.get("maxrecords", "75"))))
    except ValueError:
        return _response(200, b"Invalid maxrecords.")
    groups, start = _groups(query), f"{(end - span):%Y%m%dT%H%M%SZ}"
    found = [a for a in pool if start <= a["seendate"] <= f"{end:%Y%m%dT%H%M%SZ}"
             and all(any(term in a["title"].lower() for term in group) for group in groups)]
    found.sort(key=lambda a: a["seendate"], reverse=True)
    body = {"articles": found[:limit]} if found else {}
    return _response(200, json.dumps(body, ensure_ascii=False).encode("utf-8"), "application/json; charset=utf-8")


def _sanctions(request: httpx.Request, folder: Path) -> httpx.Response:
    data = (folder / SANCTIONS_LIST).read_bytes()
    etag = f'"{hashlib.sha256(data).hexdigest()[:20]}"'
    if request.headers.get("If-None-Match") == etag:
        return _response(304, ETag=etag)
    return _response(200, data, "application/xml", ETag=etag)


def handler(today: date, folder: Path | None = None) -> Callable[[httpx.Request], httpx.Response | None]:
    """Answer this area's requests as of ``today``; ``None`` for any other host."""
    base = (folder or NEWS_DIR).resolve()

    def handle(request: httpx.Request) -> httpx.Response | None:
        if request.method != "GET" or not (base / "feeds.yaml").exists():
            return None
        url = str(request.url.copy_with(query=None)) if request.url.host != SANCTIONS_HOST else str(request.url)
        feed = _feed_files(base).get(url)
        if feed is not None:
            return _feed(request, feed, today)
        if request.url.host == GDELT_HOST and request.url.path == GDELT_PATH:
            return _gdelt(request, base, today)
        if request.url.host == SANCTIONS_HOST and urlsplit(url).path.startswith("/fsd/fsf/public/files/xmlFullSanctionsList"):
            return _sanctions(request, base)
        return None

    return handle
