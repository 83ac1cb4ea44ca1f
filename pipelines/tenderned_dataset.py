"""Import TenderNed's open-data files into the store, in batches, without holding a file in memory.

A plain function (the CLI command and the Prefect flow both call it). The files list one row
per lot award, normally sorted by publication, but nothing promises that, and ``save_notices``
replaces a stored notice whole: a publication whose rows were saved in two batches would keep
only the later rows. So the import runs in two passes:

1. read and parse every row (streamed), set bad rows aside for the quarantine, and spool the
   good ones into a temporary SQLite file indexed by publication id (``store.spool``);
2. read the spool back grouped by publication id, build one ``Notice`` per publication and
   save them ``batch_size`` at a time, one transaction per batch.

Memory therefore stays flat whatever the file size (one batch plus SQLite's page cache), and a
publication's rows are always merged, wherever they sit in the file. ``out_of_order`` in the
report counts publications whose rows were not contiguous, so a change in TenderNed's sorting
shows. Importing the same file again changes nothing: ``save_notices`` skips notices whose
content is unchanged, and the report counts them as duplicates skipped.
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

import httpx

from config.settings import Settings
from connectors import tenderned_dataset as dataset
from connectors.errors import RecordError
from connectors.records import Notice
from pipelines.collection_run import Outcome, collection_run
from store.bookkeeping import quarantine, resolve_quarantined
from store.db import Store
from store.notice_counts import count_awards
from store.notices import save_notices
from store.spool import GroupSpool

log = logging.getLogger(__name__)

#: The collection-run name in the audit table (quarantined rows go under the source, "tenderned").
RUN_SOURCE = "tenderned-dataset"

#: Called with (phase, done, total): phase "read" counts rows (total unknown), "save" publications.
ProgressHook = Callable[[str, int, int | None], None]


@dataclass(frozen=True, slots=True)
class RejectedRow:
    row: int | str  # the sheet row; for the OCDS JSON the entry's position ("releases[12]")
    column: str | None
    reason: str


@dataclass(slots=True)
class ImportReport:
    """What one file brought: enough to tell a clean import, a repeat and a partly broken file apart."""

    file: str
    rows_read: int = 0
    publications: int = 0
    notices_added: int = 0
    notices_updated: int = 0
    duplicates_skipped: int = 0
    awards_added: int = 0
    out_of_order: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)
    unknown_countries: Counter[str] = field(default_factory=Counter)

    @property
    def rows_rejected(self) -> int:
        return len(self.rejected)

    def as_row(self) -> dict[str, Any]:
        """A flat row for tables, logs and Prefect artifacts."""
        return {
            "file": Path(self.file).name,
            "rows read": self.rows_read,
            "publications": self.publications,
            "added": self.notices_added,
            "updated": self.notices_updated,
            "duplicates skipped": self.duplicates_skipped,
            "awards added": self.awards_added,
            "rows rejected": self.rows_rejected,
            "unknown countries": ", ".join(f"{c} ({n})" for c, n in self.unknown_countries.most_common()),
        }


def import_tenderned_dataset(
    store: Store, path: Path | str, *, batch_size: int = 1000, progress: ProgressHook | None = None
) -> ImportReport:
    """Import one XLSX or JSON file; raises ``DatasetFileError`` if the file as a whole is unreadable.

    The yearly JSON is an OCDS release package: it goes through the OCDS import (``pipelines.import_ocds``),
    which keeps every supplier, bid and amendment, and its report is returned in this shape.
    """
    path = Path(path)
    if path.suffix.casefold() in (".json", ".gz") and dataset.is_ocds_json(path):
        return _import_ocds_release(store, path, batch_size, progress)
    report = ImportReport(file=str(path))

    def counts() -> dict[str, int]:
        return {"fetched": report.rows_read, "added": report.notices_added, "updated": report.notices_updated,
                "unchanged": report.duplicates_skipped, "quarantined": report.rows_rejected}

    with (
        collection_run(store, RUN_SOURCE, Outcome(), counts=counts, report_locked=False),
        tempfile.TemporaryDirectory(prefix="tenderned-dataset-") as tmp,
        GroupSpool(Path(tmp) / "rows.db") as spool,
    ):
        _read_pass(store, path, spool, report, batch_size, progress)
        report.publications = spool.keys()
        report.out_of_order = spool.scattered_keys()
        _save_pass(store, spool, report, batch_size, progress)
    if report.out_of_order:
        log.warning("%s: %d publications had non-contiguous rows (merged)", path, report.out_of_order)
    return report


def _import_ocds_release(store: Store, path: Path, batch_size: int, progress: ProgressHook | None) -> ImportReport:
    from pipelines.import_ocds import import_ocds

    result = import_ocds(store, [path], batch_size=batch_size, progress=progress, publisher="TenderNed")
    if str(path) in result.failed_files:
        raise dataset.DatasetFileError(path, f"{result.failed_files[str(path)]} (the releases before it were imported)")
    report = ImportReport(
        file=str(path), rows_read=result.entries_read, publications=result.processes, notices_added=result.notices_added,
        notices_updated=result.notices_updated, duplicates_skipped=result.duplicates_skipped,
        awards_added=result.awards_added,
    )
    report.rejected = [RejectedRow(error.record or "", error.field, error.reason) for error in result.rejected]
    return report


def import_files(
    store: Store, paths: Sequence[Path | str], settings: Settings, *, progress: ProgressHook | None = None
) -> list[ImportReport]:
    return [
        import_tenderned_dataset(store, p, batch_size=settings.tenderned_dataset.batch_size, progress=progress)
        for p in paths
    ]


def download_and_import(
    store: Store, settings: Settings, *, dest_dir: Path | None = None, transport: httpx.BaseTransport | None = None
) -> ImportReport:
    """Fetch the newest release from ``settings.tenderned_dataset.url`` and import it."""
    url = settings.tenderned_dataset.url
    if not url:
        raise ValueError("settings.tenderned_dataset.url is empty: set it, or import local files")
    folder = dest_dir or settings.data_dir / "downloads" / "tenderned-dataset"
    path = dataset.download_release(url, folder, settings.http, transport=transport)
    return import_tenderned_dataset(store, path, batch_size=settings.tenderned_dataset.batch_size)


# --- Pass 1: read, parse, quarantine, spool --------------------------------------------------


def _read_pass(
    store: Store, path: Path, spool: GroupSpool, report: ImportReport, batch_size: int, progress: ProgressHook | None
) -> None:
    headers: dict[str, str] = {}
    errors: list[tuple[RecordError, dict[str, Any]]] = []
    good_keys: list[str] = []
    for number, raw in dataset.read_rows(path, headers):
        report.rows_read += 1
        try:
            row = dataset.parse_row(str(path), number, raw, headers)
        except dataset.RowError as exc:
            errors.append((exc, raw))
            report.rejected.append(RejectedRow(number, exc.field, exc.reason))
        else:
            spool.add(row.publication_id, row)
            report.unknown_countries.update(row.unknown_countries)
            good_keys.append(f"{path.name} row {number}")
        if len(errors) + len(good_keys) >= batch_size:
            _flush_quarantine(store, errors, good_keys)
            if progress:
                progress("read", report.rows_read, None)
    _flush_quarantine(store, errors, good_keys)
    if progress:
        progress("read", report.rows_read, None)


def _flush_quarantine(store: Store, errors: list[tuple[RecordError, dict[str, Any]]], good_keys: list[str]) -> None:
    """Bad rows into the quarantine; rows that read fine now leave it (a corrected file)."""
    with store.session() as session, session.begin():
        for error, raw in errors:
            payload = json.dumps({dataset.FIELD_VARIANTS[k][0]: v for k, v in raw.items()}, default=str, ensure_ascii=False)
            quarantine(session, dataset.SOURCE, error, payload=payload.encode("utf-8"))
            log.warning("%s: quarantined %s", dataset.SOURCE, error)
        resolve_quarantined(session, dataset.SOURCE, [k[:500] for k in good_keys])
    errors.clear()
    good_keys.clear()


# --- Pass 2: group by publication, save per batch --------------------------------------------


def _save_pass(store: Store, spool: GroupSpool, report: ImportReport, batch_size: int, progress: ProgressHook | None) -> None:
    batch: list[Notice] = []
    done = 0
    for _publication, rows in spool.groups():
        batch.append(dataset.build_notice(rows))
        if len(batch) >= batch_size:
            done += _save_batch(store, batch, report)
            if progress:
                progress("save", done, report.publications)
    done += _save_batch(store, batch, report)
    if progress:
        progress("save", done, report.publications)


def _save_batch(store: Store, batch: list[Notice], report: ImportReport) -> int:
    if not batch:
        return 0
    ids = [n.notice_id for n in batch]
    with store.session() as session, session.begin():
        before = count_awards(session, dataset.SOURCE, ids)
        saved = save_notices(session, batch)
        report.awards_added += count_awards(session, dataset.SOURCE, ids) - before
    report.notices_added += saved.added
    report.notices_updated += saved.updated
    report.duplicates_skipped += saved.unchanged
    count = len(batch)
    batch.clear()
    return count


__all__ = [
    "ImportReport",
    "RejectedRow",
    "download_and_import",
    "import_files",
    "import_tenderned_dataset",
]
