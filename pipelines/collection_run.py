"""One collection run's bookkeeping, written once: a ``collection_runs`` row opened, and closed whatever happens.

Every collector (tenders, news, the sanctions list, the company registers, the TenderNed data set)
records what it did the same way: the row is opened in its own transaction before any work, so a
crash still leaves a trace; a source that fails the way sources fail (an outage, a refused request)
ends the run as ``failed`` with the reason and the batch is not lost (what was stored stays stored,
the watermark says where to resume); a SQLite store locked by another process ends it as ``failed`` with
advice (nothing lost: the next run fetches again); anything else also marks the run failed and is raised,
so that a bug is never a quiet "0 new". The counts are read from the summary when the run closes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Protocol

from sqlalchemy.exc import OperationalError

from store.bookkeeping import finish_run, start_run
from store.db import Store
from store.locks import LOCKED_ADVICE, is_locked

log = logging.getLogger(__name__)


class RunStatus(Protocol):
    """What a run's summary carries: ``status`` ("ok" or "failed") and the error in words."""

    status: str
    error: str | None


class Outcome:
    """A bare status holder, for collectors whose summary has no status of its own."""

    def __init__(self) -> None:
        self.status = "ok"
        self.error: str | None = None


@contextmanager
def collection_run(
    store: Store,
    source: str,
    summary: RunStatus,
    *,
    counts: Callable[[], Mapping[str, Any]],
    expected: tuple[type[Exception], ...] = (),
    on_stop: Callable[[Exception], None] | None = None,
    report_locked: bool = True,
) -> Iterator[int]:
    """Open a run for ``source``, yield its id, and close it with ``summary``'s status and ``counts()``.

    ``expected`` are the failures of the source itself: they end the run as failed and are not raised
    (``on_stop`` says in the log where the next run resumes; by default one line naming the source).
    ``report_locked=False`` (the file imports, whose report has no status to carry it) raises a locked
    store like any other error instead of ending the run with the advice.
    Anything else marks the run failed and propagates.
    """
    with store.session() as session, session.begin():
        run_id = start_run(session, source)
    try:
        yield run_id
    except expected as exc:
        summary.status, summary.error = "failed", str(exc)
        if on_stop is not None:
            on_stop(exc)
        else:
            log.error("%s: collection stopped: %s", source, exc)
    except OperationalError as exc:
        if not (report_locked and is_locked(exc)):
            summary.status, summary.error = "failed", f"{type(exc).__name__}: {exc}"
            raise
        summary.status, summary.error = "failed", LOCKED_ADVICE
        log.error("%s: %s", source, LOCKED_ADVICE)
    except BaseException as exc:
        summary.status, summary.error = "failed", f"{type(exc).__name__}: {exc}"
        raise
    finally:
        with store.session() as session, session.begin():
            finish_run(session, run_id, status=summary.status, error=summary.error, **counts())
