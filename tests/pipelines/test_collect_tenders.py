"""Round trip: TED search pages and notice XML (respx) -> connectors -> store, page by page.

What a user relies on when a collection meets the real world: a second run changes nothing; a
source that fails in the middle of paging keeps what was stored and resumes from its watermark;
a malformed notice is quarantined with its reason while the rest of the page goes on.
The XML documents are real notices from ``fixtures/ted``; the search pages are built around them
in the shape the Search API v3 returns.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import httpx
import pytest
import respx
from sqlalchemy import func, select

from config.settings import HttpSettings, Settings, TedSettings
from connectors.notice_xml import parse_notice
from pipelines.collect_tenders import collect_ted, ted_scope
from store.bookkeeping import get_watermark, open_quarantine
from store.db import Store
from store.schema import CollectionRun
from store.schema import Notice as NoticeRow

FIXTURES = Path(__file__).parents[1] / "fixtures" / "ted"
SEARCH_URL = "https://api.ted.europa.eu/v3/notices/search"
#: Real award notices whose XML the fake TED serves.
NOTICE_FILES = [
    FIXTURES / "real-notices" / "ted-r209" / name
    for name in ("18-412273-001-EXP.xml", "20-157399-001-EXP.xml", "21-000934-001-EXP.xml", "21-364240-001-EXP.xml")
]


@pytest.fixture
def collect_settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path,
        _env_file=None,
        http=HttpSettings(max_attempts=2, backoff_base=0.0, backoff_max=0.0),
        ted=TedSettings(page_size=2, min_interval_seconds=0, start_date="2018-01-01"),
    )


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Store:
    with Store(f"sqlite:///{tmp_path / 'collect.db'}") as store:
        yield store


def _documents() -> list[tuple[str, date, bytes]]:
    docs = []
    for path in NOTICE_FILES:
        data = path.read_bytes()
        notice = parse_notice(data, where=str(path))
        docs.append((notice.notice_id, notice.published, data))
    return sorted(docs, key=lambda d: d[1])


def _item(number: str, published: date) -> dict:
    return {
        "publication-number": number,
        "publication-date": f"{published.isoformat()}+01:00",
        "notice-type": "can-standard",
        "buyer-country": ["NLD"],
        "links": {"xml": {"MUL": f"https://ted.europa.eu/en/notice/{number}/xml"}},
    }


def _pages(docs: list[tuple[str, date, bytes]]) -> list[httpx.Response]:
    first, second = docs[:2], docs[2:]
    return [
        httpx.Response(200, json={"notices": [_item(n, d) for n, d, _ in first], "totalNoticeCount": len(docs),
                                  "iterationNextToken": "token-2", "timedOut": False}),
        httpx.Response(200, json={"notices": [_item(n, d) for n, d, _ in second], "totalNoticeCount": len(docs),
                                  "iterationNextToken": None, "timedOut": False}),
    ]


def _route_xml(mock: respx.Router, docs, broken: str | None = None) -> None:
    for number, _, data in docs:
        body = data[: len(data) // 2] if number == broken else data
        mock.get(f"https://ted.europa.eu/en/notice/{number}/xml").mock(
            return_value=httpx.Response(200, content=body, headers={"Content-Type": "application/xml"})
        )


def _search_side_effect(responses: list[httpx.Response]):
    """Serve page 1 for a request without token and page 2 for ``token-2``, as TED does."""

    def answer(request: httpx.Request) -> httpx.Response:
        token = json.loads(request.content).get("iterationNextToken")
        return responses[1] if token == "token-2" else responses[0]

    return answer


def _notice_count(store: Store) -> int:
    with store.session() as session:
        return session.scalar(select(func.count()).select_from(NoticeRow))


def test_collecting_twice_changes_nothing(sqlite_store: Store, collect_settings: Settings) -> None:
    docs = _documents()
    with respx.mock(assert_all_called=True) as mock:
        mock.post(SEARCH_URL).mock(side_effect=_search_side_effect(_pages(docs)))
        _route_xml(mock, docs)
        first = collect_ted(sqlite_store, collect_settings, since=date(2018, 1, 1))
        second = collect_ted(sqlite_store, collect_settings, since=date(2018, 1, 1))
    assert (first.status, first.pages, first.saved.added) == ("ok", 2, 4)
    assert (second.saved.added, second.saved.updated, second.saved.unchanged) == (0, 0, 4)
    assert _notice_count(sqlite_store) == 4
    with sqlite_store.session() as session:
        assert get_watermark(session, "ted", ted_scope(collect_settings)) == docs[-1][1].isoformat()


def test_a_failing_page_keeps_what_was_stored_and_the_next_run_resumes(sqlite_store: Store, collect_settings: Settings) -> None:
    docs = _documents()
    pages = _pages(docs)
    with respx.mock(assert_all_called=False) as mock:
        mock.post(SEARCH_URL).mock(side_effect=_search_side_effect([pages[0], httpx.Response(500, text="Internal error")]))
        _route_xml(mock, docs)
        failed = collect_ted(sqlite_store, collect_settings)
    assert failed.status == "failed" and "500" in (failed.error or "")
    assert _notice_count(sqlite_store) == 2
    with sqlite_store.session() as session:
        watermark = get_watermark(session, "ted", ted_scope(collect_settings))
        run = session.scalars(select(CollectionRun)).one()
    assert watermark == docs[1][1].isoformat()
    assert (run.status, run.added) == ("failed", 2)

    with respx.mock(assert_all_called=False) as mock:
        search = mock.post(SEARCH_URL).mock(side_effect=_search_side_effect(pages))
        _route_xml(mock, docs)
        resumed = collect_ted(sqlite_store, collect_settings)
    sent = json.loads(search.calls[0].request.content)
    assert f"publication-date>={docs[1][1]:%Y%m%d}" in sent["query"]
    assert resumed.status == "ok" and _notice_count(sqlite_store) == 4


def test_a_malformed_notice_is_quarantined_and_the_page_goes_on(sqlite_store: Store, collect_settings: Settings) -> None:
    """A cut XML answer is pending under its publication number (issue 19: it was quarantined for good),
    the run says it is incomplete, and the next run fetches it and closes the entry."""
    docs = _documents()
    broken = docs[0][0]
    with respx.mock(assert_all_called=False) as mock:
        mock.post(SEARCH_URL).mock(side_effect=_search_side_effect(_pages(docs)))
        _route_xml(mock, docs, broken=broken)
        summary = collect_ted(sqlite_store, collect_settings, since=date(2018, 1, 1))
    assert (summary.saved.added, summary.quarantined, summary.pending, summary.status) == (3, 0, 1, "incomplete")
    with sqlite_store.session() as session:
        (row,) = open_quarantine(session, "ted")
    assert row.record_key == broken and row.kind == "pending"
    assert f"https://ted.europa.eu/en/notice/{broken}/xml" in row.reason
    assert row.payload is not None
    with respx.mock(assert_all_called=False) as mock:
        mock.post(SEARCH_URL).mock(side_effect=_search_side_effect(_pages(docs)))
        _route_xml(mock, docs)
        again = collect_ted(sqlite_store, collect_settings)
    assert (again.retried, again.recovered, again.status) == (1, 1, "ok") and _notice_count(sqlite_store) == 4
    with sqlite_store.session() as session:
        assert open_quarantine(session, "ted") == []

    # Once TED serves the notice whole again, the next run takes it in and the quarantine empties.
    with respx.mock(assert_all_called=False) as mock:
        mock.post(SEARCH_URL).mock(side_effect=_search_side_effect(_pages(docs)))
        _route_xml(mock, docs)
        collect_ted(sqlite_store, collect_settings, since=date(2018, 1, 1))
    with sqlite_store.session() as session:
        assert open_quarantine(session, "ted") == []
    assert _notice_count(sqlite_store) == 4


def test_an_unknown_cpv_code_is_kept_and_reported(caplog: pytest.LogCaptureFixture) -> None:
    from dataclasses import replace

    from pipelines.collect_tenders import CollectionSummary, _warn_unknown_cpv

    notice = parse_notice(NOTICE_FILES[1].read_bytes(), where="f.xml")
    odd = replace(notice, cpv=(*notice.cpv, "99999999"))
    summary = CollectionSummary("ted", date(2020, 1, 1), None)
    _warn_unknown_cpv("ted", [notice, odd], summary)
    assert len(summary.warnings) == 1 and "99999999" in summary.warnings[0] and odd.notice_id in summary.warnings[0]
    assert "99999999" in caplog.text
