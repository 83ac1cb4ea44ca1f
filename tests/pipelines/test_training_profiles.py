"""Training and scoring read the company snapshot history once (``store.companies.profile_history``) and take
each day's profiles from it: the same profiles, in the same order, as ``latest_profiles`` of that day."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from config.risk import load_risk_config
from pipelines.score_suppliers import ProfileTimeline, load_inputs, load_profiles
from store.companies import latest_profiles, profile_history
from store.db import Store
from store.schema import Organisation, SpendLine
from store.schema.companies import CompanySnapshot


def _snapshot(org: Organisation, kvk: str, day: date, *, status: str = "found", town: str = "Gouda") -> CompanySnapshot:
    payload = {"name": org.name, "legal_form": "BV", "started_on": "2001-02-03", "employees": day.month,
               "address": {"town": town, "postcode": "1234AB"}, "sbi": [{"code": "4120", "main": True}]}
    return CompanySnapshot(organisation_id=org.id, kvk_number=kvk, observed_on=day, confirmed_on=day, status=status,
                           payload=payload, content_hash=f"{kvk}{day}", fetched_at=datetime.now(UTC))


def _companies(store: Store) -> list[int]:
    """Four organisations with snapshots on several days (see below); their ids."""
    now = datetime.now(UTC)
    with store.session() as session, session.begin():
        orgs = [Organisation(org_key=f"NL:id:{n}", name=f"Company {n}", country="NL", first_seen=now, updated_at=now)
                for n in range(4)]
        session.add_all(orgs)
        session.flush()
        # added out of day order; org 2 has two numbers seen the same day (the one stored last wins); org 3 none
        session.add_all([
            _snapshot(orgs[1], "10000001", date(2025, 9, 30), town="Breda"),
            _snapshot(orgs[0], "10000000", date(2024, 3, 1)),
            _snapshot(orgs[1], "10000001", date(2024, 6, 15)),
            _snapshot(orgs[0], "10000000", date(2025, 1, 1), status="not_found"),
            _snapshot(orgs[2], "10000002", date(2024, 6, 15)),
            _snapshot(orgs[2], "10000012", date(2024, 6, 15), town="Delft"),
        ])
    return [o.id for o in orgs]


def test_the_timeline_gives_each_day_what_latest_profiles_reads(store: Store) -> None:
    ids = _companies(store)
    days = [date(2024, 1, 1), date(2024, 3, 1), date(2024, 6, 15), date(2024, 12, 31), date(2025, 1, 1),
            date(2025, 9, 29), date(2025, 9, 30), date(2026, 11, 1)]
    with store.session() as session:
        timeline = ProfileTimeline(profile_history(session, ids, date(2026, 11, 1)))
        for day in days:
            expected = latest_profiles(session, ids, day)
            got = timeline(session, ids, day)
            assert got == expected and list(got) == list(expected), day
        assert timeline(session, ids, date(2024, 7, 1))[ids[2]]["town"] == "Delft"
        assert timeline(session, ids, date(2025, 2, 1))[ids[0]] == {"kvk_number": "10000000", "not_found": True,
                                                                   "observed_on": date(2025, 1, 1)}
        assert ids[3] not in timeline(session, ids, date(2026, 11, 1))
        assert profile_history(session, ids, date(2024, 6, 14)) == {ids[0]: [(date(2024, 3, 1), latest_profiles(
            session, [ids[0]], date(2024, 6, 14))[ids[0]])]}  # nothing observed after ``until``


def test_scoring_reads_the_profiles_load_profiles_reads_on_its_day_and_a_year_before(store: Store) -> None:
    ids = _companies(store)
    with store.session() as session, session.begin():  # our spend with each: all four are scored
        session.add_all([SpendLine(row_key=f"row-{n}", source_file="spend.csv", row_number=n, organisation_id=org,
                                   cpv="72000000", amount=Decimal(1000), booked_on=date(2026, 3, 1),
                                   imported_at=datetime.now(UTC)) for n, org in enumerate(ids)])
    config = load_risk_config()
    with store.session() as session:
        for day in (date(2026, 3, 1), date(2026, 9, 30), date(2026, 11, 1)):
            once = load_inputs(session, day, config)
            twice = load_inputs(session, day, config, profile_loader=load_profiles)
            assert len(once.organisations) == 4 and once.profiles and once.profiles_year_ago, day
            for got, expected in ((once.profiles, twice.profiles), (once.profiles_year_ago, twice.profiles_year_ago)):
                assert got == expected and list(got) == list(expected), day
