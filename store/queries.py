"""Reads that feed the models: plain facts out of the store, duplicates left out.

The models get these dataclasses and never a session, so they stay pure and testable.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Hashable, Iterable, Iterator
from datetime import date

from sqlalchemy import String, Text, and_, case, cast, distinct, exists, func, literal, null, or_, select
from sqlalchemy.orm import Session, aliased

from models.alternative_history import PastBid
from models.contract_changes import ContractChangeFact
from models.market import AwardFact, NoticeFact, Winner
from store.contract_facts import CONTRACT_ID_FORMATS, contract_key, one_fact_per_contract
from store.schema import Award, AwardWinner, CollectionRun, NoticeIdentifier, Organisation
from store.schema import Notice as NoticeRow
from store.schema.bids import (
    Bid,
    BidTenderer,
    ContractModification,
    ModificationContractor,
)

#: SQLite's bound-parameter limit is 999: ``IN`` lists are sent in chunks of this size.
_CHUNK = 900


def _cpv_filter(cpv_prefix: str):  # a SQL expression
    """CPV rows under the prefix. A digit prefix is also given as a range of codes, which the database answers
    from its index on ``cpv_main`` (a LIKE with a bound pattern makes it read every notice); LIKE keeps it exact."""
    if not cpv_prefix:
        return NoticeRow.cpv_main.is_not(None)
    if not cpv_prefix.isdigit():
        return NoticeRow.cpv_main.startswith(cpv_prefix)
    # Asked as "the notices among these ids", found by a range of codes: without statistics SQLite would
    # otherwise find them through the index on duplicate_of_id ("IS NULL" looks selective and is true of
    # nearly every notice) or on published, reading every category's notices for one division's.
    coded = aliased(NoticeRow)
    ranged = [coded.cpv_main >= cpv_prefix, coded.cpv_main.startswith(cpv_prefix)]
    if cpv_prefix.strip("9"):  # "72" -> below "73" ("09" -> "10"); a prefix of nines has no code above it
        ranged.insert(1, coded.cpv_main < str(int(cpv_prefix) + 1).zfill(len(cpv_prefix)))
    return NoticeRow.id.in_(select(coded.id).where(*ranged))


def _scheme_column():  # a SQL expression
    """The notices' category scheme where the schema has it (the OCDS import adds it), else "CPV" for all."""
    column = getattr(NoticeRow, "category_scheme", None)
    return func.coalesce(column, "CPV") if column is not None else literal("CPV")


def _codes_column():  # a SQL expression
    """Another scheme's codes (main first) where the schema keeps them (the OCDS import adds them), else NULL.

    As the stored JSON text, decoded by ``_code`` only where ``cpv_main`` is empty: decoding every row's
    (mostly ``null``) was a third of reading a national store's awards."""
    column = getattr(NoticeRow, "category_codes", None)
    return cast(column, Text) if column is not None else null()


def _category_filter(cpv_prefix: str, all_schemes: bool):  # a SQL expression
    """CPV rows under the prefix; with ``all_schemes`` (and no prefix) also the rows of any other scheme."""
    codes = getattr(NoticeRow, "category_codes", None)
    if all_schemes and not cpv_prefix and codes is not None:
        return or_(NoticeRow.cpv_main.is_not(None), codes.is_not(None))
    return _cpv_filter(cpv_prefix)


def _code(cpv_main: str | None, codes_json: str | None) -> str | None:
    """``cpv_main``, else the first of the notice's codes in another scheme (``codes_json``: their JSON text)."""
    if cpv_main:
        return cpv_main
    codes = json.loads(codes_json) if codes_json is not None else None
    return codes[0] if codes else None


def counted_notices(cpv_prefix: str, all_schemes: bool, until: date | None, since: date | None = None) -> list:
    """The notices whose awards and bids count (SQL expressions): no duplicates, no modifications, in the
    category, published from ``since`` up to ``until`` (each when given)."""
    counted = [NoticeRow.duplicate_of_id.is_(None), NoticeRow.kind != "modification",
               _category_filter(cpv_prefix, all_schemes)]
    if until is not None:
        counted.append(NoticeRow.published <= until)
    if since is not None:
        counted.append(NoticeRow.published >= since)
    return counted


def award_facts(session: Session, cpv_prefix: str, *, until: date | None = None,
                all_schemes: bool = False, since: date | None = None) -> list[AwardFact]:
    """Every counted award under ``cpv_prefix``, over all history (new entrants need the past), or from ``since``.

    CPV awards only, unless ``all_schemes`` (with no prefix): then also awards classified in
    another scheme, whose ``cpv_main`` is then that scheme's main code (``category_scheme`` says which).

    Counted means: not a duplicate of a notice from a preferred source, and not from a modification
    notice (a contract changed is not a contract won; older parsers gave F20s awards). Each contract
    counts once: the award rows of one eForms settled contract over several lots become one fact
    (see ``store.contract_facts``).
    """
    return [fact for group in award_fact_groups(session, cpv_prefix, until=until, all_schemes=all_schemes, since=since)
            for fact in group]


