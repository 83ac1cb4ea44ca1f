"""Import the organisation's spend and contract files, and report on their quality.

Plain functions: ``supplyradar import spend|contracts`` and the demo call them.

One transaction per file
  A file is read, checked and written inside one database transaction. When it is refused,
  nothing of it is stored (rows written so far are rolled back) and the error names the file,
  the row and the column. Refused (``TabularFileError`` and subclasses):

  - the encoding is not UTF-8 (with or without BOM), UTF-16 with BOM or plausible cp1252;
  - the header does not split into known columns, or a row splits differently (wrong delimiter);
  - a required column is missing (``config/own_data_columns.yaml`` lists them);
  - more than ``settings.own_data.max_bad_value_share`` (5%) of the rows have an amount or a date
    that does not parse or is missing, or a currency cell that names no currency: then the column is
    wrong (another decimal style, another column, a stray quote that shifted the rows), not a row, and
    importing it would silently drop spend;
  - an unbalanced quote, a row with more or fewer fields than the header, a field over the size
    limit (``connectors.tabular``), or a supplier name no person types (over ``MAX_SUPPLIER_NAME``
    characters or spanning lines: rows swallowed by a stray quote).

  Only reported (stored, listed by ``supplyradar quality``): a single amount or date that does
  not parse (the line is kept with the value empty), a KvK number that is not 8 digits (kept
  without it), a row without supplier, category or CPV, an invalid CPV code, options to extend
  that cannot be read, a contract row without a number (skipped: it has no identity) or with a
  number seen earlier in the file (the first one is kept).

Idempotent
  Re-importing a file adds nothing (see ``store.own_data``): an import is recognised by its content
  (SHA-256), not its name, so this month's ``export.csv`` adds its lines next to last month's.
  Replacing a period is explicit (``replace=True``, ``--replace``): spend lines that earlier imports
  under the same file name brought and the new file no longer has are removed (a corrected export).
  Contracts are never removed (a register export may be partial); they are updated when their
  content changed.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from config.own_data import ColumnMapping, load_column_mapping
from config.settings import Settings
from connectors.contract_register import ContractRecord, parse_contract_row
from connectors.currencies import NO_CURRENCY
from connectors.spend_file import RowIssue, SpendRecord, parse_spend_row
from connectors.tabular import TableInfo, TabularFileError, open_table
from models.matching import normalise
from store import own_data as rows_store
from store.db import Store
from store.spend_period import SPEND_CURRENCY

log = logging.getLogger(__name__)
T = TypeVar("T")

#: Issue codes that, too frequent, refuse the file (see the module docstring).
FATAL_WHEN_FREQUENT = {"amount": ("amount_unparsed", "amount_missing"), "date": ("date_unparsed", "date_missing"),
                       "currency": ("currency_invalid",)}  # (a wrong currency column would keep every line from our spend)
#: After adding this many spend lines, PostgreSQL's statistics are refreshed (``ANALYZE``).
ANALYZE_AFTER_ROWS = 10_000
#: A supplier name longer than this is not a name but rows merged by a stray quote: the file is refused.
MAX_SUPPLIER_NAME = 300
KINDS = ("spend", "contracts")


class TooManyBadValuesError(TabularFileError):
    """More rows than the settings allow have a value that does not parse: the column is wrong."""


class ImplausibleValueError(TabularFileError):
    """A value no export holds (a 500-character supplier name): the file's structure is broken."""


