"""Writes and reads of the organisation's own spend lines and contracts, their imports and row issues.

Idempotent by construction: a spend line is keyed by ``row_key``, a hash of its normalised
values and of how many identical rows came before it in the same file (so a real duplicate in
the file stays two lines and is reported, while importing the file again adds nothing); a
contract by its ``contract_ref``, rewritten only when its ``content_hash`` changes. The caller
owns the transaction: ``pipelines.import_own_data`` runs one per file.
"""

from __future__ import annotations

import hashlib
import json
from collections import namedtuple
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Result, delete, func, select, text, update
from sqlalchemy.orm import Session

from connectors.contract_register import ContractRecord
from connectors.spend_file import RowIssue, SpendRecord
from store.bulk import insert_returning, insert_rows
from store.notices import dialect_insert
from store.schema import Contract, OrganisationIdentifier, SpendLine
from store.schema.own_data import OwnDataImport, OwnDataIssue, SpendLineDetail
from store.spend_period import in_spend_currency

CHUNK = 500


#: ``json.dumps(..., ensure_ascii=False)`` builds this encoder anew on every call (once per spend row): made once.
_CANONICAL = json.JSONEncoder(ensure_ascii=False)


def _digest(values: Sequence[object]) -> str:
    canonical = _CANONICAL.encode([None if v is None else str(v) for v in values])
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def spend_content(record: SpendRecord) -> str:
    """The hash of a spend row's values (not its file or row number: a renamed file is the same data).

    The currency as the hash has always read it (the cell's first three letters, upper-cased; EUR when empty), not
    the ISO code the row now stores: a row stored before the currency was read as a code ("€" then, "EUR" now)
    keeps its key, so importing its file again finds it instead of adding it a second time."""
    return _digest([
        record.supplier_name and record.supplier_name.casefold(), record.supplier_kvk, record.supplier_vat,
        record.supplier_ref, record.category, record.cpv, record.amount_text, (record.currency_text or "EUR").upper()[:3],
        record.booked_on, record.invoice_number, record.description, record.contract_ref,
    ])


def spend_row_key(content: str, occurrence: int) -> str:
    """``row_key`` of the ``occurrence``-th (0-based) row with this content in its file."""
    return content if occurrence == 0 else _digest([content, occurrence])


def contract_hash(record: ContractRecord) -> str:
    data = asdict(record)
    data.pop("row_number")
    return _digest([data[k] for k in sorted(data)])


# --- Imports and issues -------------------------------------------------------------------------


def record_import(session: Session, *, kind: str, file_name: str, values: dict[str, Any]) -> int:
    """Upsert the import row of (kind, content hash) and return its id: the same content under any
    name is the same import; another content under an old name is another import."""
    now = datetime.now(UTC)
    row = {"kind": kind, "file_name": file_name[:500], "imported_at": now, **values}
    stmt = dialect_insert(session.get_bind(), OwnDataImport).values(**row)
    session.execute(stmt.on_conflict_do_update(index_elements=["kind", "file_sha256"], set_={k: stmt.excluded[k] for k in row}))
    return session.scalar(select(OwnDataImport.id).where(OwnDataImport.kind == kind,
                                                         OwnDataImport.file_sha256 == values["file_sha256"]))


def forget_other_imports(session: Session, kind: str, file_name: str, keep_sha256: str) -> int:
    """``--replace``: earlier imports under this file name (and their row issues) give way to the new one."""
    ids = list(session.scalars(select(OwnDataImport.id).where(
        OwnDataImport.kind == kind, OwnDataImport.file_name == file_name[:500], OwnDataImport.file_sha256 != keep_sha256)))
    if ids:
        session.execute(delete(OwnDataIssue).where(OwnDataIssue.import_id.in_(ids)))
        session.execute(delete(OwnDataImport).where(OwnDataImport.id.in_(ids)))
    return len(ids)


def replace_issues(session: Session, import_id: int, kind: str, file_name: str, issues: Iterable[RowIssue]) -> int:
    """The file's issues are those of its newest import: the old ones go, the new ones come in."""
    session.execute(delete(OwnDataIssue).where(OwnDataIssue.import_id == import_id))
    rows = [
        {"import_id": import_id, "kind": kind, "source_file": file_name[:500], "row_number": i.row,
         "column": i.column and i.column[:200], "code": i.code, "message": i.message, "raw_value": i.raw}
        for i in issues
    ]
    for start in range(0, len(rows), CHUNK):
        session.execute(OwnDataIssue.__table__.insert(), rows[start : start + CHUNK])
    return len(rows)


