"""GDELT DOC 2.0: query batching, artlist answers, the empty answer, the throttle message under HTTP 200, tone."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import pytest
import respx

from config.news import GdeltSettings
from config.settings import HttpSettings
from connectors.errors import SourceRequestError, SourceUnavailableError
from connectors.gdelt import country_tone, make_client, name_queries, search_articles

FIXTURES = Path(__file__).parents[1] / "fixtures" / "news"
GDELT = GdeltSettings(min_interval_seconds=0)
THROTTLE = "Please limit requests to one every 5 seconds or contact kalev.leetaru5@gmail.com for larger queries."


def client(sleeps: list[float] | None = None, attempts: int = 4):
    waits = sleeps if sleeps is not None else []
    return make_client(GDELT, HttpSettings(max_attempts=attempts, backoff_base=1), sleep=waits.append)


def test_supplier_names_are_batched_into_or_groups_under_the_length_limit() -> None:
    names = [f"Leverancier{i:03d} Techniek B.V." for i in range(40)] + ["AB B.V.", "Leverancier000 Techniek"]
    queries = name_queries(names, 120)
    assert all(len(q) <= 120 for q in queries) and len(queries) > 1
    assert all(q.startswith('("') and " OR " in q for q in queries[:-1])
    phrases = [p for q in queries for p in q.strip("()").split(" OR ")]
    assert len(phrases) == 40 and '"leverancier000 techniek"' in phrases  # legal forms gone, duplicates and "ab" left out
    assert name_queries(["Tonkeling Schoonmaak B.V."], 240) == ['"tonkeling schoonmaak"']


@respx.mock
def test_artlist_articles_are_read_and_a_bad_item_is_an_error() -> None:
    route = respx.get(GDELT.url).mock(return_value=httpx.Response(200, content=(FIXTURES / "gdelt_artlist.json").read_bytes(),
                                                                  headers={"Content-Type": "application/json"}))
    with client() as c:
        articles, errors = search_articles(c, GDELT, '"dravel logistiek"')
    params = route.calls[0].request.url.params
    assert (params["mode"], params["format"], params["maxrecords"], params["timespan"]) == ("artlist", "json", "250", "7d")
    assert [a.language for a in articles] == ["en", "de"] and articles[0].countries == ("NL",)
    assert articles[0].published == datetime(2026, 10, 5, 10, 15, tzinfo=UTC) and articles[0].outlet == "example-news.example"
    assert articles[0].source == "gdelt" and errors[0].field == "url"


@respx.mock
def test_the_empty_answer_is_no_articles() -> None:
    respx.get(GDELT.url).mock(return_value=httpx.Response(200, json={}))
    with client() as c:
        assert search_articles(c, GDELT, '"nobody"') == ([], [])


@respx.mock
def test_a_throttle_message_under_http_200_is_backed_off_and_retried() -> None:
    route = respx.get(GDELT.url).mock(side_effect=[
        httpx.Response(200, text=THROTTLE, headers={"Content-Type": "text/html"}),
        httpx.Response(429, text=THROTTLE),
        httpx.Response(200, json={"articles": []}),
    ])
    sleeps: list[float] = []
    with client(sleeps) as c:
        assert search_articles(c, GDELT, '"x y z"') == ([], [])
    assert route.call_count == 3 and len(sleeps) == 2 and sleeps[1] >= sleeps[0] >= 1


@respx.mock
def test_throttled_every_time_is_source_unavailable_and_a_query_complaint_is_a_request_error() -> None:
    respx.get(GDELT.url).mock(return_value=httpx.Response(200, text=THROTTLE))
    with client(attempts=2) as c, pytest.raises(SourceUnavailableError, match="GdeltThrottled"):
        search_articles(c, GDELT, '"x y z"')
    respx.get(GDELT.url).mock(return_value=httpx.Response(200, text="Your search contained a phrase that was too short."))
    with client() as c, pytest.raises(SourceRequestError, match="too short"):
        search_articles(c, GDELT, '"ab"')


@respx.mock
def test_timelinetone_gives_a_tone_per_day() -> None:
    route = respx.get(GDELT.url).mock(return_value=httpx.Response(200, content=(FIXTURES / "gdelt_timelinetone.json").read_bytes(),
                                                                  headers={"Content-Type": "application/json"}))
    with client() as c:
        days = country_tone(c, GDELT, "CN", "China")
        assert country_tone(c, GDELT, "US", "United States") == days[:0] + [type(days[0])("US", d.day, d.tone) for d in days]
    assert [(d.country, d.day, d.tone) for d in days][0] == ("CN", date(2026, 10, 3), -1.8421) and len(days) == 3
    assert route.calls[0].request.url.params["mode"] == "timelinetone"
    assert route.calls[1].request.url.params["query"] == '"United States"'
    assert json.loads((FIXTURES / "gdelt_timelinetone.json").read_text())["timeline"][0]["series"] == "Average Tone"


@pytest.mark.parametrize("url", ["http://[abc/x", "https://a.example:99999/x"])
def test_an_article_with_an_unparseable_url_is_an_item_error(url: str) -> None:
    from connectors.errors import RecordError
    from connectors.gdelt import read_article

    with pytest.raises(RecordError, match="URL"):
        read_article({"url": url, "title": "Brand bij Dravel"}, where="gdelt item 1")