@dataclass(slots=True)
class ImportReport:
    file: str
    kind: str
    encoding: str = ""
    delimiter: str | None = None
    rows_read: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    skipped: int = 0
    issues: Counter[str] = field(default_factory=Counter)
    unknown_columns: list[str] = field(default_factory=list)
    #: The spend rows' keys (for ``replace``), not reported.
    keys: set[str] = field(default_factory=set, repr=False)

    def as_row(self) -> dict[str, Any]:
        return {
            "file": Path(self.file).name, "kind": self.kind, "encoding": self.encoding,
            "delimiter": {"\t": "tab", None: ""}.get(self.delimiter, self.delimiter), "rows": self.rows_read,
            "added": self.added, "updated": self.updated, "unchanged": self.unchanged, "removed": self.removed,
            "skipped": self.skipped, "issues": ", ".join(f"{c} {n}" for c, n in sorted(self.issues.items())),
        }


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def import_file(store: Store, path: Path | str, kind: str, settings: Settings,
                mapping: ColumnMapping | None = None, *, replace: bool = False) -> ImportReport:
    """Import one spend or contract file in one transaction; raises ``TabularFileError`` when refused.

    ``replace``: the file is the new version of the earlier file(s) with its name (see the module docstring).
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    path = Path(path)
    mapping = mapping or load_column_mapping(settings.own_data.resolved_columns_file)
    info, rows = open_table(path, mapping.for_kind(kind))
    report = ImportReport(file=str(path), kind=kind, encoding=info.encoding, delimiter=info.delimiter,
                          unknown_columns=list(info.unknown_columns))
    issues: list[RowIssue] = []
    now = datetime.now(UTC)
    digest = file_sha256(path)
    with store.session() as session, session.begin():
        write = _spend_writer if kind == "spend" else _contract_writer
        write(session, info, rows, mapping, settings, report, issues, now)
        _refuse_if_too_bad(info, report, issues, settings.own_data.max_bad_value_share)
        if replace:
            if kind == "spend":
                report.removed = rows_store.remove_stale_spend(session, info.path.name, report.keys)
            rows_store.forget_other_imports(session, kind, path.name, digest)
        import_id = rows_store.record_import(session, kind=kind, file_name=path.name, values={
            "file_sha256": digest, "encoding": info.encoding, "delimiter": info.delimiter,
            "rows_read": report.rows_read, "rows_added": report.added, "rows_updated": report.updated,
            "rows_unchanged": report.unchanged, "rows_removed": report.removed, "rows_skipped": report.skipped,
        })
        rows_store.replace_issues(session, import_id, kind, path.name, issues)
        if kind == "spend" and report.added >= ANALYZE_AFTER_ROWS:
            rows_store.analyze_spend(session)
    report.issues.update(i.code for i in issues)
    log.info("%s: %s", path, report.as_row())
    return report


def _in_batches(items: Iterable[T], size: int, save: Callable[[list[T]], None]) -> None:
    """Hand ``items`` to ``save`` ``size`` at a time (all inside the file's one transaction)."""
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            save(batch)
            batch = []
    if batch:
        save(batch)


def _spend_writer(session, info: TableInfo, rows: Iterable[tuple[int, dict]], mapping: ColumnMapping,
                  settings: Settings, report: ImportReport, issues: list[RowIssue], now: datetime) -> None:
    keys: set[str] = set()

    def save(batch: list[tuple[str, SpendRecord]]) -> None:
        result = rows_store.save_spend(session, info.path.name, batch, now)
        report.added += result.added
        report.unchanged += result.unchanged

    _in_batches(_spend_items(info, rows, mapping, report, issues, keys), settings.own_data.batch_size, save)
    report.keys = keys


def _spend_items(info: TableInfo, rows: Iterable[tuple[int, dict]], mapping: ColumnMapping, report: ImportReport,
                 issues: list[RowIssue], keys: set[str]) -> Iterator[tuple[str, SpendRecord]]:
    """Parsed rows with their ``row_key``: the n-th identical row of a file gets its own key (a real duplicate)."""
    occurrences: Counter[str] = Counter()
    for number, raw in rows:
        report.rows_read += 1
        record, row_issues = parse_spend_row(info, number, raw, mapping.category_cpv)
        _refuse_implausible_name(info, number, record.supplier_name)
        issues.extend(row_issues)
        content = rows_store.spend_content(record)
        key = rows_store.spend_row_key(content, occurrences[content])
        occurrences[content] += 1
        keys.add(key)
        yield key, record


def _contract_writer(session, info: TableInfo, rows: Iterable[tuple[int, dict]], mapping: ColumnMapping,
                     settings: Settings, report: ImportReport, issues: list[RowIssue], now: datetime) -> None:
    def save(batch: list[ContractRecord]) -> None:
        result = rows_store.save_contracts(session, info.path.name, batch, now)
        report.added += result.added
        report.updated += result.updated
        report.unchanged += result.unchanged

    _in_batches(_contract_items(info, rows, mapping, report, issues), settings.own_data.batch_size, save)


def _contract_items(info: TableInfo, rows: Iterable[tuple[int, dict]], mapping: ColumnMapping, report: ImportReport,
                    issues: list[RowIssue]) -> Iterator[ContractRecord]:
    """Parsed contracts; a row without a number, or with one seen earlier in the file, is reported and skipped."""
    seen: dict[str, int] = {}
    for number, raw in rows:
        report.rows_read += 1
        record, row_issues = parse_contract_row(info, number, raw, mapping.category_cpv)
        issues.extend(row_issues)
        if record is None:
            report.skipped += 1
            continue
        if record.contract_ref in seen:
            issues.append(RowIssue(number, "duplicate_reference", info.column("contract_ref"),
                                   f"contract {record.contract_ref} is also on row {seen[record.contract_ref]}; that row is kept",
                                   record.contract_ref))
            report.skipped += 1
            continue
        seen[record.contract_ref] = number
        yield record


def _refuse_implausible_name(info: TableInfo, row: int, name: str | None) -> None:
    """A supplier "name" of hundreds of characters or several lines is rows merged by a stray quote."""
    if name and (len(name) > MAX_SUPPLIER_NAME or "\n" in name or "\r" in name):
        raise ImplausibleValueError(
            info.path,
            f"the supplier name is {len(name)} characters{' over several lines' if chr(10) in name else ''} "
            f"(at most {MAX_SUPPLIER_NAME}, one line): an unbalanced quote may have merged the rows after it; "
            "nothing of the file was imported",
            row=row, column=info.column("supplier_name"),
        )


def _refuse_if_too_bad(info: TableInfo, report: ImportReport, issues: list[RowIssue], max_share: float) -> None:
    """Unparsed and missing values of a column count together: either way the line has no amount (or date); a
    currency cell that names no currency leaves its line out of our spend's sums, so those count too."""
    if not report.rows_read:
        return
    for codes in FATAL_WHEN_FREQUENT.values():
        bad = [i for i in issues if i.code in codes]
        if bad and len(bad) / report.rows_read > max_share:
            first = bad[0]
            raise TooManyBadValuesError(
                info.path,
                f"{first.message}; {len(bad)} of {report.rows_read} rows have such a value or none (more than "
                f"{max_share:.0%}): the column or its number/date style is wrong, so nothing of the file was imported",
                row=first.row, column=first.column,
            )


def import_files(store: Store, paths: Iterable[Path | str], kind: str, settings: Settings, *,
                 on_error: Callable[[Path, TabularFileError], None] | None = None,
                 replace: bool = False) -> tuple[list[ImportReport], list[str]]:
    """Import several files, each on its own; a refused file is reported and the next one still imported."""
    mapping = load_column_mapping(settings.own_data.resolved_columns_file)
    reports, failed = [], []
    for path in map(Path, paths):
        try:
            reports.append(import_file(store, path, kind, settings, mapping, replace=replace))
        except TabularFileError as exc:
            failed.append(str(exc))
            if on_error:
                on_error(path, exc)
    return reports, failed


# --- Quality report -----------------------------------------------------------------------------


def row_ref(source_file: str, row: int) -> str:
    return f"{source_file}:{row}"


@dataclass(slots=True)
class QualityReport:
    """What is wrong or missing in the imported own data; every finding names its rows (``file:row``)."""

    spend_lines: int = 0
    contracts: int = 0
    # in SPEND_CURRENCY (euros) alone: a line in another currency is in none of these sums ("spend rows in another
    # currency" lists them)
    total_spend: Decimal = Decimal(0)  # booked volume: absolute amounts (a credit note is volume too)
    matched_spend: Decimal = Decimal(0)  # the same, on matched suppliers
    net_spend: Decimal = Decimal(0)  # our spend: credit notes netted, all booking dates
    currency: str = SPEND_CURRENCY
    findings: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def matched_share(self) -> float | None:
        """Share of spend (by absolute amount: a credit note is spend moved too) on matched suppliers."""
        return float(self.matched_spend / self.total_spend) if self.total_spend else None

    def totals_text(self) -> str:
        """The totals under the findings, each figure with its currency and what it counts."""
        share = "n/a" if self.matched_share is None else f"{self.matched_share:.1%}"
        return (f"{self.spend_lines:,} spend lines, {self.contracts:,} contracts.\n"
                f"Our spend: {self.currency} {self.net_spend:,.2f} net (credit notes netted, all booking dates; lines in "
                f"another currency in no sum).\n"
                f"Matched suppliers cover {share} of the booked volume {self.currency} {self.total_spend:,.2f} (absolute "
                f"amounts: a credit note counts as volume, not as less spend).")

    def summary_rows(self, examples: int = 5) -> list[dict[str, Any]]:
        rows = []
        for finding, items in self.findings.items():
            refs = [ref for item in items for ref in item.get("rows", [])]
            rows.append({
                "finding": finding, "count": len(items), "rows": len(refs),
                "examples": ", ".join(_example(item) for item in items[:examples]),
            })
        return rows

    def as_json(self) -> dict[str, Any]:
        return {
            "spend_lines": self.spend_lines, "contracts": self.contracts, "currency": self.currency,
            "net_spend": str(self.net_spend),
            "booked_volume": str(self.total_spend), "matched_volume": str(self.matched_spend),
            "spend_basis": f"in {self.currency} alone (lines in another currency are listed, in no sum); "
                           "net_spend: credit notes netted, every booking date; matched_share: of the booked "
                           "volume (absolute amounts)",
            "matched_share": None if self.matched_share is None else round(self.matched_share, 4),
            "findings": self.findings,
        }


def _example(item: dict[str, Any]) -> str:
    label = item.get("supplier") or item.get("column") or ""
    rows = item.get("rows", [])
    first = rows[0] if rows else ""
    return f"{label} ({first}{', +' + str(len(rows) - 1) if len(rows) > 1 else ''})" if label else first


FINDINGS = (
    "spend rows without supplier id", "spend rows without category", "contracts without supplier id",
    "contracts without category", "suppliers not matched", "duplicate spend rows", "spend rows in another currency",
    "values that did not parse", "other row issues",
)


def quality_report(store: Store) -> QualityReport:
    report = QualityReport(findings={name: [] for name in FINDINGS})
    f = report.findings
    with store.session() as session:
        counts = rows_store.counts(session)
        report.spend_lines, report.contracts = counts["spend_lines"], counts["contracts"]
        spend = list(rows_store.spend_rows(session))
        contracts = rows_store.contract_rows(session)
        internal = rows_store.internal_organisations(
            session, {r.organisation_id for r in (*spend, *contracts) if r.organisation_id is not None}
        )
        issues = rows_store.issues(session)
    unmatched: dict[str, dict[str, Any]] = {}
    duplicates: dict[tuple, list[str]] = defaultdict(list)
    names: dict[str, str | None] = {}
    name_key = _NameKeys()
    by_name_no_id: dict[str, dict[str, Any]] = {}
    by_name_no_category: dict[str, dict[str, Any]] = {}
    foreign: dict[str, dict[str, Any]] = {}  # per supplier spelling and currency
    for r in spend:
        ref = row_ref(r.source_file, r.row_number)
        names[ref] = r.supplier_name
        if r.supplier_kvk is None:
            _grouped(f["spend rows without supplier id"], by_name_no_id, r.supplier_name, ref)
        if r.cpv is None and r.category is None:
            _grouped(f["spend rows without category"], by_name_no_category, r.supplier_name, ref)
        counted = r.amount is not None and r.currency == SPEND_CURRENCY
        if counted:
            report.total_spend += abs(r.amount)
            report.net_spend += r.amount
        elif r.amount is not None and r.currency != NO_CURRENCY:  # (no currency: under "values that did not parse")
            _grouped(f["spend rows in another currency"], foreign, f"{r.supplier_name or ''} ({r.currency})", ref)
        matched = r.organisation_id is not None and r.organisation_id not in internal
        if matched and counted:
            report.matched_spend += abs(r.amount)
        if not matched and r.supplier_name:
            _add_unmatched(unmatched, r, ref, "spend", name_key)
        if r.amount is not None and r.booked_on is not None:
            who = f"org:{r.organisation_id}" if r.organisation_id else r.supplier_kvk or name_key(r.supplier_name or "")
            duplicates[(who, r.amount, r.booked_on, r.invoice_number)].append(ref)
    for c in contracts:
        ref = row_ref(c.source_file, c.row_number)
        if c.supplier_kvk is None:
            f["contracts without supplier id"].append({"supplier": c.supplier_name, "contract": c.contract_ref, "rows": [ref]})
        if c.cpv is None and c.category is None:
            f["contracts without category"].append({"supplier": c.supplier_name, "contract": c.contract_ref, "rows": [ref]})
        if (c.organisation_id is None or c.organisation_id in internal) and c.supplier_name:
            _add_unmatched(unmatched, c, ref, "contracts", name_key)
    f["suppliers not matched"] = sorted(unmatched.values(), key=lambda u: (-len(u["rows"]), u["supplier"]))
    for (who, amount, day, invoice), refs in duplicates.items():
        if len(refs) > 1:
            f["duplicate spend rows"].append({"supplier": names.get(refs[0], who), "amount": str(amount), "date": day.isoformat(),
                                              "invoice": invoice, "rows": refs})
    for issue in issues:
        target = "values that did not parse" if issue.code.endswith(("_unparsed", "_invalid")) else "other row issues"
        f[target].append({"kind": issue.kind, "code": issue.code, "column": issue.column, "value": issue.raw_value,
                          "message": issue.message, "rows": [row_ref(issue.source_file, issue.row_number)]})
    return report


def _grouped(items: list[dict[str, Any]], index: dict[str, dict[str, Any]], name: str | None, ref: str) -> None:
    """One finding per supplier spelling, with all its rows (the JSON stays readable for 1,000 rows)."""
    entry = index.get(name or "")
    if entry is None:
        entry = index[name or ""] = {"supplier": name, "rows": []}
        items.append(entry)
    entry["rows"].append(ref)


class _NameKeys(dict[str, str]):
    """Normalised key of a supplier name, each spelling normalised once (thousands of lines share one)."""

    def __call__(self, name: str) -> str:
        key = self.get(name)
        if key is None:
            key = self[name] = normalise(name).key
        return key


def _add_unmatched(unmatched: dict[str, dict[str, Any]], row: Any, ref: str, kind: str, name_key: _NameKeys) -> None:
    key = name_key(row.supplier_name)
    entry = unmatched.setdefault(key, {"supplier": row.supplier_name, "status": "", "kinds": [], "rows": []})
    entry["status"] = "awaiting review or rejected" if row.organisation_id is None else "known only from our files"
    if kind not in entry["kinds"]:
        entry["kinds"].append(kind)
    entry["rows"].append(ref)


__all__ = ["ImportReport", "QualityReport", "TooManyBadValuesError", "import_file", "import_files", "quality_report"]
