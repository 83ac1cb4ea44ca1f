"""Collect tender notices from TED and TenderNed into the store, page by page.

Plain functions (the ``collect_tenders`` flow and the CLI both call them). Pages read are stored in one
transaction per ``PageGroup`` (up to ``STORE_EVERY_NOTICES`` notices, or what ``STORE_EVERY_SECONDS`` of reading
brought: against the live APIs that is one page): their notices are upserted, their bad records quarantined, and
the watermark advanced. An outage stores what was read before it; a process killed outright loses at most the
pages not stored yet, which the next run reads again from the watermark. Nothing stored before is ever deleted here.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx

from config.settings import Settings
from connectors import ted, tenderned
from connectors.errors import (
    PendingRecord,
    RecordError,
    RecordWarning,
    SourceRequestError,
    SourceUnavailableError,
)
from connectors.records import Notice
from connectors.tenderned_xml_access import XmlAccess
from models.collector_pause import collector_paused
from pipelines.collection_run import collection_run
from reference.cpv import cpv_codes
from store.bookkeeping import (
    get_watermark,
    pending_keys,
    quarantine,
    resolve_quarantined,
    set_watermark,
)
from store.db import Store
from store.notices import SaveResult, save_notices

log = logging.getLogger(__name__)

SOURCES = ("ted", "tenderned")

#: Called after each page is read with (source, notices in the page, running summary): drives progress bars and logs.
#: The summary's saved counts are those of the pages stored so far (``PageGroup``).
ProgressHook = Callable[[str, int, "CollectionSummary"], None]


@dataclass(slots=True)
class CollectionSummary:
    source: str
    since: date
    until: date | None
    pages: int = 0
    fetched: int = 0
    saved: SaveResult = field(default_factory=SaveResult)
    quarantined: int = 0
    #: Records listed but not got this time (cut, 404, 5xx...): fetched again by the next run.
    pending: int = 0
    #: Pending records of earlier runs fetched at the start of this one, and how many came in.
    retried: int = 0
    recovered: int = 0
    warnings: list[str] = field(default_factory=list)
    watermark: str | None = None
    status: str = "ok"
    error: str | None = None
    #: What this run is part of, kept in the run's details (e.g. "backfill ted:2024-03").
    label: str | None = None

    def as_row(self) -> dict[str, Any]:
        """A flat row for tables, logs and Prefect artifacts."""
        return {
            "source": self.source,
            "since": self.since.isoformat(),
            "pages": self.pages,
            "fetched": self.fetched,
            "added": self.saved.added,
            "updated": self.saved.updated,
            "unchanged": self.saved.unchanged,
            "quarantined": self.quarantined,
            "pending": self.pending,
            "recovered": f"{self.recovered}/{self.retried}",
            "watermark": self.watermark or "",
            "status": self.status,
        }


def ted_scope(settings: Settings) -> str:
    """The watermark scope: a changed filter starts its own history instead of skipping data."""
    t = settings.ted
    return f"types={','.join(t.notice_types)};countries={','.join(t.countries)};cpv={','.join(t.cpv_prefixes)}"


def tenderned_scope(settings: Settings) -> str:
    return f"types={','.join(settings.tenderned.publication_types)}"


def _resume_date(stored: str | None, default: str, explicit: date | None) -> date:
    if explicit is not None:
        return explicit
    return date.fromisoformat(stored) if stored else date.fromisoformat(default)


#: Pages read are stored together, in one transaction (``_store_page``), once they hold this many records (notices
#: and failed records) ...
STORE_EVERY_NOTICES = 2_000
#: ... or once reading them has taken this many seconds, whichever comes first. A transaction writes every
#: index page its rows touch (and SQLite copies them again at its checkpoints); stored page by page (100 to 250
#: notices), collecting a national-size world (``make bench-scale SCALE=54``) took about a tenth more CPU. Against
#: the live APIs reading a page takes longer than this (a request per notice, at the source's pace), so each is
#: stored as soon as it is read, as before.
STORE_EVERY_SECONDS = 20.0


class PageGroup:
    """Pages read but not stored yet, handed to ``store_pages`` together (``STORE_EVERY_NOTICES``).

    A page naming a record the group names already (a notice, or a record that failed) is stored after the group,
    not merged into it: a record read twice is saved twice in its order, as page by page (the second copy may be
    unchanged, or must not erase what the first brought, and a failure after a success stays open in quarantine).
    One group holds one source's pages."""

    def __init__(self, store_pages: Callable[[list[Notice], list[RecordError]], None], *,
                 notices: int = STORE_EVERY_NOTICES, seconds: float = STORE_EVERY_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._store_pages, self._limit, self._seconds, self._clock = store_pages, notices, seconds, clock
        self._notices: list[Notice] = []
        self._errors: list[RecordError] = []
        self._keys: set[str] = set()  # the records named: notice ids, their URLs, failed records
        self._since = clock()  # when reading the group's first page began

    def add(self, notices: Sequence[Notice], errors: Sequence[RecordError]) -> None:
        keys = {key for notice in notices for key in (notice.notice_id, notice.source_url) if key}
        keys.update(error.record for error in errors if error.record)
        if not self._keys.isdisjoint(keys):
            self.store()
        self._notices += notices
        self._errors += errors
        self._keys |= keys
        if len(self._notices) + len(self._errors) >= self._limit or self._clock() - self._since >= self._seconds:
            self.store()

    def store(self) -> None:
        """Store what waits (taken out first: a store that failed is not tried again by the next call)."""
        notices, errors = self._notices, self._errors
        self._notices, self._errors, self._keys = [], [], set()
        try:
            if notices or errors:
                self._store_pages(notices, errors)
        finally:
            self._since = self._clock()  # the next page is read from now on


def _store_page(
    store: Store, source: str, scope: str, notices: Sequence[Notice], errors: Sequence[RecordError], summary: CollectionSummary,
    *, advance: bool = True,
) -> None:
    """One page (or a ``PageGroup``'s pages), one transaction: upsert, quarantine (refused or pending), resolve,
    advance the watermark.

    The watermark moves only with the notices it vouches for, in their transaction; records left
    pending are fetched again by key at the next run's start, so moving past their date loses nothing.
    """
    _warn_unknown_cpv(source, notices, summary)
    with store.session() as session, session.begin():
        summary.saved += save_notices(session, notices)
        for error in errors:
            if _is_warning(error):
                summary.warnings.append(str(error))
                log.warning("%s: %s", source, error)
                continue
            quarantine(session, source, error, payload=getattr(error, "payload", None))
            if isinstance(error, PendingRecord):
                summary.pending += 1
                log.warning("%s: pending, fetched again by the next run: %s", source, error)
            else:
                summary.quarantined += 1
                log.warning("%s: quarantined %s", source, error)
        keys = [n.notice_id for n in notices] + [n.source_url for n in notices if n.source_url]
        resolve_quarantined(session, source, keys)
        if notices and advance:
            newest = max(n.published for n in notices).isoformat()
            set_watermark(session, source, scope, newest)
            summary.watermark = max(summary.watermark or "", newest)


def _warn_unknown_cpv(source: str, notices: Sequence[Notice], summary: CollectionSummary) -> None:
    """A code outside CPV 2008 is kept as published (it may be newer than our list) but said aloud."""
    known = cpv_codes()
    for notice in notices:
        unknown = [code for code in notice.cpv if code not in known]
        if unknown:
            message = f"{source}: notice {notice.notice_id} has CPV code(s) not in CPV 2008: {', '.join(unknown)} (kept)"
            summary.warnings.append(message)
            log.warning(message)


def _is_warning(error: RecordError) -> bool:
    """A notice that was stored in part (e.g. TenderNed JSON without its XML) is a warning, not a loss."""
    return isinstance(error, RecordWarning)


def _run(
    store: Store,
    source: str,
    scope: str,
    summary: CollectionSummary,
    pages: Iterator[tuple[list[Notice], list[RecordError]]],
    progress: ProgressHook | None,
    retry: Callable[[list[tuple[str, str]]], tuple[list[Notice], list[RecordError]]] | None = None,
) -> CollectionSummary:
    with store.session() as session:
        keys = pending_keys(session, source) if retry is not None else []

    def counts() -> dict[str, Any]:
        return {"fetched": summary.fetched, "added": summary.saved.added, "updated": summary.saved.updated,
                "unchanged": summary.saved.unchanged, "quarantined": summary.quarantined,
                "details": {**summary.as_row(), "until": summary.until.isoformat() if summary.until else None,
                            "warnings": summary.warnings[:20], **({"label": summary.label} if summary.label else {})}}

    def stopped(exc: Exception) -> None:
        log.error("%s: collection stopped, will resume from watermark %s: %s", source, summary.watermark, exc)

    with collection_run(store, source, summary, counts=counts, expected=(SourceUnavailableError, SourceRequestError),
                        on_stop=stopped):
        if keys and retry is not None:
            notices, errors = retry(keys)
            summary.retried, summary.recovered = len(keys), len(notices)
            _store_page(store, source, scope, notices, errors, summary, advance=False)
        group = PageGroup(lambda notices, errors: _store_page(store, source, scope, notices, errors, summary))
        try:
            while True:
                # a page is read with the cyclic collector paused: its notices and documents are all alive until
                # stored, so collections during it freed nothing; what it left in cycles is collected as the next
                # page starts
                with collector_paused():
                    page = next(pages, None)
                    if page is None:
                        break
                    notices, errors = page
                    summary.pages += 1
                    summary.fetched += len(notices) + sum(1 for e in errors if not _is_warning(e))
                    group.add(notices, errors)
                if progress:
                    progress(source, len(notices), summary)
        finally:  # the pages read before an outage (or the last ones) are kept
            group.store()
        if summary.pending:
            summary.status = "incomplete"
            summary.error = f"{summary.pending} listed record(s) could not be got this time; the next run fetches them again"
    return summary


#: Pages of (notices, per-record errors) for one source, from a start date up to an end date.
PageReader = Callable[[Settings, date, date | None, httpx.BaseTransport | None], Iterator[tuple[list[Notice], list[RecordError]]]]


def _ted_pages(settings: Settings, start: date, until: date | None, transport: httpx.BaseTransport | None):
    with ted.make_client(settings.ted, settings.http, transport=transport) as client:
        for hits in ted.search_pages(client, settings.ted, since=start, until=until):
            yield ted.collect_page(client, settings.ted, hits)


def _ted_fetch(settings: Settings, keys: list[tuple[str, str]], transport: httpx.BaseTransport | None):
    """Pending TED notices by publication number, from the link the search gave when the entry kept it."""
    with ted.make_client(settings.ted, settings.http, transport=transport) as client:
        return ted.fetch_notices(client, settings.ted, [(key, where if where.startswith("http") else None) for key, where in keys])


def _tenderned_fetch(settings: Settings, keys: list[tuple[str, str]], transport: httpx.BaseTransport | None):
    with tenderned.make_client(settings.tenderned, settings.http, transport=transport) as client:
        return tenderned.collect_page(client, settings.tenderned, [{"publicatieId": key} for key, _ in keys])


#: Fetch records by key: the pending ones of earlier runs, and ``supplyradar quarantine retry``.
RECORD_FETCHERS = {"ted": _ted_fetch, "tenderned": _tenderned_fetch}


def _tenderned_pages(settings: Settings, start: date, until: date | None, transport: httpx.BaseTransport | None):
    access = XmlAccess()  # one run: refused for want of an account, it stops asking for the XML
    with tenderned.make_client(settings.tenderned, settings.http, transport=transport) as client:
        for summaries in tenderned.list_pages(client, settings.tenderned, since=start, until=until):
            yield tenderned.collect_page(client, settings.tenderned, summaries, access=access)


#: Per source: how to page through it, its watermark scope, and where a first run starts.
SOURCE_READERS: dict[str, tuple[PageReader, Callable[[Settings], str], Callable[[Settings], str]]] = {
    "ted": (_ted_pages, ted_scope, lambda s: s.ted.start_date),
    "tenderned": (_tenderned_pages, tenderned_scope, lambda s: s.tenderned.start_date),
}


def collect_source(
    store: Store,
    settings: Settings,
    source: str,
    *,
    since: date | None = None,
    until: date | None = None,
    transport: httpx.BaseTransport | None = None,
    progress: ProgressHook | None = None,
    label: str | None = None,
) -> CollectionSummary:
    """Collect one source's notices published from ``since`` (default: its watermark) up to ``until``.

    ``label`` names what the run is part of in its ``collection_runs`` details (a backfill chunk).
    """
    if source not in SOURCE_READERS:
        raise ValueError(f"unknown source {source!r}; known: {', '.join(SOURCES)}")
    read_pages, scope_of, first_date = SOURCE_READERS[source]
    scope = scope_of(settings)
    with store.session() as session:
        start = _resume_date(get_watermark(session, source, scope), first_date(settings), since)
    summary = CollectionSummary(source, start, until, label=label)
    fetch = RECORD_FETCHERS[source]
    return _run(store, source, scope, summary, read_pages(settings, start, until, transport), progress,
                retry=lambda keys: fetch(settings, keys, transport))


def collect_ted(store: Store, settings: Settings, **kwargs) -> CollectionSummary:
    return collect_source(store, settings, "ted", **kwargs)


def collect_tenderned(store: Store, settings: Settings, **kwargs) -> CollectionSummary:
    return collect_source(store, settings, "tenderned", **kwargs)


def collect_all(
    store: Store,
    settings: Settings,
    *,
    sources: Sequence[str] = SOURCES,
    since: date | None = None,
    until: date | None = None,
    transport: httpx.BaseTransport | None = None,
    progress: ProgressHook | None = None,
) -> list[CollectionSummary]:
    unknown = set(sources) - set(SOURCE_READERS)
    if unknown:
        raise ValueError(f"unknown source(s): {', '.join(sorted(unknown))}; known: {', '.join(SOURCES)}")
    return [
        collect_source(store, settings, s, since=since, until=until, transport=transport, progress=progress)
        for s in sources
    ]



def retry_quarantined(
    store: Store, settings: Settings, source: str, *, transport: httpx.BaseTransport | None = None
) -> CollectionSummary:
    """Fetch every open entry of ``source`` again by its key (pending and refused alike), on demand.

    What comes in is stored and closes its entry; what fails again stays open with one more
    attempt. The watermark does not move: these records are older than it.
    """
    if source not in RECORD_FETCHERS:
        raise ValueError(f"cannot fetch {source!r} records by key; can: {', '.join(RECORD_FETCHERS)}")
    summary = CollectionSummary(source, date.today(), None)
    with store.session() as session:
        keys = pending_keys(session, source, include_refused=True)
    if not keys:
        return summary
    notices, errors = RECORD_FETCHERS[source](settings, keys, transport)
    summary.retried, summary.recovered, summary.fetched = len(keys), len(notices), len(keys)
    _store_page(store, source, SOURCE_READERS[source][1](settings), notices, errors, summary, advance=False)
    if summary.pending:
        summary.status = "incomplete"
    return summary