def award_fact_groups(session: Session, cpv_prefix: str, *, until: date | None = None,
                      all_schemes: bool = False, since: date | None = None) -> Iterator[list[AwardFact]]:
    """``award_facts``, streamed one notice at a time: the facts of each (publication date, notice id)
    in turn, in publication order, while the rows are still being read.

    Why: a scan of a large category, or the summaries of every category, held all its awards (and a
    map of all their winners) at once; a stream keeps one notice's. The winners come in the same
    read (one row per award and winner), so nothing has to wait for a second query.
    """
    buyer, supplier = aliased(Organisation), aliased(Organisation)
    query = (
        select(
            Award.id, NoticeRow.notice_id, NoticeRow.source, NoticeRow.published, NoticeRow.cpv_main,
            buyer.name, buyer.country, buyer.org_key, buyer.postcode, Award.lot_id, Award.value, Award.currency,
            Award.tenders_received, NoticeRow.id, NoticeRow.format, Award.contract_id, _scheme_column(),
            _codes_column(), supplier.org_key, supplier.name, supplier.country,
        )
        .join(NoticeRow, NoticeRow.id == Award.notice_pk)
        .join(buyer, buyer.id == NoticeRow.buyer_id)
        .outerjoin(AwardWinner, AwardWinner.award_id == Award.id)
        .outerjoin(supplier, supplier.id == AwardWinner.organisation_id)
        .where(*counted_notices(cpv_prefix, all_schemes, until, since))
        .order_by(NoticeRow.published, NoticeRow.notice_id, Award.seq, Award.id, AwardWinner.position)
    )
    made: dict[tuple, Winner] = {}  # one (immutable) Winner per supplier, shared by its awards
    group: list[tuple[Hashable, AwardFact]] = []
    award: list = []  # the award being read: its row and its winners
    rows = session.connection().execute(query.execution_options(yield_per=2000))  # plain rows, streamed
    for row in rows:
        if award and row[0] != award[0][0]:
            if (award[0][3], award[0][1]) != (row[3], row[1]):  # a new notice: the last one is complete
                group.append(_fact(*award))
                yield one_fact_per_contract(group)
                group, award = [], []
            else:
                group.append(_fact(*award))
                award = []
        if not award:
            award = [row, []]
        if row[-3] is not None:
            supplier_row = tuple(row[-3:])
            winner = made.get(supplier_row)
            if winner is None:
                winner = made[supplier_row] = Winner(key=row[-3], name=row[-2], country=row[-1])
            award[1].append(winner)
    if award:
        group.append(_fact(*award))
        yield one_fact_per_contract(group)


def _fact(row, winners: list[Winner]) -> tuple[Hashable, AwardFact]:  # row: a row of award_fact_groups' read
    (award_id, notice_id, source, published, cpv_main, buyer_name, buyer_country, buyer_key, buyer_postcode, lot,
     value, currency, tenders, notice_pk, notice_format, contract_id, scheme, codes, *_supplier) = row
    return contract_key(notice_pk, notice_format, contract_id, award_id), AwardFact(
        notice_id=notice_id,
        source=source,
        published=published,
        cpv_main=_code(cpv_main, codes),
        buyer_name=buyer_name,
        buyer_country=buyer_country,
        lot=lot,
        winners=tuple(winners),
        value=value,
        currency=currency,
        tenders_received=tenders,
        buyer_key=buyer_key,
        buyer_postcode=buyer_postcode,
        category_scheme=scheme or "CPV",
    )


