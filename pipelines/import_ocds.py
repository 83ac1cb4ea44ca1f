"""Import OCDS files into the store: releases merged per ocid, streamed, saved in batches.

A plain function (the CLI command, the TenderNed import and any flow call it). Releases of one
process may sit anywhere in a file, and in several files (a tender in December, its award in
January's file), so the import runs in two passes, like the TenderNed one:

1. stream every file (``connectors.ocds_read``), set unusable entries aside for the quarantine
   (not an object, no ocid), and spool the others into a temporary SQLite file keyed by ocid;
2. read the spool back one ocid at a time, compile the process (``connectors.ocds``), map it to a
   ``Notice`` and save ``batch_size`` notices per transaction.

Memory stays flat whatever the file size: one process and one batch at a time. A batch the database
refuses (an odd value PostgreSQL will not take) is saved notice by notice, and only the refused notices
are quarantined. Files given together
are merged together. Re-importing changes nothing (``save_notices`` skips unchanged notices, and a
copy without awards never erases the awards another copy brought). A broken file is reported by
name; the entries read before the break are still imported.
"""

from __future__ import annotations

import json
import logging
import tempfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.exc import DBAPIError

from connectors import ocds
from connectors.errors import RecordError, RecordWarning
from connectors.ocds_read import OcdsFileError, entry_ocid, iter_entries
from connectors.records import Notice
from pipelines.collection_run import Outcome, collection_run
from store.bookkeeping import quarantine, resolve_quarantined
from store.db import Store
from store.notice_counts import count_awards
from store.notices import save_notices
from store.spool import GroupSpool

log = logging.getLogger(__name__)

#: Called with (phase, done, total): phase "read" counts entries (total unknown), "save" processes.
ProgressHook = Callable[[str, int, int | None], None]
#: Warnings kept word for word in the report (all of them are logged and counted per field).
KEEP_WARNINGS = 50
#: Rejections kept word for word in the report (a broken file must not fill the memory with them).
KEEP_REJECTED = 1000


@dataclass(slots=True)
class OcdsImportReport:
    """What the files brought: enough to tell a clean import, a repeat and a partly broken file apart."""

    files: list[str]
    entries_read: int = 0
    processes: int = 0
    notices_added: int = 0
    notices_updated: int = 0
    duplicates_skipped: int = 0
    awards_added: int = 0
    #: The first ``KEEP_REJECTED`` rejected entries and processes (all of them are in the quarantine).
    rejected: list[RecordError] = field(default_factory=list)
    rejected_total: int = 0
    warnings: list[RecordWarning] = field(default_factory=list)
    warning_fields: Counter[str] = field(default_factory=Counter)
    failed_files: dict[str, str] = field(default_factory=dict)

    def as_row(self) -> dict[str, Any]:
        return {
            "files": ", ".join(Path(f).name for f in self.files),
            "entries read": self.entries_read,
            "processes": self.processes,
            "added": self.notices_added,
            "updated": self.notices_updated,
            "duplicates skipped": self.duplicates_skipped,
            "awards added": self.awards_added,
            "rejected": self.rejected_total,
            "warnings": sum(self.warning_fields.values()),
        }


def import_ocds(
    store: Store,
    paths: Sequence[Path | str],
    *,
    batch_size: int = 500,
    progress: ProgressHook | None = None,
    publisher: str | None = None,
) -> OcdsImportReport:
    """Import OCDS files (packages, records, JSON Lines, gzip); one report for them all.

    ``publisher`` names the publisher where a file does not (the TenderNed import says "TenderNed", so that
    release ids are known to be TenderNed publication ids).
    """
    paths = [Path(p) for p in paths]
    report = OcdsImportReport(files=[str(p) for p in paths])
    outcome = Outcome()

    def counts() -> dict[str, int]:
        return {"fetched": report.entries_read, "added": report.notices_added, "updated": report.notices_updated,
                "unchanged": report.duplicates_skipped, "quarantined": report.rejected_total}

    with (
        collection_run(store, ocds.SOURCE, outcome, counts=counts, report_locked=False),
        tempfile.TemporaryDirectory(prefix="ocds-import-") as tmp,
        GroupSpool(Path(tmp) / "entries.db") as spool,
    ):
        for path in paths:
            _read_file(store, path, spool, report, progress, publisher)
        report.processes = spool.keys()
        _save_pass(store, spool, report, batch_size, progress)
        if report.failed_files:  # the run is "ok" (what could be read is in), its error names the broken files
            outcome.error = "; ".join(f"{Path(f).name}: {r}" for f, r in report.failed_files.items())
    return report


# --- Pass 1: stream, reject, spool ------------------------------------------------------------


