"""Backfill: collect a long history in monthly chunks that a restart skips once done.

A chunk is marked done (a watermark ``backfill:<scope>:<YYYY-MM>``) only after every page of it
was stored, so an interrupted backfill continues with the chunk it was in; the chunk's pages
already stored are simply upserted again (idempotent). Chunks keep requests and, for TenderNed,
the list window held in memory small.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

import httpx

from config.settings import Settings
from pipelines.collect_tenders import SOURCE_READERS, CollectionSummary, collect_source
from store.bookkeeping import get_watermark, set_watermark
from store.db import Store

DONE = "done"

#: Called after each chunk with (source, chunk start, summary or None when skipped as done before).
ChunkHook = Callable[[str, date, CollectionSummary | None], None]


@dataclass(slots=True)
class BackfillReport:
    source: str
    chunks: int = 0
    skipped: int = 0
    summaries: list[CollectionSummary] = field(default_factory=list)
    stopped_at: date | None = None  # the chunk that failed; the next run starts there
    #: Months collected with records left pending: not marked done, so the next backfill collects them again.
    incomplete: list[date] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.stopped_at is None and not self.incomplete


def month_chunks(start: date, end: date) -> Iterator[tuple[date, date]]:
    """Calendar months from ``start`` to ``end`` (both inclusive), the first and last cut to the window."""
    if end < start:
        raise ValueError(f"the backfill ends ({end}) before it starts ({start})")
    cursor = start
    while cursor <= end:
        next_month = (cursor.replace(day=1) + timedelta(days=32)).replace(day=1)
        yield cursor, min(next_month - timedelta(days=1), end)
        cursor = next_month


def chunk_scope(settings: Settings, source: str, chunk_start: date) -> str:
    _, scope_of, _ = SOURCE_READERS[source]
    return f"backfill:{scope_of(settings)}:{chunk_start:%Y-%m}"


def backfill(
    store: Store,
    settings: Settings,
    source: str,
    *,
    start: date,
    end: date,
    transport: httpx.BaseTransport | None = None,
    on_chunk: ChunkHook | None = None,
) -> BackfillReport:
    report = BackfillReport(source)
    for chunk_start, chunk_end in month_chunks(start, end):
        report.chunks += 1
        scope = chunk_scope(settings, source, chunk_start)
        with store.session() as session:
            already = get_watermark(session, source, scope) == DONE
        # A month still running (it ends today or later) is never marked done: it is not complete yet.
        if already and chunk_end < date.today():
            report.skipped += 1
            if on_chunk:
                on_chunk(source, chunk_start, None)
            continue
        summary = collect_source(store, settings, source, since=chunk_start, until=chunk_end, transport=transport)
        report.summaries.append(summary)
        if on_chunk:
            on_chunk(source, chunk_start, summary)
        if summary.status == "incomplete":  # stored what came; the pending records come with the next run
            report.incomplete.append(chunk_start)
            continue
        if summary.status != "ok":
            report.stopped_at = chunk_start
            break
        if chunk_end < date.today():
            with store.session() as session, session.begin():
                set_watermark(session, source, scope, DONE)
    return report
