"""What the score-suppliers flow keeps for the alert runs gives exactly what the run would read itself, and is
not used once it is no longer true (another day, other settings, new award data, a new status event).

On the random store of ``test_alert_alternatives_divisions`` (eForms contracts over several lots, awards without
a winner, duplicates, modifications, another scheme, bids, a buyer known only by its bids), with contracts of
ours in each of its CPV divisions.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np
from sqlalchemy import select

from models.alternative_branches import branch_state
from pipelines.alternatives import (
    BeyondReads,
    learn_ranker_keeping_history,
    load_context,
    load_division,
    prepare_for_alerts,
    suggest_for,
    suggestions_facts,
)
from pipelines.prepared_alert_facts import PreparedReads, markets_since, prepare_alert_facts
from pipelines.run_awards import RunAwards
from pipelines.send_alerts import load_config, market_years, read_markets
from store.db import Store
from store.queries import award_facts, last_wins
from store.schema import Award, AwardWinner, Contract, Organisation, SupplierEvent
from store.schema import Notice as NoticeRow
from store.schema.alerts import PreparedAlertFact
from store.schema.bids import Bid, BidTenderer
from tests.pipelines.test_alert_alternatives_divisions import AS_OF, NOW, _fill, _settings

OURS = "NL:id:90000001"


def _our_contracts(store: Store, supplier_id: int) -> list[str]:
    """A contract of ours under every CPV code of the store's notices; returns the codes."""
    with store.session() as session, session.begin():
        codes = sorted({c for (c,) in session.query(NoticeRow.cpv_main).filter(NoticeRow.cpv_main.is_not(None))})
        for i, code in enumerate(codes):
            session.add(Contract(contract_ref=f"C{i}", source_file="contracts.xlsx", row_number=i + 2, cpv=code,
                                 organisation_id=supplier_id, end_date=AS_OF + timedelta(days=200), content_hash="h",
                                 imported_at=NOW))
    return codes


def _suggestions(store: Store, settings, codes: list[str], supplier_id: int, prepared: bool) -> tuple[list, dict]:
    with store.session() as session:
        reads = PreparedReads(session, settings, AS_OF) if prepared else None
        context = prepare_for_alerts(session, settings, as_of=AS_OF, awards=RunAwards(session, as_of=AS_OF),
                                     prepared=reads)
        found = [suggestions_facts(suggest_for(session, settings, organisation_id=organisation_id, cpv=code,
                                               as_of=AS_OF, context=context), "en")
                 for code in codes for organisation_id in (None, supplier_id)]
        return found, dict(reads.used) if reads else {}


def test_kept_facts_are_what_the_run_reads_and_are_left_when_no_longer_true(store: Store) -> None:
    ids = _fill(store)
    supplier = ids["NL:id:3"]
    settings = _settings(OURS)
    codes = _our_contracts(store, supplier)
    with store.session() as session, session.begin():
        kept = prepare_alert_facts(session, settings, as_of=AS_OF)
    config = load_config(settings)
    categories = {c for code in codes if (c := config.routing.category_of(code))}
    assert kept == {"market": len(categories), "division": 3} and len(categories) == 2  # routing's 45 and 72

    expected, _ = _suggestions(store, settings, codes, supplier, prepared=False)
    found, used = _suggestions(store, settings, codes, supplier, prepared=True)
    assert found == expected and sum(bool(s["ranked"]) for s in expected) >= len(codes)
    assert used == {"division": 3}  # every division kept, companies included: nothing read

    with store.session() as session:
        years = market_years(config.rules)
        reads = PreparedReads(session, settings, AS_OF)
        markets = read_markets(session, categories, as_of=AS_OF, years=years, language="nl", prepared=reads)
        assert markets == read_markets(session, categories, as_of=AS_OF, years=years, language="nl")
        assert dict(reads.used) == {"market": 2}
        assert PreparedReads(session, settings, AS_OF + timedelta(days=1)).division("45") is None  # another day
        other = settings.model_copy(update={"alerts": settings.alerts.model_copy(update={
            "alternatives": settings.alerts.alternatives.model_copy(update={"years": 4})})})
        assert PreparedReads(session, other, AS_OF).division("45") is None  # other settings

    with store.session() as session, session.begin():  # a status event since: the divisions hold, companies not
        session.add(SupplierEvent(organisation_id=supplier, kind="kvk.dissolved", occurred_on=AS_OF - timedelta(days=3),
                                  source="kvk", source_ref="x", title="Opgeheven", detected_at=NOW))
    expected, _ = _suggestions(store, settings, codes, supplier, prepared=False)
    found, used = _suggestions(store, settings, codes, supplier, prepared=True)
    assert found == expected and used == {"division": 3, "companies missed": 3}

    with store.session() as session, session.begin():  # a notice collected since: nothing kept is used
        notice = session.get(NoticeRow, 1)
        notice.collected_at = NOW + timedelta(hours=1)
    found, used = _suggestions(store, settings, codes, supplier, prepared=True)
    assert found == expected and used == {"division missed": 3}


