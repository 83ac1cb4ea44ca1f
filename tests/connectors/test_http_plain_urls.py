"""``connectors.http.parsed_url`` hands a plain URL's parts to httpx as written: the URL must be the one httpx parses.

The shortcut skips httpx's parser only for URLs that parser keeps exactly as written; every other URL (upper case,
an IP address, a port, a query, percent signs, dot segments, non-ASCII) goes through httpx. Both are compared part
by part on the URLs the connectors make and on random ones built from the characters at the edge of the rule.
"""

from __future__ import annotations

import random

import httpx
import pytest

from connectors import http
from connectors.http import parsed_url

CONNECTOR_URLS = (
    "https://ted.europa.eu/en/notice/123456-2024/xml",
    "https://api.ted.europa.eu/v3/notices/search",
    "https://api.kvk.nl/api/v1/basisprofielen/69599084",
    "https://api.kvk.nl/api/v1/vestigingsprofielen/000037178598",
    "https://www.tenderned.nl/papi/tenderned-rs-tns/v2/publicaties/312345",
    "https://www.tenderned.nl/papi/tenderned-rs-tns/v2/publicaties/312345/public-xml",
    "http://localhost/x",
    "https://insolventies.rechtspraak.nl",
)
EDGE_URLS = (
    "https://Ted.europa.eu/x", "HTTPS://ted.europa.eu/x", "https://1.2.3.4/x", "https://999.1.1.1/x",
    "https://a.b:443/x", "https://a.b:8443/x", "https://user@a.b/x", "https://a.b/x?y=1", "https://a.b/x#f",
    "https://a.b/./x", "https://a.b/x/../y", "https://a.b/x/.", "https://a.b/.well-known/x", "https://a.b/%41",
    "https://a.b/a b", "https://a.b/é", "https://müller.de/x", "https://a.b//x", "https://a.b/x~y_z.json",
    "https://.b/x", "https://a-/x", "ftp://a.b/x", "https://a.b/\t", "https://-.b/x", "https://a.b/x;y",
)


def _same(url: str) -> None:
    try:
        expected = httpx.URL(url)
    except httpx.InvalidURL:
        with pytest.raises(httpx.InvalidURL):
            parsed_url(url)
        return
    got = parsed_url(url)
    assert vars(got) == vars(expected), url
    assert got == expected and str(got) == str(expected) and got.raw_path == expected.raw_path, url


def test_the_shortcut_is_on_for_this_httpx() -> None:
    assert http._PLAIN_PARTS_AS_HTTPX
    assert http._plain(CONNECTOR_URLS[0]) is not None  # the connectors' URLs take it


@pytest.mark.parametrize("url", CONNECTOR_URLS + EDGE_URLS)
def test_plain_and_other_urls_are_the_ones_httpx_parses(url: str) -> None:
    _same(url)


def test_edge_urls_go_through_httpx() -> None:
    taken = [url for url in EDGE_URLS if http._plain(url) is not None]
    assert taken == ["https://a.b//x", "https://a.b/x~y_z.json", "https://a-/x", "https://-.b/x"]


def test_random_urls_near_the_rule_are_the_ones_httpx_parses() -> None:
    rng = random.Random(20261205)
    plain_host, plain_path = "abcz09.-", "aZ09._~-/"
    odd_host, odd_path = "A:@[]é", " %?#;:@!$&'()*+,=é\\"
    taken = 0
    for _ in range(3000):
        odd = rng.random() < 0.5  # half of them with one character from outside the rule
        host = "".join(rng.choice(plain_host) for _ in range(rng.randint(1, 8)))
        path = "/" + "".join(rng.choice(plain_path) for _ in range(rng.randint(0, 12)))
        if odd:
            where = rng.randrange(2)
            chars = odd_host if where == 0 else odd_path
            part = host if where == 0 else path
            at = rng.randint(0, len(part))
            part = part[:at] + rng.choice(chars) + part[at:]
            host, path = (part, path) if where == 0 else (host, part)
        url = f"{rng.choice(('https', 'http', 'HTTP'))}://{host}{path if rng.random() < 0.9 else ''}"
        taken += http._plain(url) is not None
        _same(url)
    assert taken > 500  # the shortcut itself was compared, not only the fall-back
