r"""Shortcuts in ``connectors.feeds`` give what the longer way gave: ``canonical_url``'s and ``usable_link``'s for plain
links (the answers taking the URL apart gives), ``clean_text``'s whitespace by ``str.split`` (what ``re.sub(r"\s+")``
and ``strip`` gave)."""

from __future__ import annotations

import html
import random
import re
import sys
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest
from bs4 import BeautifulSoup

from connectors.feeds import _TRACKING, canonical_url, clean_text, usable_link


def _taken_apart(url: str) -> str:
    """``canonical_url`` as it was before the shortcut: every URL split, its query parsed, sorted and encoded."""
    parts = urlsplit(url.strip())
    query = urlencode(sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)))
    path = parts.path.rstrip("/") or "/"
    host = (parts.hostname or "").lower()
    if parts.port and not ((parts.scheme == "http" and parts.port == 80) or (parts.scheme == "https" and parts.port == 443)):
        host = f"{host}:{parts.port}"
    scheme = "https" if parts.scheme.lower() in {"http", "https"} else parts.scheme.lower()
    return urlunsplit((scheme, host, path, query, ""))


def _usable_taken_apart(link: str) -> bool:
    """``usable_link`` before the shortcut (it was inline in ``_article``)."""
    try:
        parts = urlsplit(link)
        parts.port  # noqa: B018
    except ValueError:
        return False
    return parts.scheme in {"http", "https"}


CASES = [
    "https://www.zakenkrant.example/nieuws/2026/10/thuiswerken-blijft-populair-n16", "http://x.example", "https://x.example/",
    "https://x.example//", "https://x.example/a//b/", "https://x.example/%C3%A9t%C3%A9/", "https://x.example/~u/a_b.c",
    " https://x.example/a/ \n", "https://1.2.3.4/a", "https://x.example./a", "https://-x-.example/a",
    "HTTPS://X.example/a", "https://X.example/a", "https://x.example:443/a", "https://x.example:8443/a", "http://x.example:80/",
    "https://u:p@x.example/a", "https://x.example/a?", "https://x.example/a?b=1&a=2", "https://x.example/a?utm_source=x",
    "https://x.example/a#top", "https://x.example/a b", "https://x.example/a\tb", "ftp://x.example/a", "https:x.example/a",
    "https://x.example/ä", "https://[::1]/a", "https:///a", "//x.example/a", "",
]


@pytest.mark.parametrize("url", CASES)
def test_the_shortcut_spells_as_taking_apart(url: str) -> None:
    assert canonical_url(url) == _taken_apart(url)


@pytest.mark.parametrize("url", [*CASES, "https://x.example:99999/", "https://x.example:port/", "mailto:a@x.example"])
def test_usable_link_answers_as_taking_apart(url: str) -> None:
    assert usable_link(url) == _usable_taken_apart(url)


def test_random_urls_spell_as_taking_apart() -> None:
    rng = random.Random(20)
    pieces = ["https://", "http://", "HTTP://", "x", "X", ".", "-", "/", "//", "%", "%2F", "~", "_", "?", "#", "=", "&",
              ":", "8080", "@", " ", "é", "a1", "utm_x"]
    for _ in range(20_000):
        url = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 12)))
        assert usable_link(url) == _usable_taken_apart(url), url
        try:
            expected = _taken_apart(url)
        except ValueError:  # (a port urlsplit cannot read: canonical_url raised before as well)
            with pytest.raises(ValueError):
                canonical_url(url)
            continue
        assert canonical_url(url) == expected, url


def test_clean_text_collapses_whitespace_as_the_pattern_did() -> None:
    space = re.compile(r"\s+")
    whitespace = [c for c in map(chr, range(sys.maxunicode + 1)) if space.fullmatch(c)]
    assert whitespace == [c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace()]
    rng = random.Random(3)
    for _ in range(20_000):
        value = "".join(rng.choice([*whitespace, "a", "b", "é", "\u200b", " "]) for _ in range(rng.randint(0, 15)))
        assert clean_text(value) == (space.sub(" ", html.unescape(value)).strip() if value else ""), repr(value)
    for marked_up in ("<p>a \n<b>b</b>\u2003</p>", "a &amp;\tb&nbsp;&#x2028;c", "  &lt;x&gt;  "):
        parsed = BeautifulSoup(marked_up, "html.parser").get_text(" ")
        assert clean_text(marked_up) == space.sub(" ", html.unescape(parsed)).strip()
