"""The store part of collecting notices, against a bare insert of the same rows in the same run.

The demo's TED notices (``demo/data/ted-notices.zip``, the small notices a collection sees) are
parsed once, then written in pages of ``PAGE`` the way a collection writes a page: one
transaction with ``save_notices``, the quarantine resolved for the page's keys and the watermark
advanced (``store.bookkeeping``). The floor is the same rows (built beforehand by
``store.notice_rows`` with ids given up front) inserted with one bare ``executemany`` per table
and page, in a page's transaction. Both start from a fresh, migrated SQLite store; CPU time of this
process, best of ``ROUNDS`` rounds taken in turn. Target: ``store / bare <= TARGET_RATIO``.

A second pass of the same pages (every notice unchanged, nothing written) is shown too: that is
what an overlapping collection window costs.
"""

from __future__ import annotations

import gc
import tempfile
import time
import zipfile
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Table

from bench import Result
from connectors.errors import RecordError
from connectors.notice_xml import parse_notice
from connectors.records import Notice, Party
from store.bookkeeping import resolve_quarantined, set_watermark
from store.db import Store
from store.identity import org_key
from store.notice_rows import ChildRows, content_hash, notice_parties, notice_row
from store.notices import save_notices
from store.schema import Award, AwardWinner, Lot, NoticeCpv, NoticeIdentifier, Organisation
from store.schema import Notice as NoticeRow
from store.schema.bids import Bid, BidTenderer, ContractModification, ModificationContractor

REPO_ROOT = Path(__file__).resolve().parents[1]
DEMO_NOTICES = REPO_ROOT / "demo" / "data" / "ted-notices.zip"
PAGE = 250
ROUNDS = 5
TARGET_RATIO = 3.0

Pages = list[list[Notice]]
#: One page's rows per table, in insert order (parents before children).
TableRows = list[tuple[Table, list[dict[str, Any]]]]


def demo_notices() -> list[Notice]:
    """Every notice of the demo's TED bundle, in the bundle's order."""
    notices = []
    with zipfile.ZipFile(DEMO_NOTICES) as bundle:
        for name in bundle.namelist():
            try:
                notices.append(parse_notice(bundle.read(name), where=name))
            except RecordError:
                continue
    return notices


def store_pages(store: Store, pages: Pages) -> None:
    """What a collection does with each page: save, resolve its quarantine keys, move the watermark."""
    for page in pages:
        with store.session() as session, session.begin():
            save_notices(session, page)
            resolve_quarantined(session, "ted", [n.notice_id for n in page] + [n.source_url for n in page if n.source_url])
            set_watermark(session, "ted", "bench", max(n.published for n in page).isoformat())


def bare_rows(pages: Pages) -> list[TableRows]:
    """The rows ``save_notices`` writes for each page, with every id given up front (no lookups, no hash reuse)."""
    org_ids: dict[str, int] = {}
    counters = {"notice": 0, "award": 0, "bid": 0, "modification": 0}
    out: list[TableRows] = []
    stamp = datetime.now(UTC)
    for page in pages:
        organisations = []
        for notice in page:
            for party in notice_parties(notice):
                key = org_key(party)
                if key not in org_ids:
                    org_ids[key] = len(org_ids) + 1
                    organisations.append(_organisation_row(org_ids[key], key, party, stamp))
        notices, children = [], ChildRows()
        for notice in page:
            counters["notice"] += 1
            pk = counters["notice"]
            notices.append({"id": pk, **notice_row(notice, org_ids[org_key(notice.buyer)], content_hash(notice), stamp)})
            children.add(pk, notice, lambda party: org_ids[org_key(party)])
        tables: TableRows = [(Organisation.__table__, organisations), (NoticeRow.__table__, notices),
                             (NoticeCpv.__table__, children.cpv), (Lot.__table__, children.lots),
                             (NoticeIdentifier.__table__, children.identifiers)]
        for name, parents, parent_table, member_table, member_key in (
            ("award", children.awards, Award.__table__, AwardWinner.__table__, "award_id"),
            ("bid", children.bids, Bid.__table__, BidTenderer.__table__, "bid_id"),
            ("modification", children.modifications, ContractModification.__table__, ModificationContractor.__table__,
             "modification_id"),
        ):
            rows, members = [], []
            for row, member_ids in parents:
                counters[name] += 1
                rows.append({"id": counters[name], **row})
                members += [{member_key: counters[name], "organisation_id": oid, "position": i} for i, oid in enumerate(member_ids)]
            tables += [(parent_table, rows), (member_table, members)]
        out.append(tables)
    return out


def _organisation_row(pk: int, key: str, party: Party, stamp: datetime) -> dict[str, Any]:
    return {"id": pk, "org_key": key, "name": party.name[:500], "country": (party.country or None) and party.country[:2],
            "company_id": party.company_id, "town": party.town, "postcode": party.postcode, "first_seen": stamp,
            "updated_at": stamp}


def bare_insert(store: Store, pages: Sequence[TableRows]) -> None:
    """One bare ``executemany`` per table and page, one transaction per page."""
    for tables in pages:
        with store.engine.begin() as connection:
            for table, rows in tables:
                if rows:
                    connection.execute(table.insert(), rows)


def timed(work: Callable[[Store], None], prepare: Callable[[Store], None] | None = None) -> float:
    """CPU time of ``work`` on a fresh store (``prepare`` runs untimed first)."""
    with tempfile.TemporaryDirectory(prefix="bench-store-") as folder:
        store = Store(f"sqlite:///{Path(folder) / 'store.db'}")
        try:
            if prepare is not None:
                prepare(store)
            gc.collect()
            started = time.process_time()
            work(store)
            return time.process_time() - started
        finally:
            store.dispose()


def store_writes() -> Result:
    notices = demo_notices()
    pages = [notices[start : start + PAGE] for start in range(0, len(notices), PAGE)]
    rows = bare_rows(pages)
    store_time = again_time = bare_time = float("inf")
    for _ in range(ROUNDS):  # interleaved, so a busy moment of the machine hits both sides alike
        store_time = min(store_time, timed(lambda store: store_pages(store, pages)))
        bare_time = min(bare_time, timed(lambda store: bare_insert(store, rows)))
    again_time = timed(lambda store: store_pages(store, pages), prepare=lambda store: store_pages(store, pages))
    ratio = store_time / bare_time
    return {
        "name": "store writes",
        "target": f"store / bare insert <= {TARGET_RATIO}",
        "passed": ratio <= TARGET_RATIO,
        "notices": len(notices),
        "rows": sum(len(r) for tables in rows for _, r in tables),
        "store ms/notice": round(store_time / len(notices) * 1000, 3),
        "bare insert ms/notice": round(bare_time / len(notices) * 1000, 3),
        "ratio": round(ratio, 2),
        "unchanged again ms/notice": round(again_time / len(notices) * 1000, 3),
    }