def bid_facts(session: Session, cpv_prefix: str, *, until: date | None = None,
              since: date | None = None) -> list[PastBid]:
    """Every tender received (won, lost or not said) under ``cpv_prefix`` (any scheme without a prefix),
    with its tenderers' org_keys.

    The same notices as ``award_facts`` (no duplicates, no modification notices); a bid without a
    known tenderer is left out: it names no one to suggest.
    """
    buyer = aliased(Organisation)
    counted = counted_notices(cpv_prefix, True, until, since)
    query = (
        select(Bid.id, NoticeRow.published, NoticeRow.cpv_main, buyer.org_key, Bid.won, _scheme_column(),
               _codes_column())
        .join(NoticeRow, NoticeRow.id == Bid.notice_pk)
        .join(buyer, buyer.id == NoticeRow.buyer_id)
        .where(*counted)
        .order_by(NoticeRow.published, NoticeRow.notice_id, Bid.seq)
    )
    connection = session.connection()  # plain rows, as in award_facts
    rows = connection.execute(query).all()
    tenderers: dict[int, list[str]] = defaultdict(list)
    q = (  # the tenderers of the same bids, in one read
        select(BidTenderer.bid_id, Organisation.org_key)
        .join(Organisation, Organisation.id == BidTenderer.organisation_id)
        .join(Bid, Bid.id == BidTenderer.bid_id)
        .join(NoticeRow, NoticeRow.id == Bid.notice_pk)
        .where(*counted)
        .order_by(BidTenderer.bid_id, BidTenderer.position)
    )
    keys: dict[str, str] = {}  # one string per tenderer, not one per bid
    for bid_id, key in connection.execute(q):
        tenderers[bid_id].append(keys.setdefault(key, key))
    shared: dict = {}  # one object per distinct day, code and buyer: each row read brings its own
    one = shared.setdefault
    return [
        PastBid(published=one(published, published), cpv=one(code, code), buyer_key=one(buyer_key or "", buyer_key or ""),
                bidders=tuple(tenderers[bid_id]), won=won, scheme=one(scheme or "CPV", scheme or "CPV"))
        for bid_id, published, cpv_main, buyer_key, won, scheme, codes in rows
        if tenderers.get(bid_id) and (code := _code(cpv_main, codes))
    ]


def modification_facts(session: Session, cpv_prefix: str, *, until: date | None = None) -> list[ContractChangeFact]:
    """Every contract modification under ``cpv_prefix`` (for its own line in a scan, never as awards)."""
    buyer = aliased(Organisation)
    query = (
        select(
            ContractModification.id, NoticeRow.notice_id, NoticeRow.source, NoticeRow.published, NoticeRow.cpv_main,
            buyer.name, ContractModification.lot_id, ContractModification.original_notice,
            ContractModification.contract_id, ContractModification.value_before, ContractModification.value_after,
            ContractModification.currency, ContractModification.reason,
        )
        .join(NoticeRow, NoticeRow.id == ContractModification.notice_pk)
        .join(buyer, buyer.id == NoticeRow.buyer_id)
        .where(NoticeRow.duplicate_of_id.is_(None), _cpv_filter(cpv_prefix))
        .order_by(NoticeRow.published, NoticeRow.notice_id, ContractModification.seq)
    )
    if until is not None:
        query = query.where(NoticeRow.published <= until)
    rows = session.execute(query).all()
    originals = sorted({r.original_notice for r in rows if r.original_notice})
    stored: set[str] = set()
    contractors: dict[int, list[Winner]] = defaultdict(list)
    for start in range(0, len(originals), 900):
        chunk = originals[start : start + 900]
        stored.update(session.scalars(select(NoticeRow.notice_id).where(NoticeRow.notice_id.in_(chunk))))
        # Or by another name of the award notice: its TED publication number or eForms UUID.
        names = {f"{scheme}:{original}": original for original in chunk for scheme in ("ted", "eforms")}
        found = session.scalars(select(NoticeIdentifier.identifier).where(NoticeIdentifier.identifier.in_(list(names))))
        stored.update(names[identifier] for identifier in found)
    ids = [r.id for r in rows]
    for start in range(0, len(ids), 900):
        q = (
            select(ModificationContractor.modification_id, Organisation.org_key, Organisation.name, Organisation.country)
            .join(Organisation, Organisation.id == ModificationContractor.organisation_id)
            .where(ModificationContractor.modification_id.in_(ids[start : start + 900]))
            .order_by(ModificationContractor.modification_id, ModificationContractor.position)
        )
        for change_id, key, name, country in session.execute(q):
            contractors[change_id].append(Winner(key=key, name=name, country=country))
    return [
        ContractChangeFact(
            notice_id=r.notice_id, source=r.source, published=r.published, cpv_main=r.cpv_main, buyer_name=r.name,
            lot=r.lot_id, contractors=tuple(contractors.get(r.id, ())), original_notice=r.original_notice,
            original_found=r.original_notice in stored, contract_id=r.contract_id, value_before=r.value_before,
            value_after=r.value_after, currency=r.currency, reason=r.reason,
        )
        for r in rows
    ]


def _notices_query(cpv_prefix: str, until: date | None):  # a SELECT
    query = (
        select(NoticeRow.notice_id, NoticeRow.source, NoticeRow.published, NoticeRow.cpv_main, NoticeRow.kind)
        .where(NoticeRow.duplicate_of_id.is_(None), _cpv_filter(cpv_prefix))
    )
    return query if until is None else query.where(NoticeRow.published <= until)