# --- Spend --------------------------------------------------------------------------------------


@dataclass(slots=True)
class SpendSaveResult:
    added: int = 0
    unchanged: int = 0


def save_spend(session: Session, file_name: str, rows: Sequence[tuple[str, SpendRecord]], now: datetime) -> SpendSaveResult:
    """Insert the rows whose ``row_key`` is new; known keys are left as they are (idempotent).

    One ``INSERT ... ON CONFLICT (row_key) DO NOTHING RETURNING`` per chunk: the unique index
    decides what is new, so no ``row_key IN (...)`` lookup depends on the planner's statistics (on
    PostgreSQL, before ANALYZE had seen a fresh import, each such lookup scanned the whole table).
    """
    result = SpendSaveResult()
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        unique = dict(chunk)
        # the statement SQLAlchemy sends, without its dict and bind processing per row (store.bulk)
        inserted = insert_returning(session, SpendLine.__table__,
                                    [_spend_values(key, r, file_name, now) for key, r in unique.items()],
                                    ("id", "row_key"), conflict=("nothing", ("row_key",), ()))
        result.unchanged += len(chunk) - len(inserted)
        if not inserted:
            continue
        details = [
            {"spend_line_id": line_id, "invoice_number": r.invoice_number and r.invoice_number[:100],
             "supplier_ref": r.supplier_ref and r.supplier_ref[:100], "contract_ref": r.contract_ref and r.contract_ref[:100]}
            for line_id, key in inserted
            for r in (unique[key],)
        ]
        insert_rows(session, SpendLineDetail.__table__, details)
        result.added += len(inserted)
    return result