def _read_file(
    store: Store, path: Path, spool: GroupSpool, report: OcdsImportReport, progress: ProgressHook | None, publisher: str | None
) -> None:
    rejected: list[tuple[RecordError, Any]] = []
    try:
        for entry in iter_entries(path):
            report.entries_read += 1
            ocid = entry_ocid(entry)
            if entry.kind == "invalid" or ocid is None:
                field_name = "(entry)" if entry.kind == "invalid" else "ocid"
                reason = entry.reason or ("not a release or record object" if entry.kind == "invalid"
                                          else "no ocid: a release or record without ocid cannot be stored")
                record = f"{path.name} {entry.position}"  # the file's name too: "line 2" alone is in every file
                rejected.append((RecordError(str(path), reason, record=record, field=field_name), entry.data))
                if len(rejected) >= 1000:  # a badly broken file must not pile its rejects up in memory
                    _quarantine(store, rejected, [], report)
                    rejected.clear()
            else:
                spool.add(ocid, _Spooled(entry.kind, str(path), entry.position, entry.publisher or publisher, entry.data))
            if progress and report.entries_read % 1000 == 0:
                progress("read", report.entries_read, None)
    except (OcdsFileError, OSError) as exc:
        reason = getattr(exc, "reason", str(exc))
        report.failed_files[str(path)] = reason
        log.error("%s: %s (entries read before it are imported)", path, reason)
    _quarantine(store, rejected, [], report)


def _quarantine(store: Store, errors: list[tuple[RecordError, Any]], good: list[str], report: OcdsImportReport) -> None:
    with store.session() as session, session.begin():
        for error, data in errors:
            payload = json.dumps(data, default=str, ensure_ascii=False).encode("utf-8")
            quarantine(session, ocds.SOURCE, error, payload=payload)
            log.warning("ocds: quarantined %s", error)
            report.rejected_total += 1
            if len(report.rejected) < KEEP_REJECTED:
                report.rejected.append(error)
        if good:
            resolve_quarantined(session, ocds.SOURCE, good)


# --- Pass 2: one process at a time, saved per batch --------------------------------------------


def _save_pass(store: Store, spool: GroupSpool, report: OcdsImportReport, batch_size: int, progress: ProgressHook | None) -> None:
    batch: list[tuple[Notice, str, str]] = []  # (notice, quarantine key, file)
    errors: list[tuple[RecordError, Any]] = []
    done = 0
    for ocid, entries in spool.groups():
        key = f"{Path(entries[0].file).name} {entries[0].position}, ocid {ocid}"
        try:
            mapped = _map_process(ocid, entries, key)
        except RecordError as exc:
            errors.append((exc, [e.data for e in entries]))
        else:
            batch.append((mapped.notice, key[:500], entries[0].file))
            for warning in mapped.warnings:
                report.warning_fields[warning.field or ""] += 1
                if len(report.warnings) < KEEP_WARNINGS:
                    report.warnings.append(warning)
                log.warning("ocds: %s", warning)
        done += 1
        if len(batch) + len(errors) >= batch_size:
            _save_batch(store, batch, errors, report)
            if progress:
                progress("save", done, report.processes)
    _save_batch(store, batch, errors, report)
    if progress:
        progress("save", done, report.processes)


def _map_process(ocid: str, entries: list[_Spooled], key: str) -> ocds.Mapped:
    where = entries[0].file
    records = [e.data for e in entries if e.kind == "record"]
    releases = [e.data for e in entries if e.kind == "release"]
    publisher = next((e.publisher for e in entries if e.publisher), None)
    if records:
        releases = [*ocds.full_releases(records[-1]), *releases]
        compiled = records[-1].get("compiledRelease")
        if not isinstance(compiled, dict):
            if not releases:
                raise ocds.OcdsRecordError(where, "record without compiledRelease or full releases", record=key,
                                           field="compiledRelease")
            compiled = ocds.compile_releases(releases, where=where, record=key)
    else:
        compiled = ocds.compile_releases(releases, where=where, record=key)
    compiled = {**compiled, "ocid": compiled.get("ocid") or ocid}
    return ocds.notice_from_process(compiled, releases, where=where, record=key, publisher=publisher)


def _save_batch(store: Store, batch: list[tuple[Notice, str, str]], errors: list[tuple[RecordError, Any]],
                report: OcdsImportReport) -> None:
    """One transaction for the batch; if the database refuses it, one per notice, and the refused ones quarantined."""
    saved_keys: list[str] = []
    if batch:
        try:
            _save(store, [notice for notice, _, _ in batch], report)
            saved_keys = [key for _, key, _ in batch]
        except DBAPIError:
            for notice, key, where in batch:
                try:
                    _save(store, [notice], report)
                    saved_keys.append(key)
                except DBAPIError as exc:
                    reason = f"the store refused it: {type(exc.orig).__name__}: {str(exc.orig).splitlines()[0][:300]}"
                    errors.append((RecordError(where, reason, record=key, field=None), notice.to_json()))
    _quarantine(store, errors, saved_keys, report)
    errors.clear()
    batch.clear()


def _save(store: Store, notices: list[Notice], report: OcdsImportReport) -> None:
    ids = [n.notice_id for n in notices]
    with store.session() as session, session.begin():
        before = count_awards(session, ocds.SOURCE, ids)
        saved = save_notices(session, notices)
        awards = count_awards(session, ocds.SOURCE, ids) - before
    report.awards_added += awards
    report.notices_added += saved.added
    report.notices_updated += saved.updated
    report.duplicates_skipped += saved.unchanged


@dataclass(frozen=True, slots=True)
class _Spooled:
    """One entry as spooled (``store.spool``): the parsed JSON with where it came from."""

    kind: str
    file: str
    position: str
    publisher: str | None
    data: Any


__all__ = ["OcdsImportReport", "import_ocds"]