def notice_facts(session: Session, cpv_prefix: str, *, until: date | None = None) -> list[NoticeFact]:
    query = _notices_query(cpv_prefix, until).order_by(NoticeRow.published)
    return [
        NoticeFact(notice_id=n, source=s, published=p, cpv_main=c, kind=k) for n, s, p, c, k in session.execute(query)
    ]


def notice_groups(session: Session, cpv_prefix: str, *, since: date, until: date) -> Iterator[list[NoticeFact]]:
    """The notices under ``cpv_prefix`` published in [since, until], streamed one notice id at a time (its
    rows from every source, in publication order): what a scan counts, without holding every notice."""
    query = (_notices_query(cpv_prefix, until).where(NoticeRow.published >= since)
             .order_by(NoticeRow.notice_id, NoticeRow.published, NoticeRow.id))
    group: list[NoticeFact] = []
    for n, s, p, c, k in session.connection().execute(query.execution_options(yield_per=2000)):
        if group and group[0].notice_id != n:
            yield group
            group = []
        group.append(NoticeFact(notice_id=n, source=s, published=p, cpv_main=c, kind=k))
    if group:
        yield group


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


# What an alert run's history of a few CPV divisions must be told of the rest (``models.alternative_branches``),
# aggregated here instead of reading every award of the store.


def last_wins(session: Session, keys: Iterable[str] | None, *, before: date, since: date | None = None) -> dict[str, date]:
    """Each supplier's (org_key's) last win published before ``before``, in any category: what ``award_facts``
    (all schemes) would show as its latest counted award with it among the winners. ``since``: the suppliers
    are known to have won on or after that day, so older wins need not be read. ``keys`` None: every supplier
    with a win, in one pass (a tenth of the CPU of asking for most of them by name)."""
    query = (
        select(Organisation.org_key, func.max(NoticeRow.published))
        .join(AwardWinner, AwardWinner.organisation_id == Organisation.id)
        .join(Award, Award.id == AwardWinner.award_id)
        .join(NoticeRow, NoticeRow.id == Award.notice_pk)
        .where(*counted_notices("", True, None, since), NoticeRow.published < before, NoticeRow.buyer_id.is_not(None))
        .group_by(Organisation.org_key)
    )
    if keys is None:
        return dict(session.execute(query).tuples().all())
    wanted, found = sorted(set(keys)), {}
    for start in range(0, len(wanted), _CHUNK):
        chunk = query.where(Organisation.org_key.in_(wanted[start : start + _CHUNK]))
        found.update((key, day) for key, day in session.execute(chunk))
    return found


def buyer_award_counts(session: Session, keys: Iterable[str], *, before: date) -> dict[str, int]:
    """Per buyer (org_key): its awards with a winner published before ``before``, in any category, each contract
    once (``store.contract_facts``), as ``award_facts`` (all schemes) counts them; buyers without one left out."""
    contract = case(
        (and_(NoticeRow.format.in_(CONTRACT_ID_FORMATS), Award.contract_id.is_not(None), Award.contract_id != ""),
         literal("c").concat(cast(NoticeRow.id, String)).concat(":").concat(Award.contract_id)),
        else_=literal("a").concat(cast(Award.id, String)),
    )
    buyer, wanted, found = aliased(Organisation), sorted(set(keys)), {}
    for start in range(0, len(wanted), _CHUNK):
        q = (
            select(buyer.org_key, func.count(distinct(contract)))
            .select_from(Award)
            .join(NoticeRow, NoticeRow.id == Award.notice_pk)
            .join(buyer, buyer.id == NoticeRow.buyer_id)
            .where(*counted_notices("", True, None), NoticeRow.published < before,
                   exists().where(AwardWinner.award_id == Award.id), buyer.org_key.in_(wanted[start : start + _CHUNK]))
            .group_by(buyer.org_key)
        )
        found.update((key, count) for key, count in session.execute(q) if count)
    return found


def buyer_has_bids(session: Session, key: str, *, before: date) -> bool:
    """Whether the buyer (org_key) has a bid before ``before`` that ``bid_facts`` (no prefix) would read."""
    buyer = aliased(Organisation)
    q = (
        select(NoticeRow.cpv_main, _codes_column())
        .select_from(Bid)
        .join(NoticeRow, NoticeRow.id == Bid.notice_pk)
        .join(buyer, buyer.id == NoticeRow.buyer_id)
        .where(*counted_notices("", True, None), NoticeRow.published < before, buyer.org_key == key,
               exists().where(BidTenderer.bid_id == Bid.id))
    )
    return any(_code(cpv_main, codes) for cpv_main, codes in session.execute(q))
