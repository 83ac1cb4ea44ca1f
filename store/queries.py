"""Reads that feed the models: plain facts out of the store, duplicates left out.

The models get these dataclasses and never a session, so they stay pure and testable.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from models.market import AwardFact, NoticeFact, Winner
from store.schema import Award, AwardWinner, CollectionRun, Organisation
from store.schema import Notice as NoticeRow


def _cpv_filter(cpv_prefix: str):  # a SQL expression
    return NoticeRow.cpv_main.startswith(cpv_prefix) if cpv_prefix else NoticeRow.cpv_main.is_not(None)


def award_facts(session: Session, cpv_prefix: str, *, until: date | None = None) -> list[AwardFact]:
    """Every counted award under ``cpv_prefix``, over all history (new entrants need the past)."""
    buyer = aliased(Organisation)
    query = (
        select(
            Award.id,
            NoticeRow.notice_id,
            NoticeRow.source,
            NoticeRow.published,
            NoticeRow.cpv_main,
            buyer.name,
            buyer.country,
            buyer.org_key,
            buyer.postcode,
            Award.lot_id,
            Award.value,
            Award.currency,
            Award.tenders_received,
        )
        .join(NoticeRow, NoticeRow.id == Award.notice_pk)
        .join(buyer, buyer.id == NoticeRow.buyer_id)
        .where(NoticeRow.duplicate_of_id.is_(None), _cpv_filter(cpv_prefix))
        .order_by(NoticeRow.published, NoticeRow.notice_id, Award.seq)
    )
    if until is not None:
        query = query.where(NoticeRow.published <= until)
    rows = session.execute(query).all()
    winners: dict[int, list[Winner]] = defaultdict(list)
    award_ids = [r[0] for r in rows]
    for start in range(0, len(award_ids), 900):
        chunk = award_ids[start : start + 900]
        q = (
            select(AwardWinner.award_id, Organisation.org_key, Organisation.name, Organisation.country)
            .join(Organisation, Organisation.id == AwardWinner.organisation_id)
            .where(AwardWinner.award_id.in_(chunk))
            .order_by(AwardWinner.award_id, AwardWinner.position)
        )
        for award_id, key, name, country in session.execute(q):
            winners[award_id].append(Winner(key=key, name=name, country=country))
    return [
        AwardFact(
            notice_id=notice_id,
            source=source,
            published=published,
            cpv_main=cpv_main,
            buyer_name=buyer_name,
            buyer_country=buyer_country,
            lot=lot,
            winners=tuple(winners.get(award_id, ())),
            value=value,
            currency=currency,
            tenders_received=tenders,
            buyer_key=buyer_key,
            buyer_postcode=buyer_postcode,
        )
        for (award_id, notice_id, source, published, cpv_main, buyer_name, buyer_country, buyer_key, buyer_postcode, lot,
             value, currency, tenders) in rows
    ]


def notice_facts(session: Session, cpv_prefix: str, *, until: date | None = None) -> list[NoticeFact]:
    query = (
        select(NoticeRow.notice_id, NoticeRow.source, NoticeRow.published, NoticeRow.cpv_main, NoticeRow.kind)
        .where(NoticeRow.duplicate_of_id.is_(None), _cpv_filter(cpv_prefix))
        .order_by(NoticeRow.published)
    )
    if until is not None:
        query = query.where(NoticeRow.published <= until)
    return [
        NoticeFact(notice_id=n, source=s, published=p, cpv_main=c, kind=k) for n, s, p, c, k in session.execute(query)
    ]


def source_freshness(session: Session) -> list[dict]:
    """Per source: notices stored, newest publication, last successful collection (for report footers)."""
    counts = dict(
        tuple(r) for r in session.execute(
            select(NoticeRow.source, func.count()).where(NoticeRow.duplicate_of_id.is_(None)).group_by(NoticeRow.source)
        )
    )
    newest = dict(tuple(r) for r in session.execute(select(NoticeRow.source, func.max(NoticeRow.published)).group_by(NoticeRow.source)))
    last_ok = dict(
        tuple(r) for r in session.execute(
            select(CollectionRun.source, func.max(CollectionRun.finished_at))
            .where(CollectionRun.status == "ok")
            .group_by(CollectionRun.source)
        )
    )
    return [
        {
            "name": source,
            "records": counts.get(source, 0),
            "newest_publication": newest.get(source),
            "last_collected": last_ok.get(source),
        }
        for source in sorted(set(counts) | set(last_ok))
    ]
