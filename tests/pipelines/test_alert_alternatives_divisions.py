"""An alert run reads only the CPV divisions its alerts ask about, and suggests exactly what a read of the
whole store suggests: on a random store with the cases that make counting hard (an eForms contract over
several lots, awards without a winner, duplicate and modification notices, another scheme's notices,
bids, a buyer known only by its bids)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest

from config.settings import Settings
from pipelines.alternatives import load_context, prepare_for_alerts, suggest_for, suggestions_facts
from pipelines.run_awards import RunAwards
from store.db import Store
from store.queries import award_facts, buyer_award_counts, last_wins
from store.schema import Award, AwardWinner, Organisation
from store.schema import Notice as NoticeRow
from store.schema.bids import Bid, BidTenderer

AS_OF = date(2026, 11, 1)
NOW = datetime(2026, 11, 1, tzinfo=UTC)


def _fill(store: Store, seed: int = 5) -> dict[str, int]:
    """A random store; returns the ids of the suppliers by key."""
    rng = random.Random(seed)
    codes = [f"{d}{rng.randint(0, 999999):06d}" for d in ("45", "72", "90") for _ in range(4)]
    with store.session() as session, session.begin():
        def org(key: str, name: str) -> Organisation:
            row = Organisation(org_key=key, name=name, country="NL", postcode=f"{rng.randint(1, 9)}811 AB",
                               first_seen=NOW, updated_at=NOW)
            session.add(row)
            session.flush()
            return row

        buyers = [org(f"NL:id:9{i:07d}", f"Gemeente {i}" if i % 2 else f"Ziekenhuis {i}") for i in range(8)]
        only_bids = org("NL:id:80000000", "Gemeente Bieder")  # a buyer the history knows by one bid only
        suppliers = [org(f"NL:id:{i}", f"Supplier {i % 17} B.V.") for i in range(30)]  # names repeat
        notices: list[NoticeRow] = []
        for i in range(260):  # the last on the reference day itself: not yet known on it
            day = date(2018, 1, 1) + timedelta(days=rng.randint(0, 3250)) if i < 259 else AS_OF
            other_scheme = i % 37 == 0
            notice = NoticeRow(
                source="ted", notice_id=f"N{i}", format=rng.choice(("eforms", "ted-xml")), notice_type="can",
                kind="modification" if i % 29 == 0 else "award", published=day, buyer_id=rng.choice(buyers).id,
                cpv_main=None if other_scheme else rng.choice(codes), content_hash="h", collected_at=NOW,
                category_scheme="UNSPSC" if other_scheme else "CPV",
                category_codes=["43211500"] if other_scheme else None,
                duplicate_of_id=notices[-1].id if i % 23 == 0 and notices else None,
            )
            session.add(notice)
            session.flush()
            notices.append(notice)
            for seq in range(rng.choice((1, 1, 2, 3))):
                award = Award(notice_pk=notice.id, seq=seq, lot_id=f"LOT-{seq}", value=rng.choice((None, 50_000 * (seq + 1))),
                              currency="EUR", contract_id="CON-1" if seq and i % 3 == 0 else f"CON-{seq + 2}")
                session.add(award)
                session.flush()
                for position, winner in enumerate(rng.sample(suppliers, rng.choice((0, 1, 1, 2)) if i < 259 else 2)):
                    session.add(AwardWinner(award_id=award.id, organisation_id=winner.id, position=position))
            if i % 4 == 0:
                bid = Bid(notice_pk=notice.id, seq=0, lot_id="LOT-0", won=rng.choice((True, False, None)))
                session.add(bid)
                session.flush()
                session.add(BidTenderer(bid_id=bid.id, organisation_id=rng.choice(suppliers).id))
        notice = NoticeRow(source="ted", notice_id="B1", format="eforms", notice_type="can", kind="award",
                           published=date(2019, 5, 1), buyer_id=only_bids.id, cpv_main=codes[0], content_hash="h",
                           collected_at=NOW)
        session.add(notice)
        session.flush()
        bid = Bid(notice_pk=notice.id, seq=0, lot_id="LOT-0", won=False)
        session.add(bid)
        session.flush()
        session.add(BidTenderer(bid_id=bid.id, organisation_id=suppliers[0].id))
        return {s.org_key: s.id for s in suppliers}


def _settings(ours: str) -> Settings:
    settings = Settings(_env_file=None)
    alternatives = settings.alerts.alternatives.model_copy(update={"buyer_org_key": ours})
    return settings.model_copy(update={"alerts": settings.alerts.model_copy(update={"alternatives": alternatives})})


@pytest.mark.parametrize("ours", ["", "NL:id:90000001", "NL:id:80000000", "NL:id:404"])
def test_divisions_suggest_what_the_whole_store_suggests(store: Store, ours: str) -> None:
    supplier_ids = _fill(store)
    settings = _settings(ours)
    with store.session() as session:
        codes = sorted({c for (c,) in session.query(NoticeRow.cpv_main).filter(NoticeRow.cpv_main.is_not(None))})
        part = prepare_for_alerts(session, settings, as_of=AS_OF, awards=RunAwards(session, as_of=AS_OF))
        whole = load_context(session, settings, as_of=AS_OF, ranker=part.ranker)[0]
        compared = 0
        for code in codes:
            for organisation_id in (None, supplier_ids["NL:id:3"]):
                expected = suggest_for(session, settings, organisation_id=organisation_id, cpv=code, as_of=AS_OF,
                                       context=whole)
                found = suggest_for(session, settings, organisation_id=organisation_id, cpv=code, as_of=AS_OF,
                                    context=part)
                assert suggestions_facts(found, "en") == suggestions_facts(expected, "en")
                compared += bool(expected.ranked)
        assert compared >= len(codes)  # not an empty comparison
        assert sorted(part.divisions) == ["45", "72", "90"] and part.index is None  # never the whole history


def test_the_store_aggregates_count_as_the_history_does(store: Store) -> None:
    from pipelines.alternatives import load_history

    _fill(store)
    with store.session() as session:
        history = [a for a in load_history(session, until=AS_OF) if a.published < AS_OF]
        buyers = {a.buyer_key for a in history} | {"NL:id:404"}
        suppliers = {w for a in history for w in a.winners} | {"NL:id:404"}
        expected_counts: dict[str, int] = {}
        expected_last: dict[str, date] = {}
        for a in history:
            if a.winners:
                expected_counts[a.buyer_key] = expected_counts.get(a.buyer_key, 0) + 1
            for w in a.winners:
                expected_last[w] = max(expected_last.get(w, a.published), a.published)
        assert buyer_award_counts(session, buyers, before=AS_OF) == expected_counts
        assert last_wins(session, suppliers, before=AS_OF) == expected_last
        assert last_wins(session, None, before=AS_OF) == expected_last  # every supplier with a win, in one pass
        assert any(a.scheme == "UNSPSC" and a.winners for a in history)  # counted too, in no CPV division


def test_the_run_reads_each_division_once_and_gives_what_a_read_of_the_prefix_gives(store: Store) -> None:
    _fill(store)
    with store.session() as session:
        awards = RunAwards(session, as_of=AS_OF)
        prefixes = sorted({c[:n] for (c,) in session.query(NoticeRow.cpv_main).filter(NoticeRow.cpv_main.is_not(None))
                           for n in (2, 3, 5)})
        for since in (date(2023, 11, 1), date(2021, 11, 1), date(2022, 6, 1)):  # a window, a longer one, within
            for prefix in prefixes:
                assert awards.under(prefix, since=since) == award_facts(session, prefix, until=AS_OF, since=since)
        assert award_facts(session, "4", until=AS_OF) == [f for f in award_facts(session, "", until=AS_OF)
                                                           if f.cpv_main.startswith("4")]
