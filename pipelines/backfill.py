"""Backfill: collect a long history in monthly chunks that a restart skips once done.

A chunk is marked done (a watermark ``backfill:<scope>:<YYYY-MM>``) only after every page of it
was stored, so an interrupted backfill continues with the chunk it was in; the chunk's pages
already stored are simply upserted again (idempotent). Chunks keep requests and, for TenderNed,
the list window held in memory small.

Chunks are independent (one source, one month): ``plan_chunks`` lists them and ``run_chunk``
runs one, so the same chunk can run here in a loop (``backfill``) or as its own Prefect flow run
on any worker of a work pool (``flows.backfill``). Each chunk is its own collection run
(``collection_runs.details`` ``label``, e.g. "backfill ted:2024-03"). A source's rate limit is honoured across workers
by a Prefect concurrency limit per source, ``source_limit_name`` with ``source_slots`` slots.
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import httpx

from config.settings import Settings
from pipelines.collect_tenders import SOURCE_READERS, CollectionSummary, collect_source
from store.bookkeeping import get_watermark, refresh_statistics, set_watermark
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

    def problems(self) -> list[str]:
        """What is left to do, in words (rich markup), each saying that the same command continues it."""
        lines = []
        if self.incomplete:
            pending = ", ".join(f"{m:%Y-%m}" for m in self.incomplete)
            lines.append(f"[yellow]{self.source}: records left pending in {pending}[/yellow] "
                         "Run the same command again to fetch them.")
        if self.stopped_at is not None:
            error = self.summaries[-1].error if self.summaries else ""
            lines.append(f"[red]{self.source}: stopped at {self.stopped_at:%Y-%m}: {error}[/red] "
                         "Run the same command again to continue.")
        return lines


def chunk_status(summary: CollectionSummary | None) -> str:
    """A chunk's outcome in a few words, for progress displays (``None``: collected by an earlier run)."""
    return "done before" if summary is None else f"{summary.saved.added} new, {summary.quarantined} quarantined"


def month_bound(value: str, *, last: bool) -> date:
    """An ISO date, or a month (``YYYY-MM``) meaning its first day (or its last, with ``last``).

    Raises ValueError for anything else.
    """
    if len(value) != 7:
        return date.fromisoformat(value)
    first = date.fromisoformat(f"{value}-01")
    return first.replace(day=calendar.monthrange(first.year, first.month)[1]) if last else first


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


@dataclass(frozen=True, slots=True)
class Chunk:
    """One independent piece of a backfill: one source, one calendar month (cut to the window)."""

    source: str
    start: date
    end: date

    @property
    def label(self) -> str:
        return f"{self.source}:{self.start:%Y-%m}"


def plan_chunks(sources: Sequence[str], start: date, end: date) -> list[Chunk]:
    """Every (month, source) chunk of the window, month by month, so the sources advance side by side."""
    unknown = [s for s in sources if s not in SOURCE_READERS]
    if unknown:
        raise ValueError(f"unknown source(s): {', '.join(unknown)}; known: {', '.join(SOURCE_READERS)}")
    return [Chunk(source, first, last) for first, last in month_chunks(start, end) for source in dict.fromkeys(sources)]


@dataclass(slots=True)
class ChunkOutcome:
    chunk: Chunk
    #: None when the chunk was done before and skipped without a request.
    summary: CollectionSummary | None

    @property
    def status(self) -> str:
        """skipped (done before), ok, incomplete (records left pending: not marked done) or failed."""
        return "skipped" if self.summary is None else self.summary.status

    @property
    def loaded(self) -> int:
        """Notices added or changed by this chunk."""
        return 0 if self.summary is None else self.summary.saved.added + self.summary.saved.updated

    def as_row(self) -> dict[str, object]:
        row: dict[str, object] = {"chunk": self.chunk.label, "status": self.status}
        if self.summary is not None:
            saved = self.summary.saved
            row.update(pages=self.summary.pages, added=saved.added, updated=saved.updated, unchanged=saved.unchanged,
                       quarantined=self.summary.quarantined, pending=self.summary.pending, error=self.summary.error or "")
        return row


def run_chunk(
    store: Store, settings: Settings, chunk: Chunk, *, transport: httpx.BaseTransport | None = None,
    today: date | None = None,
) -> ChunkOutcome:
    """Collect one chunk unless it was done before; mark it done once every page of it is stored.

    Safe to run twice, also at the same time on two machines: the notices are upserted, the chunk's
    watermark is only ever set to "done", and the source's own watermark only moves forward.
    """
    today = today or date.today()
    scope = chunk_scope(settings, chunk.source, chunk.start)
    with store.session() as session:
        already = get_watermark(session, chunk.source, scope) == DONE
    # A month still running (it ends today or later) is never marked done: it is not complete yet.
    if already and chunk.end < today:
        return ChunkOutcome(chunk, None)
    summary = collect_source(store, settings, chunk.source, since=chunk.start, until=chunk.end, transport=transport,
                             label=f"backfill {chunk.label}")
    if summary.status == "ok" and chunk.end < today:
        with store.session() as session, session.begin():
            set_watermark(session, chunk.source, scope, DONE)
    return ChunkOutcome(chunk, summary)


def refresh_after_backfill(store: Store, loaded: int | None) -> bool:
    """One ``ANALYZE`` (PostgreSQL only) after a backfill that loaded anything (``None``: not known, so
    analyse): its chunks may each be small, together they are a bulk load. True when it ran."""
    if loaded is not None and loaded <= 0:
        return False
    with store.session() as session, session.begin():
        return refresh_statistics(session)


#: The Prefect global concurrency limit that every backfill chunk of a source takes a slot of.
def source_limit_name(source: str) -> str:
    if source not in SOURCE_READERS:
        raise ValueError(f"unknown source {source!r}; known: {', '.join(SOURCE_READERS)}")
    return f"source-{source}"


def source_slots(settings: Settings, source: str) -> int:
    """How many chunks of ``source`` may run at once: each paces itself at one request per
    ``min_interval_seconds``, so n of them together send n / interval requests a second, which must
    stay within the source's ``max_requests_per_second``. At least one."""
    source_settings = {"ted": settings.ted, "tenderned": settings.tenderned}[source]
    combined = source_settings.max_requests_per_second * source_settings.min_interval_seconds
    return max(1, math.floor(combined + 1e-9))


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
    """The chunks of one source, one after the other in this process (no Prefect needed)."""
    report = BackfillReport(source)
    for chunk in plan_chunks([source], start, end):
        report.chunks += 1
        outcome = run_chunk(store, settings, chunk, transport=transport)
        if on_chunk:
            on_chunk(source, chunk.start, outcome.summary)
        if outcome.summary is None:
            report.skipped += 1
            continue
        report.summaries.append(outcome.summary)
        if outcome.status == "incomplete":  # stored what came; the pending records come with the next run
            report.incomplete.append(chunk.start)
            continue
        if outcome.status != "ok":
            report.stopped_at = chunk.start
            break
    refresh_after_backfill(store, sum(s.saved.added + s.saved.updated for s in report.summaries))
    return report
