"""Round trip: the demo replay (KvK and CIR as of a day) -> company_signals -> store (SQLite and PostgreSQL).

The collection runs on the store fixture: snapshots and events are written once (a re-run changes
nothing), an outage leaves the last known state, a confirmed not-found becomes ``kvk.not_found``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import httpx
import pytest
from sqlalchemy import func, select

from config.settings import HttpSettings, Settings
from demo.replay_companies import load_register
from demo.settings import company_settings
from demo.story import build_story
from pipelines.company_signals import collect_company_signals, collect_history, refresh_days
from pipelines.transports import transport_for
from store.bookkeeping import get_watermark
from store.companies import watch_list
from store.db import Store
from store.schema import CollectionRun, Organisation, OrganisationIdentifier, SupplierEvent
from store.schema.companies import CompanySnapshot, InsolvencyCase

OUR_FAILURE = build_story().our_failure_id


@pytest.fixture
def demo(settings: Settings) -> Settings:
    fast = company_settings(settings)
    return fast.model_copy(update={"http": HttpSettings(max_attempts=2, backoff_base=0, backoff_max=0),
                                   "kvk": fast.kvk.model_copy(update={"refresh_after_days": 0})})


def _add_orgs(store: Store, kvks: list[str], *, identifier: str | None = None) -> None:
    now = datetime.now(UTC)
    register = load_register()
    with store.session() as session, session.begin():
        for kvk in kvks:
            session.add(Organisation(org_key=f"NL:id:{kvk}", name=register.companies[kvk]["name"], country="NL",
                                     company_id=kvk, first_seen=now, updated_at=now))
        if identifier:
            org = Organisation(org_key="NL:name:renamed supplier", name="Renamed", country="NL", first_seen=now, updated_at=now)
            session.add(org)
            session.flush()
            session.add(OrganisationIdentifier(organisation_id=org.id, scheme="kvk", value=identifier, source="spend",
                                               first_seen=now))


def _count(store: Store, model: type, *where: object) -> int:
    with store.session() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def _events(store: Store) -> list[tuple[str, date]]:
    with store.session() as session:
        return sorted(session.execute(select(SupplierEvent.kind, SupplierEvent.occurred_on)).all())


def test_watch_list_from_identifiers_and_org_keys(store: Store) -> None:
    healthy = sorted(k for k, c in load_register().companies.items() if not c["signals"])[:2]
    _add_orgs(store, [healthy[0]], identifier=healthy[1])
    with store.session() as session:
        watched = watch_list(session)
    assert [w.kvk_number for w in watched] == sorted(healthy)


def test_history_gives_dated_events_and_a_rerun_changes_nothing(store: Store, demo: Settings) -> None:
    _add_orgs(store, [OUR_FAILURE])
    days = [date(2025, 9, 30), date(2025, 12, 31), date(2026, 9, 30), date(2026, 11, 1)]
    for day in days:
        rows = collect_company_signals(store, demo, observed_on=day, transport=transport_for("demo", today=day))
        assert all(r.status == "ok" for r in rows), rows
    events = _events(store)
    assert ("insolvency.bankruptcy_declared", date(2026, 10, 20)) in events
    assert ("insolvency.suspension_provisional", date(2026, 10, 6)) in events
    # the story moves it in December 2025; observed: the register keeps no date of a move
    assert ("kvk.address_moved", date(2025, 12, 31)) in events
    snapshots, counts = _count(store, CompanySnapshot), len(events)
    # every case of the register is kept; events only for the organisation we know
    assert _count(store, InsolvencyCase) == len(load_register().cases)
    assert {kind.split(".")[0] for kind, _day in events} == {"kvk", "insolvency"}
    with store.session() as session:
        assert session.scalar(select(func.count(func.distinct(SupplierEvent.organisation_id)))) == 1
    for day in days:  # the same refreshes again: nothing new
        collect_company_signals(store, demo, observed_on=day, transport=transport_for("demo", today=day))
    assert _count(store, CompanySnapshot) == snapshots and len(_events(store)) == counts
    with store.session() as session:
        assert get_watermark(session, "cir", "modified") == "2026-11-01"
        sources = set(session.scalars(select(CollectionRun.source).where(CollectionRun.status == "ok")))
    assert sources == {"kvk", "cir"}


def test_outage_is_not_a_disappearance(store: Store, demo: Settings) -> None:
    _add_orgs(store, [OUR_FAILURE])
    day = date(2026, 6, 30)
    collect_company_signals(store, demo, observed_on=day, transport=transport_for("demo", today=day))
    before = _count(store, CompanySnapshot)
    outage = httpx.MockTransport(lambda request: httpx.Response(503))
    rows = collect_company_signals(store, demo, observed_on=date(2026, 9, 30), transport=outage)
    assert [r.status for r in rows] == ["failed", "failed"] and "unavailable" in rows[0].error
    assert _count(store, CompanySnapshot) == before
    assert _count(store, SupplierEvent, SupplierEvent.kind == "kvk.not_found") == 0
    with store.session() as session:
        assert session.scalar(select(CollectionRun.status).where(CollectionRun.source == "kvk")
                              .order_by(CollectionRun.id.desc()).limit(1)) == "failed"
        assert get_watermark(session, "cir", "modified") == day.isoformat()


def test_confirmed_not_found_becomes_an_event(store: Store, demo: Settings) -> None:
    _add_orgs(store, [OUR_FAILURE])
    day = date(2026, 6, 30)
    collect_company_signals(store, demo, observed_on=day, transport=transport_for("demo", today=day))
    gone = httpx.MockTransport(lambda request: httpx.Response(404, json={"fout": [{"code": "IPD0005", "omschrijving": "x"}]}))
    from pipelines.company_signals import refresh_companies

    summary = refresh_companies(store, demo, observed_on=date(2026, 9, 30), transport=gone)
    assert summary.status == "ok" and summary.not_found == 1
    assert _count(store, SupplierEvent, SupplierEvent.kind == "kvk.not_found") == 1


def test_refresh_days_are_quarterly_to_the_end() -> None:
    days = refresh_days(date(2019, 3, 31), date(2026, 11, 1))
    assert days[:3] == [date(2019, 3, 31), date(2019, 6, 30), date(2019, 9, 30)]
    assert days[-2:] == [date(2026, 9, 30), date(2026, 11, 1)] and len(days) == 32


def test_collect_history_runs_each_day(store: Store, demo: Settings) -> None:
    _add_orgs(store, [OUR_FAILURE])
    rows = collect_history(store, demo, start=date(2026, 3, 31), end=date(2026, 11, 1),
                           transport_for_day=lambda day: transport_for("demo", today=day))
    assert [(r.source, r.observed_on) for r in rows[:2]] == [("kvk", date(2026, 3, 31)), ("cir", date(2026, 3, 31))]
    assert len(rows) == 2 * len(refresh_days(date(2026, 3, 31), date(2026, 11, 1)))


def test_a_supplier_added_later_gets_its_older_insolvency_cases(store: Store, demo: Settings) -> None:
    from pipelines.company_signals import collect_insolvencies

    day = date(2026, 11, 1)
    first = collect_insolvencies(store, demo, observed_on=day, since=date(2026, 10, 25),
                                 transport=transport_for("demo", today=day))
    assert first.status == "ok" and first.events == 0  # nobody watched yet; the early-October cases are not read
    _add_orgs(store, [OUR_FAILURE])
    later = collect_insolvencies(store, demo, observed_on=day, transport=transport_for("demo", today=day))
    assert later.status == "ok" and later.events == 2  # found by searchUndertaking on its KvK number
    again = collect_insolvencies(store, demo, observed_on=day, transport=transport_for("demo", today=day))
    assert again.events == 0


def test_a_recent_profile_is_not_fetched_again(store: Store, demo: Settings) -> None:
    from pipelines.company_signals import refresh_companies

    _add_orgs(store, [OUR_FAILURE])
    cached = demo.model_copy(update={"kvk": demo.kvk.model_copy(update={"refresh_after_days": 7})})
    calls: list[httpx.Request] = []
    replay = transport_for("demo", today=date(2026, 6, 30))

    def counting(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return replay.handle_request(request)

    first = refresh_companies(store, cached, observed_on=date(2026, 6, 24), transport=httpx.MockTransport(counting))
    soon = refresh_companies(store, cached, observed_on=date(2026, 6, 30), transport=httpx.MockTransport(counting))
    later = refresh_companies(store, cached, observed_on=date(2026, 7, 1), transport=httpx.MockTransport(counting))
    assert (first.fetched, soon.fetched, soon.cached, later.fetched) == (1, 0, 1, 1) and len(calls) == 2


def test_branch_profile_fills_a_missing_address_and_a_bad_answer_is_quarantined(store: Store, demo: Settings) -> None:
    import json
    from pathlib import Path

    from pipelines.company_signals import refresh_companies
    from store.bookkeeping import open_quarantine

    folder = Path(__file__).parents[1] / "fixtures" / "kvk"
    profile = json.loads((folder / "basisprofiel_69599084.json").read_text(encoding="utf-8"))["response"]["body"]
    del profile["_embedded"]["hoofdvestiging"]["adressen"]
    branch = json.loads((folder / "vestigingsprofiel_000038509504.json").read_text(encoding="utf-8"))["response"]["body"]
    broken = {"value": True}

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/69599084"):
            return httpx.Response(200, json=profile)
        if request.url.path.endswith("/000038509504"):
            return httpx.Response(200, json=branch)
        if broken["value"]:
            return httpx.Response(200, json={"kvkNummer": "bad"})
        return httpx.Response(404, json={"fout": [{"code": "IPD0005", "omschrijving": "niet geleverd"}]})

    now = datetime.now(UTC)
    with store.session() as session, session.begin():
        for number in ("69599084", "90000749"):
            session.add(Organisation(org_key=f"NL:id:{number}", name=number, country="NL", first_seen=now, updated_at=now))
    first = refresh_companies(store, demo, observed_on=date(2026, 6, 30), transport=httpx.MockTransport(answer))
    assert (first.added, first.quarantined) == (1, 1)
    with store.session() as session:
        payload = session.scalar(select(CompanySnapshot.payload).where(CompanySnapshot.kvk_number == "69599084"))
        assert payload["address"]["town"] == "Amsterdam"
        assert [q.record_key for q in open_quarantine(session, "kvk")] == ["90000749"]
    broken["value"] = False
    second = refresh_companies(store, demo, observed_on=date(2026, 7, 31), transport=httpx.MockTransport(answer))
    assert second.not_found == 1 and second.quarantined == 0
    with store.session() as session:
        assert open_quarantine(session, "kvk") == []


def test_no_insolvency_account_is_a_clear_failure(store: Store, settings: Settings) -> None:
    from pipelines.company_signals import collect_insolvencies

    summary = collect_insolvencies(store, settings, observed_on=date(2026, 11, 1), transport=transport_for("demo"))
    assert summary.status == "failed" and "SUPPLYRADAR_INSOLVENCY__USERNAME" in summary.error
    with store.session() as session:
        assert session.scalar(select(CollectionRun.error).where(CollectionRun.source == "cir")) == summary.error


def test_history_table_totals_per_source() -> None:
    from pipelines.company_signals import SignalSummary, history_table

    rows = [SignalSummary("kvk", date(2026, 3, 31), fetched=2, events=1), SignalSummary("cir", date(2026, 3, 31), events=2),
            SignalSummary("kvk", date(2026, 6, 30), fetched=2, cached=3, status="failed", error="x")]
    table = history_table(rows)
    assert table[0] == {"source": "kvk", "days": 2, "from": "2026-03-31", "to": "2026-06-30", "fetched": 4, "cached": 3, "added": 0,
                        "not_found": 0, "events": 1, "quarantined": 0, "status": "failed on 1 day(s)"}
    assert history_table([r.as_row() for r in rows]) == table


def test_latest_profiles_never_look_past_the_day_asked(store: Store, demo: Settings) -> None:
    """What the failure model sees of a company on a day: the newest snapshot observed by then, flattened."""
    from store.companies import latest_profiles

    _add_orgs(store, [OUR_FAILURE])
    for day in (date(2025, 9, 30), date(2026, 9, 30)):
        collect_company_signals(store, demo, observed_on=day, transport=transport_for("demo", today=day))
    with store.session() as session:
        org_id = session.scalar(select(Organisation.id).where(Organisation.org_key == f"NL:id:{OUR_FAILURE}"))
        assert latest_profiles(session, [org_id], date(2025, 6, 1)) == {}
        before = latest_profiles(session, [org_id], date(2025, 10, 15))[org_id]
        after = latest_profiles(session, [org_id, 999_999], date(2026, 11, 1))
    assert set(after) == {org_id}
    assert before["observed_on"] == date(2025, 9, 30) and after[org_id]["observed_on"] == date(2026, 9, 30)
    assert before["kvk_number"] == OUR_FAILURE and before["registration_start"].year == 1991
    assert before["town"] != after[org_id]["town"]  # the story moves it in December 2025
    assert after[org_id]["employees"] < before["employees"]


def _counting(answer) -> tuple[httpx.MockTransport, list[str]]:
    asked: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        asked.append(request.url.path.rsplit("/", 1)[-1])
        return answer(request)

    return httpx.MockTransport(handle), asked


def _unknown(request: httpx.Request) -> httpx.Response:
    return httpx.Response(404, json={"fout": [{"code": "IPD0005", "omschrijving": "niet geleverd"}]})


def test_a_number_confirmed_unknown_is_asked_again_only_after_the_recheck_window(store: Store, demo: Settings) -> None:
    """``kvk.not_found_recheck_days``: a confirmed "not found" is not re-asked every refresh (each query costs
    fees and rate-limit budget), but it is asked again once the window has passed; the summary says so."""
    from pipelines.company_signals import refresh_companies

    now = datetime.now(UTC)
    with store.session() as session, session.begin():
        session.add(Organisation(org_key="NL:id:90000749", name="Typo B.V.", country="NL", first_seen=now, updated_at=now))
    spaced = demo.model_copy(update={"kvk": demo.kvk.model_copy(update={"not_found_recheck_days": 365})})
    transport, asked = _counting(_unknown)
    first = refresh_companies(store, spaced, observed_on=date(2025, 3, 31), transport=transport)
    within = [refresh_companies(store, spaced, observed_on=day, transport=transport)
              for day in (date(2025, 6, 30), date(2026, 3, 30))]  # 364 days after the answer
    after = refresh_companies(store, spaced, observed_on=date(2026, 3, 31), transport=transport)
    assert (first.fetched, first.not_found, first.cached) == (1, 1, 0)
    assert [(s.fetched, s.cached, s.cached_not_found, s.status) for s in within] == [(0, 1, 1, "ok")] * 2
    assert (after.fetched, after.not_found, after.cached) == (1, 1, 0) and asked == ["90000749"] * 2
    every_time = demo.model_copy(update={"kvk": demo.kvk.model_copy(update={"not_found_recheck_days": 0})})
    assert refresh_companies(store, every_time, observed_on=date(2026, 4, 1), transport=transport).fetched == 1


def test_a_number_that_stays_unknown_is_asked_after_one_two_and_four_years_then_every_four(
        store: Store, demo: Settings) -> None:
    """``kvk.not_found_recheck_max_days``: the wait grows with how long the number has been unknown (each query
    costs fees); set to the recheck days it stays fixed."""
    from pipelines.company_signals import refresh_companies

    now = datetime.now(UTC)
    with store.session() as session, session.begin():
        session.add(Organisation(org_key="NL:id:90000749", name="Typo B.V.", country="NL", first_seen=now, updated_at=now))
    growing = demo.model_copy(update={"kvk": demo.kvk.model_copy(update={"not_found_recheck_days": 365,
                                                                         "not_found_recheck_max_days": 1461})})
    transport, _ = _counting(_unknown)
    quarters = [date(2019 + q // 4, 3 * (q % 4) + 1, 1) for q in range(4 * 12)]  # 2019-01-01 .. 2030-10-01
    asked = [day for day in quarters if refresh_companies(store, growing, observed_on=day, transport=transport).fetched]
    # unknown for 731 days on 2021-01-01 (2020 is a leap year): 730 days later is one day short, so the next quarter
    assert asked == [date(2019, 1, 1), date(2020, 1, 1), date(2021, 1, 1), date(2023, 4, 1), date(2027, 4, 1)]
    fixed = growing.model_copy(update={"kvk": growing.kvk.model_copy(update={"not_found_recheck_max_days": 365})})
    assert refresh_companies(store, fixed, observed_on=date(2028, 4, 1), transport=transport).fetched == 1  # 366 days on


def test_found_then_not_found_is_seen_at_the_next_refresh_and_then_spaced_out(store: Store, demo: Settings) -> None:
    """Only the re-asking of an already unknown number is spaced out: a found company is asked at every refresh,
    so its disappearance becomes its ``kvk.not_found`` event as before."""
    from pipelines.company_signals import refresh_companies

    _add_orgs(store, [OUR_FAILURE])
    spaced = demo.model_copy(update={"kvk": demo.kvk.model_copy(update={"refresh_after_days": 7,
                                                                         "not_found_recheck_days": 365})})
    day = date(2026, 3, 31)
    found = refresh_companies(store, spaced, observed_on=day, transport=transport_for("demo", today=day))
    transport, asked = _counting(_unknown)
    gone = refresh_companies(store, spaced, observed_on=date(2026, 4, 7), transport=transport)
    later = refresh_companies(store, spaced, observed_on=date(2026, 7, 7), transport=transport)
    assert (found.fetched, found.added) == (1, 1)
    assert (gone.fetched, gone.not_found, gone.added, gone.events) == (1, 1, 1, 1)
    assert (later.fetched, later.cached_not_found) == (0, 1) and asked == [OUR_FAILURE]
    assert _events(store).count(("kvk.not_found", date(2026, 4, 7))) == 1


def _company_tables(store: Store) -> tuple[list[tuple], list[tuple]]:
    with store.session() as session:
        snapshots = session.execute(select(CompanySnapshot.kvk_number, CompanySnapshot.observed_on, CompanySnapshot.confirmed_on,
                                           CompanySnapshot.status, CompanySnapshot.content_hash)
                                    .order_by(CompanySnapshot.kvk_number, CompanySnapshot.observed_on)).all()
        events = session.execute(select(SupplierEvent.kind, SupplierEvent.occurred_on, SupplierEvent.source_ref)
                                 .order_by(SupplierEvent.source_ref)).all()
    return [tuple(r) for r in snapshots], [tuple(r) for r in events]


def test_a_history_carries_the_states_from_day_to_day_as_reading_them_each_day_would(
        store: Store, demo: Settings, tmp_path) -> None:
    """The history reads the watch list and the newest states once and carries them; the same days run one by
    one (each reading the store) give the same snapshots, confirmations and events."""
    from pipelines.company_signals import refresh_companies

    register = load_register()
    later = sorted(k for k, c in register.companies.items() if "2024-01-01" < c["registered_on"] < "2026-01-01")[:2]
    changing = sorted(k for k, c in register.companies.items() if c["signals"])[:4]
    numbers = [OUR_FAILURE, *later, *changing]
    start, end = date(2024, 3, 31), date(2026, 11, 1)
    demo = demo.model_copy(update={"kvk": demo.kvk.model_copy(update={"refresh_after_days": 120})})  # found: every other day
    _add_orgs(store, numbers)
    rows = collect_history(store, demo, start=start, end=end, transport_for_day=lambda day: transport_for("demo", today=day))
    assert all(r.status == "ok" for r in rows) and sum(r.added for r in rows if r.source == "kvk") > len(numbers)
    day_by_day = Store(f"sqlite:///{tmp_path / 'day_by_day.db'}")
    try:
        _add_orgs(day_by_day, numbers)
        for day in refresh_days(start, end):
            refresh_companies(day_by_day, demo, observed_on=day, transport=transport_for("demo", today=day))
        expected = _company_tables(day_by_day)
    finally:
        day_by_day.dispose()
    snapshots, events = _company_tables(store)
    assert snapshots == expected[0] and any(s[3] == "not_found" for s in snapshots)
    assert [e for e in events if e[0].startswith("kvk.")] == expected[1]


def _contract_with(store: Store, kvk_number: str, start: date) -> None:
    from store.schema import Contract

    with store.session() as session, session.begin():
        org = session.scalar(select(Organisation).where(Organisation.org_key == f"NL:id:{kvk_number}"))
        session.add(Contract(contract_ref=f"C-{kvk_number}", source_file="contracts.xlsx", row_number=1,
                             supplier_name=org.name, organisation_id=org.id, start_date=start, content_hash="x",
                             imported_at=datetime.now(UTC)))


def test_a_history_watches_a_company_from_the_first_day_a_dated_record_names_it(store: Store, demo: Settings) -> None:
    """As daily runs would have: no register question about a company before any source named it; one that no
    dated record names is watched from the first day."""
    register = load_register()
    early = sorted(k for k, c in register.companies.items() if c["registered_on"] < "2020-01-01" and k != OUR_FAILURE)[0]
    _add_orgs(store, [OUR_FAILURE, early])
    _contract_with(store, early, date(2026, 7, 15))
    asked: dict[date, set[str]] = {}

    def transport_on(day: date) -> httpx.MockTransport:
        replay = transport_for("demo", today=day)

        def counting(request: httpx.Request) -> httpx.Response:
            if "/basisprofielen/" in request.url.path:
                asked.setdefault(day, set()).add(request.url.path.rsplit("/", 1)[-1])
            return replay.handle_request(request)
        return httpx.MockTransport(counting)

    collect_history(store, demo, start=date(2026, 3, 31), end=date(2026, 11, 1), transport_for_day=transport_on)
    assert asked[date(2026, 3, 31)] == asked[date(2026, 6, 30)] == {OUR_FAILURE}
    assert asked[date(2026, 9, 30)] == asked[date(2026, 11, 1)] == {OUR_FAILURE, early}
    assert _count(store, CompanySnapshot, CompanySnapshot.kvk_number == early, CompanySnapshot.observed_on < date(2026, 7, 15)) == 0


def test_merged_organisations_share_their_group_s_first_dated_appearance(store: Store) -> None:
    from store.companies import first_dated_appearances
    from store.schema import Contract
    from store.schema.own_data import OrganisationMerge

    register = load_register()
    first, second = sorted(register.companies)[:2]
    _add_orgs(store, [first, second])
    _contract_with(store, second, date(2025, 2, 1))
    with store.session() as session, session.begin():
        ids = {org.org_key: org.id for org in session.scalars(select(Organisation))}
        session.add(Contract(contract_ref="C-later", source_file="contracts.xlsx", row_number=2, supplier_name="x",
                             organisation_id=ids[f"NL:id:{first}"], start_date=date(2026, 1, 1), content_hash="y",
                             imported_at=datetime.now(UTC)))
        session.add(OrganisationMerge(organisation_id=ids[f"NL:id:{second}"], canonical_id=ids[f"NL:id:{first}"],
                                      method="auto", score=0.97, merged_at=datetime.now(UTC)))
    with store.session() as session:
        found = first_dated_appearances(session)
    assert found == {ids[f"NL:id:{first}"]: date(2025, 2, 1), ids[f"NL:id:{second}"]: date(2025, 2, 1)}


def test_the_states_just_stored_are_those_latest_snapshots_reads_back(store: Store) -> None:
    """``stored_states``: the new states with their ids, as ``latest_snapshots`` of their day reads them (a state
    stored again on the same day keeps its row's id)."""
    from store.companies import WatchedCompany, latest_snapshots, new_snapshot, save_snapshots, stored_states

    _add_orgs(store, [OUR_FAILURE])
    with store.session() as session:
        company = watch_list(session)[0]
    day, now = date(2025, 6, 30), datetime.now(UTC)

    def row(day: date, code: str, company: WatchedCompany = company) -> dict:
        payload = {"status": "not_found", "kvk_number": company.kvk_number, "code": code, "message": "unknown"}
        return new_snapshot(company, observed_on=day, status="not_found", payload=payload, previous=None,
                            source_url="https://api.kvk.nl/test", fetched_at=now)

    for rows in ([row(date(2024, 1, 1), "IPD0005")], [row(day, "IPD0005")], [row(day, "IPD5200")]):
        with store.session() as session, session.begin():
            save_snapshots(session, rows)
        with store.session() as session:
            assert stored_states(session, rows) == latest_snapshots(session, [company.kvk_number], on_or_before=rows[0]["observed_on"])
            # every column as given (the day's second state replaces the first in its row)
            stored = session.scalars(select(CompanySnapshot).where(
                CompanySnapshot.kvk_number == company.kvk_number, CompanySnapshot.observed_on == rows[0]["observed_on"])).one()
            assert {name: getattr(stored, name) for name in rows[0]} == {**rows[0], "fetched_at": stored.fetched_at}
            assert stored.fetched_at.replace(tzinfo=None) == now.astimezone(stored.fetched_at.tzinfo).replace(tzinfo=None)
