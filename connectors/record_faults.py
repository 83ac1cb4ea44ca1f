"""Sorting one record's failure into "fetch it again" (pending) and "a person must look" (quarantined).

Why here, once: every connector that fetches records one by one (TED XML, TenderNed details, CIR
cases) meets the same faults, and losing a record for good because its answer was cut once is the
costliest mistake a collector can make. The rule: an answer that tells us nothing about the record
(no body, a cut or HTML body, 404 right after the listing named it, the source unavailable after
retries, a "no result" for a case just announced) makes the record *pending*; only a well-formed
answer that is not a valid record is quarantined.
"""

from __future__ import annotations

from connectors.errors import (
    MalformedNoticeError,
    NotANoticeError,
    PendingRecord,
    RecordError,
    SourceUnavailableError,
)

#: After this many records in a row failed because the source was unavailable, the source is down:
#: the run stops (and resumes from its watermark) instead of spending retries on every record.
MAX_UNAVAILABLE_IN_A_ROW = 3


def sort_failure(error: RecordError, data: bytes | None, record: str) -> RecordError:
    """``error`` as a ``PendingRecord`` when the answer says nothing about the record, else as it is.

    ``record`` (the id the listing gave) always names the failure, so a later success closes it:
    a parser sniffing an id out of a cut document may find another spelling of it.
    """
    error.record = record
    if isinstance(error, PendingRecord):
        return error
    if data is None or not data.strip():
        reason = error.reason if data is None else "empty answer"
        return _pending(error, reason)
    if isinstance(error, NotANoticeError) and error.field == "html":
        return _pending(error, "an HTML page instead of the record (maintenance or error page)")
    if isinstance(error, MalformedNoticeError) and error.reason.startswith("not well-formed XML"):
        return _pending(error, f"cut or broken answer ({error.reason})")
    return error


def unavailable(exc: SourceUnavailableError, record: str) -> PendingRecord:
    return PendingRecord(exc.url, f"unavailable after retries: {exc.reason}", record=record)


def _pending(error: RecordError, reason: str) -> PendingRecord:
    pending = PendingRecord(error.where, f"{reason}; fetched again by the next run", record=error.record, field=error.field)
    pending.payload = getattr(error, "payload", None)  # type: ignore[attr-defined]  # for the quarantine table
    return pending


class UnavailableStreak:
    """Counts records in a row lost to an unavailable source; raises once the source looks down."""

    def __init__(self, limit: int = MAX_UNAVAILABLE_IN_A_ROW) -> None:
        self.limit, self.count = limit, 0

    def failed(self, exc: SourceUnavailableError) -> None:
        self.count += 1
        if self.count >= self.limit:
            raise exc

    def succeeded(self) -> None:
        self.count = 0
