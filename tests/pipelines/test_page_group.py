"""Pages read by a collection are stored together (``pipelines.collect_tenders.PageGroup``): by count, by time,
never merging two copies of one notice, and what was read before an outage is kept."""

from __future__ import annotations

from datetime import date

import pytest

from connectors.errors import RecordError
from connectors.records import Notice, Party
from pipelines.collect_tenders import PageGroup


def _notice(number: int, source: str = "ted") -> Notice:
    return Notice(notice_id=f"{number}-2025", format="eforms", notice_type="can-standard", subtype="29",
                  kind="award", published=date(2025, 1, 1 + number % 28), buyer=Party("Gemeente Utrecht", "NL"),
                  cpv_main="72000000", source=source)


def _page(*numbers: int) -> list[Notice]:
    return [_notice(n) for n in numbers]


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _group(stored: list[tuple[list[str], list[str]]], **kwargs) -> PageGroup:
    def store_pages(notices: list[Notice], errors: list[RecordError]) -> None:
        stored.append(([n.notice_id for n in notices], [e.record for e in errors]))
    return PageGroup(store_pages, **kwargs)


def test_pages_are_stored_together_once_they_hold_enough_notices() -> None:
    stored: list[tuple[list[str], list[str]]] = []
    group = _group(stored, notices=5, seconds=1e9)
    error = RecordError("https://ted.europa.eu/en/notice/9-2025/xml", "HTTP 404: not published", record="9-2025")
    group.add(_page(1, 2), [])
    group.add(_page(3), [error])
    assert stored == []  # 4 records: still waiting
    group.add(_page(4, 5), [])
    assert stored == [(["1-2025", "2-2025", "3-2025", "4-2025", "5-2025"], ["9-2025"])]
    group.add(_page(6), [])
    group.store()  # the rest, when the listing ends
    group.store()  # nothing waits: nothing stored
    assert stored[1:] == [(["6-2025"], [])]


def test_pages_are_stored_once_reading_them_took_the_wait() -> None:
    """Against a live API reading one page takes longer than the wait: each is stored as soon as it is read."""
    stored: list[tuple[list[str], list[str]]] = []
    clock = _Clock()
    group = _group(stored, notices=1000, seconds=20.0, clock=clock)
    clock.now = 12.0  # reading the first page took 12 s
    group.add(_page(1), [])
    clock.now = 19.0
    group.add(_page(2), [])
    assert stored == []
    clock.now = 20.5
    group.add(_page(3), [])  # 20.5 s since the group's first page began
    assert stored == [(["1-2025", "2-2025", "3-2025"], [])]
    clock.now = 60.0  # one slow page, 39.5 s to read: stored at once, alone
    group.add(_page(4), [])
    assert stored[1:] == [(["4-2025"], [])]
    clock.now = 61.0
    group.add(_page(5), [])
    assert len(stored) == 2  # a fast page after it waits again


def test_a_notice_read_again_is_stored_after_the_first_copy_not_merged_with_it() -> None:
    stored: list[tuple[list[str], list[str]]] = []
    group = _group(stored, notices=1000, seconds=1e9)
    group.add(_page(1, 2), [])
    group.add(_page(3, 2), [])  # notice 2 again (a listing that shifted between pages)
    group.store()
    assert stored == [(["1-2025", "2-2025"], []), (["3-2025", "2-2025"], [])]


def test_a_record_that_fails_after_it_came_in_is_stored_after_it() -> None:
    """Page by page, a failure after a success stays open in quarantine (the success came first); stored together,
    the success's resolving would close it. So the failing page waits for the group, and so does the reverse."""
    stored: list[tuple[list[str], list[str]]] = []
    group = _group(stored, notices=1000, seconds=1e9)
    gone = RecordError("https://ted.europa.eu/en/notice/2-2025/xml", "HTTP 404: not published", record="2-2025")
    group.add(_page(1, 2), [])
    group.add(_page(3), [gone])
    group.add(_page(2), [])
    group.store()
    assert stored == [(["1-2025", "2-2025"], []), (["3-2025"], ["2-2025"]), (["2-2025"], [])]


def test_a_store_that_fails_is_not_tried_again_with_the_next_pages() -> None:
    calls: list[int] = []

    def failing(notices: list[Notice], errors: list[RecordError]) -> None:
        calls.append(len(notices))
        raise RuntimeError("database is locked")

    group = PageGroup(failing, notices=2, seconds=1e9)
    with pytest.raises(RuntimeError):
        group.add(_page(1, 2), [])
    group.store()  # (a collection's `finally`): nothing waits any more
    assert calls == [2]
