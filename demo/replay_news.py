"""Demo replay of the news sources (see demo/replay_hosts.py): feeds, GDELT, the sanctions list.

Answers as the real services do, from ``demo/data/news`` (built by ``build_news``), or from the ``news``
folder of the bundle ``$SUPPLYRADAR_DEMO_BUNDLE`` names (a scaled world's, see ``demo.scale_news``),
as of the transport's ``today``:

- the demo outlets' feeds (``build_news.outlet_feeds``: copy 1's, and a scaled world's further copies';
  listed in the folder's ``feeds.yaml``): the document with the items
  published up to ``today``, an ``ETag`` and ``Last-Modified``; ``If-None-Match`` with the same
  ETag (or ``If-Modified-Since`` at or after Last-Modified) gets a 304;
- GDELT DOC 2.0 ``artlist``: the pool's articles whose title matches the query (quoted phrases and
  words, matched on whole words, punctuation aside, as GDELT does; OR inside parentheses, AND between groups), seen within
  ``timespan`` before ``today`` (GDELT's window is three months at most), newest first, at most
  ``maxrecords`` (250 at most, as GDELT: a query that matches more gets the newest); ``{}`` when
  nothing matches; ``timelinetone``: the recorded answer for the query term, cut to ``timespan``.
  The pool is indexed by word once, so a query costs its matches, not a scan: a scaled world asks
  thousands of name queries of a pool of tens of thousands of articles;
- the EU sanctions list, with ``ETag`` and 304 on a repeated conditional request.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from lxml import etree

from connectors.notice_xml.safe_xml import safe_parser
from demo.build_news import FEEDS_CONFIG, GDELT_ARTLIST, GDELT_TONE, SANCTIONS_LIST, news_folder, outlet_feeds

GDELT_HOST, GDELT_PATH = "api.gdeltproject.org", "/api/v2/doc/doc"
SANCTIONS_HOST = "webgate.ec.europa.eu"
GDELT_MAX_DAYS = 92
_WORD = re.compile(r"\w+")
_TERM = re.compile(r'"([^"]+)"|([^\s()"]+)')
_SPAN = re.compile(r"^(\d+)(min|h|d|w|m)$")
_ATOM = "{http://www.w3.org/2005/Atom}"


def _response(status: int, content: bytes = b"", content_type: str = "text/plain; charset=utf-8", **headers: str) -> httpx.Response:
    return httpx.Response(status, content=content, headers={"Content-Type": content_type, **headers})


@lru_cache(maxsize=4)
def _feed_files(folder: Path) -> dict[str, Path]:
    """Feed URL -> its document, for every copy of the world the folder holds news of."""
    files: dict[str, Path] = {}
    copy = 1
    while (folder / outlet_feeds(copy)[0][0]).exists():
        files.update((url, folder / file_name) for file_name, url, *_ in outlet_feeds(copy))
        copy += 1
    return files


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


@dataclass(frozen=True)
class _Pool:
    """GDELT's articles newest first, each title's words (" w1 w2 ... ", lower case) and where each word occurs."""

    articles: list[dict]
    titles: list[str]
    words: dict[str, list[int]]
    #: ``matching``'s answers by term: every supplier's query repeats the same topic words ("bankruptcy", ...),
    #: each found in thousands of titles at scale
    found: dict[str, frozenset[int]] = field(default_factory=dict, compare=False)
    word_sets: dict[str, frozenset[int]] = field(default_factory=dict, compare=False)

    def matching(self, term: str) -> frozenset[int]:
        """Positions whose title holds ``term`` (a word or phrase, lower case) as whole words, punctuation aside:
        the titles holding all its words, checked for the whole phrase."""
        known = self.found.get(term)
        if known is not None:
            return known
        words = _WORD.findall(term)
        if not words:
            return frozenset()
        phrase = f" {' '.join(words)} "
        # the titles holding every word of the phrase (a word's titles are exactly those holding it), checked for
        # the phrase only when it has more than one word: the rarest word's titles alone were each checked
        holding = sorted((self._titles_with(word) for word in set(words)), key=len)
        candidates = holding[0].intersection(*holding[1:])
        found = frozenset(p for p in candidates if phrase in self.titles[p]) if len(words) > 1 else candidates
        self.found[term] = found
        return found

    def _titles_with(self, word: str) -> frozenset[int]:
        """Positions whose title holds ``word``, as a set made once per word."""
        known = self.word_sets.get(word)
        if known is None:
            known = self.word_sets[word] = frozenset(self.words.get(word, ()))
        return known


@lru_cache(maxsize=2)
def _gdelt_data(folder: Path) -> tuple[_Pool, dict[str, dict]]:
    """The pool (copy 1's ``gdelt-artlist.json``, then a scaled world's ``gdelt-artlist-<copy>.json``) and the tone answers."""
    further = sorted(folder.glob(GDELT_ARTLIST.replace(".json", "-*.json")), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
    articles = [a for path in [folder / GDELT_ARTLIST, *further] for a in json.loads(path.read_text(encoding="utf-8"))["articles"]]
    articles.sort(key=lambda a: a["seendate"], reverse=True)
    titles = [f" {' '.join(_WORD.findall(a['title'].lower()))} " for a in articles]
    words: dict[str, list[int]] = defaultdict(list)
    for position, title in enumerate(titles):
        for word in set(title.split()):
            words[word].append(position)
    tone = json.loads((folder / GDELT_TONE).read_text(encoding="utf-8"))
    return _Pool(articles, titles, dict(words)), tone


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
    start, last = f"{(end - span):%Y%m%dT%H%M%SZ}", f"{end:%Y%m%dT%H%M%SZ}"
    positions = set.intersection(*(set().union(*(pool.matching(term) for term in group)) for group in _groups(query)))
    found = [pool.articles[p] for p in sorted(positions) if start <= pool.articles[p]["seendate"] <= last][:limit]
    body = {"articles": found} if found else {}
    return _response(200, json.dumps(body, ensure_ascii=False).encode("utf-8"), "application/json; charset=utf-8")


def _sanctions(request: httpx.Request, folder: Path) -> httpx.Response:
    data = (folder / SANCTIONS_LIST).read_bytes()
    etag = f'"{hashlib.sha256(data).hexdigest()[:20]}"'
    if request.headers.get("If-None-Match") == etag:
        return _response(304, ETag=etag)
    return _response(200, data, "application/xml", ETag=etag)


def handler(today: date, folder: Path | None = None) -> Callable[[httpx.Request], httpx.Response | None]:
    """Answer this area's requests as of ``today``; ``None`` for any other host."""
    base = (folder or news_folder()).resolve()

    def handle(request: httpx.Request) -> httpx.Response | None:
        if request.method != "GET" or not (base / FEEDS_CONFIG).exists():
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