def analyze_spend(session: Session) -> None:
    """Fresh statistics after a large import, so PostgreSQL plans the next reads on what is there."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("ANALYZE spend_lines"))
        session.execute(text("ANALYZE spend_line_details"))


def _spend_values(key: str, r: SpendRecord, file_name: str, now: datetime) -> dict[str, Any]:
    return {
        "row_key": key, "source_file": file_name[:500], "row_number": r.row_number,
        "supplier_name": r.supplier_name and r.supplier_name[:500], "supplier_kvk": r.supplier_kvk,
        "organisation_id": None, "cpv": r.cpv, "category": r.category and r.category[:200], "amount": r.amount,
        "currency": r.currency, "booked_on": r.booked_on, "description": r.description, "imported_at": now,
    }


def remove_stale_spend(session: Session, file_name: str, keep: set[str]) -> int:
    """Lines an earlier import of this file brought that its newest version no longer has (a corrected export)."""
    stale = [pk for pk, key in session.execute(select(SpendLine.id, SpendLine.row_key).where(SpendLine.source_file == file_name[:500]))
             if key not in keep]
    for start in range(0, len(stale), CHUNK):
        session.execute(delete(SpendLine).where(SpendLine.id.in_(stale[start : start + CHUNK])))
    return len(stale)


# --- Contracts ----------------------------------------------------------------------------------


@dataclass(slots=True)
class ContractSaveResult:
    added: int = 0
    updated: int = 0
    unchanged: int = 0


def save_contracts(session: Session, file_name: str, records: Sequence[ContractRecord], now: datetime) -> ContractSaveResult:
    """Upsert by ``contract_ref``: unchanged content is skipped; a changed supplier is resolved again."""
    result = ContractSaveResult()
    latest = {r.contract_ref: r for r in records}
    refs = list(latest)
    for start in range(0, len(refs), CHUNK):
        chunk = refs[start : start + CHUNK]
        known = {row.contract_ref: row for row in session.execute(
            select(Contract.contract_ref, Contract.id, Contract.content_hash, Contract.supplier_name, Contract.supplier_kvk)
            .where(Contract.contract_ref.in_(chunk))
        )}
        inserts = []
        for ref in chunk:
            record, digest = latest[ref], contract_hash(latest[ref])
            values = _contract_values(record, file_name, digest, now)
            stored = known.get(ref)
            if stored is None:
                inserts.append({"contract_ref": ref, "organisation_id": None, **values})
                result.added += 1
            elif stored.content_hash == digest:
                result.unchanged += 1
            else:
                if (stored.supplier_name, stored.supplier_kvk) != (values["supplier_name"], values["supplier_kvk"]):
                    values["organisation_id"] = None
                session.execute(update(Contract).where(Contract.id == stored.id).values(**values))
                result.updated += 1
        if inserts:
            session.execute(Contract.__table__.insert(), inserts)
    return result


def _contract_values(r: ContractRecord, file_name: str, digest: str, now: datetime) -> dict[str, Any]:
    return {
        "title": r.title, "source_file": file_name[:500], "row_number": r.row_number,
        "supplier_name": r.supplier_name and r.supplier_name[:500], "supplier_kvk": r.supplier_kvk, "cpv": r.cpv,
        "category": r.category and r.category[:200], "start_date": r.start_date, "end_date": r.end_date,
        "extension_until": r.extension_until, "value": r.value, "currency": r.currency,
        "owner": r.owner and r.owner[:200], "single_sourced": r.single_sourced, "content_hash": digest,
        "imported_at": now,
    }


# --- Reads for the quality report ---------------------------------------------------------------


def counts(session: Session) -> dict[str, int]:
    return {
        "spend_lines": session.scalar(select(func.count(SpendLine.id))) or 0,
        "contracts": session.scalar(select(func.count(Contract.id))) or 0,
    }


def issues(session: Session, kind: str | None = None) -> list[OwnDataIssue]:
    query = select(OwnDataIssue).order_by(OwnDataIssue.kind, OwnDataIssue.source_file, OwnDataIssue.row_number)
    if kind:
        query = query.where(OwnDataIssue.kind == kind)
    return list(session.scalars(query))


def spend_rows(session: Session) -> Iterable[Any]:
    """Every spend line with what the quality report needs, streamed in id order.

    Selected from the tables, not the mapped classes: plain rows, without the ORM's loading step per row
    (a third of the report's time at 140,000 lines)."""
    line, detail = SpendLine.__table__.c, SpendLineDetail.__table__.c
    query = (
        select(
            line.id, line.source_file, line.row_number, line.supplier_name, line.supplier_kvk, line.organisation_id,
            line.cpv, line.category, line.amount, line.currency, line.booked_on, detail.invoice_number,
        )
        .select_from(SpendLine.__table__.outerjoin(SpendLineDetail.__table__, detail.spend_line_id == line.id))
        .order_by(line.id)
    )
    return _named(session.execute(query.execution_options(yield_per=2000)))


def contract_rows(session: Session) -> list[Any]:
    c = Contract.__table__.c  # plain rows, as spend_rows
    query = select(
        c.id, c.contract_ref, c.source_file, c.row_number, c.supplier_name, c.supplier_kvk, c.organisation_id, c.cpv,
        c.category, c.value,
    ).order_by(c.id)
    return list(_named(session.execute(query)))


def _named(result: Result[Any]) -> Iterator[Any]:
    """The rows as named tuples (``collections.namedtuple``), the same fields: a SQLAlchemy ``Row`` looks each
    attribute's name up on every read, and the quality report reads a dozen per line (most of its time)."""
    return map(namedtuple("Row", result.keys())._make, result)


def internal_organisations(session: Session, ids: Iterable[int]) -> set[int]:
    """The ids among ``ids`` known only from our own files (an "internal" identifier, no register id): unmatched."""
    ids = list(set(ids))
    internal: set[int] = set()
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        schemes: dict[int, set[str]] = {}
        for org_id, scheme in session.execute(
            select(OrganisationIdentifier.organisation_id, OrganisationIdentifier.scheme).where(
                OrganisationIdentifier.organisation_id.in_(chunk)
            )
        ):
            schemes.setdefault(org_id, set()).add(scheme)
        internal.update(org_id for org_id, found in schemes.items() if found == {"internal"})
    return internal


def total_spend(session: Session) -> Decimal:
    return session.scalar(select(func.coalesce(func.sum(SpendLine.amount), 0)).where(in_spend_currency())) or Decimal(0)