def _another_scheme_like_a_division(store: Store, ids: dict[str, int]) -> None:
    """An UNSPSC notice whose code starts like CPV division 72, with a won award and a bid: no CPV read finds it."""
    with store.session() as session, session.begin():
        buyer = session.scalar(select(Organisation.id).where(Organisation.org_key == OURS))
        notice = NoticeRow(source="ted", notice_id="U72", format="eforms", notice_type="can", kind="award",
                           published=AS_OF - timedelta(days=40), buyer_id=buyer, cpv_main=None,
                           category_scheme="UNSPSC", category_codes=["72101500"], content_hash="h", collected_at=NOW)
        session.add(notice)
        session.flush()
        award = Award(notice_pk=notice.id, seq=0, lot_id="LOT-0", value=70_000, currency="EUR", contract_id="CON-2")
        bid = Bid(notice_pk=notice.id, seq=0, lot_id="LOT-0", won=True)
        session.add_all([award, bid])
        session.flush()
        session.add_all([AwardWinner(award_id=award.id, organisation_id=ids["NL:id:4"], position=0),
                         BidTenderer(bid_id=bid.id, organisation_id=ids["NL:id:4"])])


def test_divisions_sliced_from_the_learning_history_are_the_divisions_read(store: Store) -> None:
    ids = _fill(store)
    _another_scheme_like_a_division(store, ids)
    settings = _settings(OURS)
    with store.session() as session:
        whole = load_context(session, settings, as_of=AS_OF, keep=True)[0].whole
        assert whole is not None and any(a.scheme == "UNSPSC" and a.cpv.startswith("72") for a in whole.awards)
        assert any(b.scheme == "UNSPSC" and b.cpv.startswith("72") for b in whole.bids)
        for division in ("45", "72", "90", "7210", "10"):
            read = load_division(session, settings, division=division, as_of=AS_OF, reads=BeyondReads(AS_OF))
            sliced = load_division(session, settings, division=division, as_of=AS_OF, reads=BeyondReads(AS_OF),
                                   whole=whole)
            (read_arrays, read_meta), (sliced_arrays, sliced_meta) = branch_state(read), branch_state(sliced)
            assert sliced_meta == read_meta and sliced_arrays.keys() == read_arrays.keys()
            for name, column in read_arrays.items():
                assert column.dtype == sliced_arrays[name].dtype
                assert np.array_equal(column, sliced_arrays[name], equal_nan=column.dtype.kind == "f"), (division, name)
        assert load_division(session, settings, division="72", as_of=AS_OF, reads=BeyondReads(AS_OF)).suppliers


def test_learning_keeps_the_history_for_the_kept_facts(store: Store) -> None:
    """The flow's way (learn, then keep the facts from the history learning read) keeps what reading keeps."""
    ids = _fill(store)
    _another_scheme_like_a_division(store, ids)
    settings = _settings(OURS)
    _our_contracts(store, ids["NL:id:3"])
    with store.session() as session, session.begin():
        ranker, whole = learn_ranker_keeping_history(session, settings, as_of=AS_OF, now=NOW)
        assert whole.as_of == AS_OF and ranker.kind in ("learned", "transparent")
        kept = prepare_alert_facts(session, settings, as_of=AS_OF, now=NOW, whole=whole)
    with store.session() as session:
        sliced = _prepared_rows(session)
    with store.session() as session, session.begin():
        assert prepare_alert_facts(session, settings, as_of=AS_OF, now=NOW) == kept
    with store.session() as session:
        assert _prepared_rows(session) == sliced and len(sliced) == kept["division"] + kept["market"]


