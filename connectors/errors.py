"""Exceptions raised by connectors and notice parsers.

Each says who raises it and when, so a flow can decide: retry, quarantine the record, or stop.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable


class ConnectorError(Exception):
    """Base class of everything a connector raises on purpose."""


class SourceUnavailableError(ConnectorError):
    """Raised by the HTTP helper when retries are exhausted (429, 5xx, timeouts, connection errors).

    The collection stops here and resumes from its watermark on the next run.
    """

    def __init__(self, source: str, url: str, reason: str) -> None:
        super().__init__(f"{source}: {url} unavailable after retries: {reason}")
        self.source, self.url, self.reason = source, url, reason


class SourceRequestError(ConnectorError):
    """Raised by the HTTP helper on a permanent 4xx (bad query, bad credentials, not found).

    Retrying cannot help; the message carries the status and the start of the body.
    """

    def __init__(self, source: str, url: str, status: int, detail: str) -> None:
        super().__init__(f"{source}: {url} answered {status}: {detail}")
        self.source, self.url, self.status, self.detail = source, url, status, detail


class RecordError(ConnectorError):
    """A single record (notice, page item, row) is unusable: it is quarantined, the batch goes on.

    ``where`` names the file or URL, ``record`` the record's id (when known), ``field`` the
    field or XPath at fault.
    """

    def __init__(self, where: str, reason: str, *, record: str | None = None, field: str | None = None) -> None:
        parts = [where]
        if record:
            parts.append(f"record {record}")
        if field:
            parts.append(f"field {field}")
        super().__init__(f"{': '.join([', '.join(parts), reason])}")
        self.where, self.reason, self.record, self.field = where, reason, record, field


class RecordWarning(RecordError):
    """Not a lost record: it was stored, but incomplete (e.g. a TenderNed notice whose XML was refused).

    Collections log these instead of quarantining them.
    """


class NotANoticeError(RecordError):
    """The document parses as XML but is neither an eForms notice nor a TED R2.0.9 export."""


class MalformedNoticeError(RecordError):
    """The document is a notice but broken: not well-formed XML, or a required field is missing."""


class PendingRecord(RecordError):
    """A record we could not get this time, though it is listed: fetched again by the next run.

    Raised for answers that say nothing about the record itself: a cut, empty or HTML body, a 404
    on a notice listed minutes ago, a 5xx after every retry, a register's "no result" for a case it
    just announced. The store keeps it *pending* under its id (publication number, case number);
    the next run (or ``supplyradar quarantine retry``) fetches it before going on from the
    watermark, and a later success closes the entry. Only a well-formed answer that is not a valid
    record is quarantined for a person (a plain ``RecordError``).
    """


class ResponseTooLargeError(SourceRequestError):
    """An answer over the configured size or time budget: refused, naming the URL and the limit."""


_noted: set[tuple[str, str, str]] = set()


def note_unexpected_fields(
    log: logging.Logger, source: str, what: str, fields: Iterable[str], known: Collection[str], *, where: str | None = None,
) -> None:
    """Fields a source sends that its connector does not know: a format change someone should look at.

    The record is still read (the field is not kept). Every connector says it the same way: one
    WARNING per (source, kind of record, field) per process, naming where it was first seen, so a
    new field in every row of a long collection is one line, not thousands.
    """
    unknown = set(fields).difference(known)  # (mostly empty: every record of every collection comes here)
    if not unknown:
        return
    new = sorted(name for name in unknown if (source, what, name) not in _noted)
    if not new:
        return
    _noted.update((source, what, name) for name in new)
    log.warning("%s: unexpected %s field(s) %s%s (not kept; format change?)", source, what, ", ".join(map(repr, new)),
                f" at {where}" if where else "")
