"""KvK's monthly query limit in the company-register refresh (``pipelines.kvk_refresh_plan``), through the demo replay.

KvK allows a key 300,000 queries a month; the refresh counts what it sends per month of the day it observes, stops
at ``kvk.monthly_query_limit``, asks the most needed first when the limit cuts the list, and leaves the rest as they
were (counted as deferred, the run "incomplete"). Under the limit nothing changes: the order and the answers are
those of a refresh without one.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import select

from config.settings import HttpSettings, Settings
from demo.replay_companies import load_register
from demo.settings import company_settings
from pipelines.company_signals import refresh_companies
from pipelines.kvk_refresh_plan import QueryBudget, by_need, queries_sent
from pipelines.transports import transport_for
from store.companies import StoredSnapshot, WatchedCompany, own_supplier_ids, watch_list
from store.db import Store
from store.schema import Contract, Organisation
from store.schema.companies import CompanySnapshot
from store.schema.own_data import OrganisationMerge

DAY = date(2026, 6, 30)


def _settings(settings: Settings, limit: int) -> Settings:
    fast = company_settings(settings)
    return fast.model_copy(update={
        "http": HttpSettings(max_attempts=2, backoff_base=0, backoff_max=0),
        "kvk": fast.kvk.model_copy(update={"refresh_after_days": 60, "monthly_query_limit": limit})})


def _watch(store: Store, count: int) -> list[str]:
    """``count`` companies of the demo register, watched (an organisation each)."""
    numbers = sorted(load_register().companies)[:count]
    now = datetime.now(UTC)
    with store.session() as session, session.begin():
        for number in numbers:
            session.add(Organisation(org_key=f"NL:id:{number}", name=f"Company {number}", country="NL",
                                     company_id=number, first_seen=now, updated_at=now))
    return numbers


def _asked(store: Store) -> set[str]:
    with store.session() as session:
        return set(session.scalars(select(CompanySnapshot.kvk_number)))


def _refresh(store: Store, settings: Settings, day: date):
    return refresh_companies(store, settings, observed_on=day, transport=transport_for("demo", today=day))


def test_the_refresh_stops_at_the_months_limit_and_the_rest_waits(store: Store, settings: Settings) -> None:
    numbers = _watch(store, 5)
    limited = _settings(settings, limit=3)

    first = _refresh(store, limited, DAY)
    assert (first.fetched, first.deferred, first.queries, first.status) == (3, 2, 3, "incomplete")
    assert "2 due companies not asked" in first.error and "kvk.monthly_query_limit (3)" in first.error
    assert _asked(store) == set(numbers[:3])  # none asked before: the watch list's order
    with store.session() as session:
        assert queries_sent(session, DAY) == 3

    again = _refresh(store, limited, date(2026, 6, 30))  # the same month: nothing left
    assert (again.fetched, again.deferred, again.cached) == (0, 2, 3)
    assert _asked(store) == set(numbers[:3])

    july = _refresh(store, limited, date(2026, 7, 15))  # a new month: the two never asked come first
    assert (july.fetched, july.deferred, july.status) == (2, 0, "ok")
    assert _asked(store) == set(numbers)
    with store.session() as session:
        assert (queries_sent(session, DAY), queries_sent(session, date(2026, 7, 1))) == (3, 2)


def test_under_the_limit_or_without_one_every_due_company_is_asked(store: Store, settings: Settings) -> None:
    numbers = _watch(store, 4)
    for limit, day in ((4, DAY), (0, date(2026, 9, 30))):
        summary = _refresh(store, _settings(settings, limit=limit), day)
        assert (summary.fetched, summary.deferred, summary.status) == (4, 0, "ok")
    assert _asked(store) == set(numbers)
    with store.session() as session:
        assert queries_sent(session, DAY) == 4
        # counted without a limit too: a limit set later in the month knows what the month has used
        assert queries_sent(session, date(2026, 9, 30)) == 4


def test_retries_count_against_the_limit(store: Store, settings: Settings) -> None:
    _watch(store, 3)
    replay = transport_for("demo", today=DAY)
    busy = {"left": 1}

    def once_busy(request: httpx.Request) -> httpx.Response:
        if busy["left"]:
            busy["left"] -= 1
            return httpx.Response(503)
        return replay.handle_request(request)

    summary = refresh_companies(store, _settings(settings, limit=3), observed_on=DAY,
                                transport=httpx.MockTransport(once_busy))
    assert (summary.fetched, summary.deferred) == (2, 1)  # 503 + retry + 1: three queries
    with store.session() as session:
        assert queries_sent(session, DAY) == 3


def _company(org: int, number: str) -> WatchedCompany:
    return WatchedCompany(org, number, f"Company {number}")


def _state(number: str, confirmed: date) -> StoredSnapshot:
    return StoredSnapshot(1, number, date(2020, 1, 1), confirmed, "found", {}, "x")


def test_most_needed_first_never_asked_then_ours_then_the_longest_unconfirmed() -> None:
    companies = [_company(1, "00000001"), _company(2, "00000002"), _company(3, "00000003"), _company(4, "00000004"),
                 _company(5, "00000005")]
    latest = {"00000001": _state("00000001", date(2026, 1, 1)), "00000002": _state("00000002", date(2025, 1, 1)),
              "00000004": _state("00000004", date(2026, 3, 1)), "00000005": _state("00000005", date(2024, 1, 1))}
    ordered = by_need(companies, latest, ours={4})
    assert [c.kvk_number for c in ordered] == ["00000003", "00000004", "00000005", "00000002", "00000001"]


def test_the_order_is_kept_where_every_due_company_fits(store: Store) -> None:
    companies = [_company(1, "00000002"), _company(2, "00000001")]
    with store.session() as session:
        assert QueryBudget(2, DAY, used=0).ordered(session, companies, {}) == companies
        assert QueryBudget(0, DAY, used=10**6).ordered(session, companies, {}) == companies
        # one query left: the never asked first, then by need
        cut = QueryBudget(2, DAY, used=1).ordered(session, companies, {"00000002": _state("00000002", DAY)})
    assert [c.kvk_number for c in cut] == ["00000001", "00000002"]


def test_our_suppliers_are_those_with_a_contract_or_spend_and_their_merged_organisations(store: Store) -> None:
    now = datetime.now(UTC)
    with store.session() as session, session.begin():
        orgs = [Organisation(org_key=f"NL:name:o{i}", name=f"O{i}", country="NL", first_seen=now, updated_at=now)
                for i in range(4)]
        session.add_all(orgs)
        session.flush()
        session.add(Contract(contract_ref="C-1", source_file="contracts.csv", row_number=2, organisation_id=orgs[0].id,
                             value=Decimal("10"), content_hash="h", imported_at=now))
        session.add(OrganisationMerge(organisation_id=orgs[1].id, canonical_id=orgs[0].id, method="auto",
                                      merged_at=now))
    with store.session() as session:
        assert own_supplier_ids(session) == {orgs[0].id, orgs[1].id}
        assert watch_list(session) == []  # (no KvK numbers among them)


@pytest.mark.parametrize("deferred, words", [(1, "1 due company not asked"), (7, "7 due companies not asked")])
def test_the_explanation_names_the_setting_and_what_happens_next(deferred: int, words: str) -> None:
    text = QueryBudget(300_000, DAY, used=300_000).explain(deferred)
    assert words in text and "kvk.monthly_query_limit (300,000)" in text and "last known state" in text


def test_the_months_use_is_logged_and_warned_of_before_the_limit(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="pipelines.kvk_refresh_plan")
    QueryBudget(1000, DAY, used=500).note_use(200)  # 700: under 80%
    QueryBudget(1000, DAY, used=700).note_use(100)  # 800: warned
    QueryBudget(0, DAY, used=0).note_use(12_345)  # no limit: said, never warned
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        ("INFO", "kvk: 700 queries sent this month of 1,000"),
        ("WARNING", "kvk: 800 of this month's 1,000 queries used (kvk.monthly_query_limit)"),
        ("INFO", "kvk: 12,345 queries sent this month"),
    ]


@pytest.mark.parametrize("waits", [(6, 365, 1461), (6, 365, 365), (60, None, None), (0, 0, None), (0, 30, 90)])
def test_a_historys_due_index_gives_what_due_for_refresh_gives_every_day(waits: tuple[int, int | None, int | None]) -> None:
    """``DueIndex``: the same companies, in the same order, and the same counts of the others, as going over the
    whole watch list with ``due_for_refresh`` each day, while states move on and companies join."""
    import random
    from datetime import timedelta

    from pipelines.kvk_refresh_plan import DueIndex, RecheckWaits, due_for_refresh

    rng = random.Random(7)
    after, unknown, longest = waits
    companies = [WatchedCompany(i, f"{10000000 + i}", f"Company {i}") for i in range(300)]
    latest: dict[str, StoredSnapshot] = {}
    for company in companies[::3]:
        seen = date(2018, 1, 1) + timedelta(days=rng.randrange(400))
        latest[company.kvk_number] = StoredSnapshot(0, company.kvk_number, seen, seen + timedelta(days=rng.randrange(300)),
                                                    rng.choice(["found", "not_found"]), {}, "")
    index = DueIndex(RecheckWaits.of(after, unknown, longest), latest)
    joined: set[int] = set()
    for step in range(12):
        day = date(2019, 1, 1) + timedelta(days=45 * step)
        for position in rng.sample(range(len(companies)), 40):
            if position not in joined:
                joined.add(position)
                index.join(position, companies[position])
        known = [c for i, c in enumerate(companies) if i in joined]
        expected = due_for_refresh(None, known, day, after, latest=latest, not_found_after_days=unknown,
                                   not_found_max_days=longest)
        due = {c.kvk_number for c in expected}
        waiting_unknown = sum(1 for c in known if c.kvk_number not in due and latest[c.kvk_number].status == "not_found")
        assert index.take_due(day) == (expected, len(known) - len(expected), waiting_unknown)
        for company in expected[::2]:  # asked: a new state, or the old one confirmed
            state = latest.get(company.kvk_number)
            status = rng.choice(["found", "not_found"])
            latest[company.kvk_number] = (StoredSnapshot(0, company.kvk_number, day, day, status, {}, "")
                                          if state is None or state.status != status else state.confirmed(day))
        index.put_back()