def test_markets_from_the_facts_learning_kept_are_the_markets_read(store: Store) -> None:
    """Told the markets' first day (``markets_since``), learning keeps the CPV award facts from then; the kept markets
    taken from them are those read division by division, and a division's facts from any day are ``award_facts``';
    every supplier's last win is taken from the history learning read too."""
    ids = _fill(store)
    _another_scheme_like_a_division(store, ids)  # an UNSPSC award coded like division 72: no CPV read finds it
    settings = _settings(OURS)
    _our_contracts(store, ids["NL:id:3"])
    since = markets_since(settings, as_of=AS_OF)
    assert since is not None and since < AS_OF
    with store.session() as session, session.begin():
        whole = learn_ranker_keeping_history(session, settings, as_of=AS_OF, now=NOW, facts_since=since)[1]
        assert whole.facts_since == since and whole.facts and all(f.category_scheme == "CPV" for f in whole.facts)
        kept = prepare_alert_facts(session, settings, as_of=AS_OF, now=NOW, whole=whole)
    with store.session() as session:
        from_facts = _prepared_rows(session)
    with store.session() as session, session.begin():
        assert prepare_alert_facts(session, settings, as_of=AS_OF, now=NOW) == kept and kept["market"]
    with store.session() as session:
        assert _prepared_rows(session) == from_facts
        assert whole.last_wins() == last_wins(session, None, before=AS_OF)  # every supplier's, as the store reads it
        awards = RunAwards(session, as_of=AS_OF, known=(whole.facts_since, whole.facts))
        for prefix, start in (("72", since), ("45", since + timedelta(days=90)), ("4521", since),
                              ("90", since - timedelta(days=800)), ("10", since), ("72", since - timedelta(days=400))):
            assert awards.under(prefix, since=start) == award_facts(session, prefix, until=AS_OF, since=start), prefix


def _prepared_rows(session) -> list[tuple]:
    """Every kept fact as its columns but the row id (written anew each time)."""
    table = PreparedAlertFact.__table__
    return sorted(tuple(row) for row in session.execute(select(*(c for c in table.c if c.name != "id"))))


def test_companies_learning_read_are_not_kept_once_a_status_event_came_since(store: Store) -> None:
    """The divisions' company facts come from learning's read only while ``company_stamp`` still says the same: a
    status event after learning makes ``prepare_alert_facts`` read them again, and keep what a fresh read keeps."""
    ids = _fill(store)
    settings = _settings(OURS)
    _our_contracts(store, ids["NL:id:3"])
    with store.session() as session, session.begin():
        whole = learn_ranker_keeping_history(session, settings, as_of=AS_OF, now=NOW)[1]
    assert whole.companies and whole.companies_stamp is not None
    supplier = "NL:id:3"  # a winner in our divisions
    assert supplier in whole.companies and whole.companies[supplier].dissolved_on is None
    with store.session() as session, session.begin():
        session.add(SupplierEvent(organisation_id=ids[supplier], kind="kvk.dissolved",
                                  occurred_on=AS_OF - timedelta(days=3), source="kvk", source_ref="x",
                                  title="Opgeheven", detected_at=NOW))
    with store.session() as session, session.begin():
        assert whole.companies_of([supplier], stamp="another") is None
        prepare_alert_facts(session, settings, as_of=AS_OF, now=NOW, whole=whole)
    with store.session() as session:
        kept = _prepared_rows(session)
    with store.session() as session, session.begin():
        prepare_alert_facts(session, settings, as_of=AS_OF, now=NOW)
    with store.session() as session:
        assert _prepared_rows(session) == kept
    assert any((AS_OF - timedelta(days=3)).isoformat() in str(row) for row in kept)  # the new status is kept
