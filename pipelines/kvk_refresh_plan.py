"""Which watched companies a KvK refresh asks about, in which order, and how many KvK's monthly limit leaves.

Due: a company whose stored profile was last confirmed ``kvk.refresh_after_days`` ago or more, a number KvK said it
does not know once its (growing) wait is over, a company never asked (``due_for_refresh``).

The month's limit: KvK allows an API key 300,000 queries a month, at most 100 a second (developers.kvk.nl, FAQ
"API's algemeen"). A national watch list asked every 6 days (55,000 companies: about 9,000 a day) comes close to
that in a month, and a key past its limit cannot count on answers until the month ends: the refreshes after it
would fail one after the other. So the refresh counts the queries it sends per calendar month (``QueryBudget``;
the month of the day it observes, so a history replay counts each simulated month apart) in the store, and stops
asking once ``kvk.monthly_query_limit`` is reached. The companies it did not ask keep their last known state (nothing was asked,
so nothing is concluded), are counted as ``deferred``, and the run ends "incomplete" saying so. Where the limit cuts
the list, the most needed are asked first (``by_need``): companies never asked (nothing is known of them yet), then
our own suppliers (a contract or spend with them), then the longest unconfirmed. Under the limit the order is the
watch list's, as before.

The count is kept per batch, in the transaction that stores the batch's answers: the queries of a batch an outage
stops are not counted (at most ``kvk.batch_size`` of them, on a day KvK was failing anyway). The check comes before
each company, so a refresh can go past the limit by the last company's own extra queries (its branch profile,
retries): a few. With the limit at KvK's own, those few may be refused; set it a little lower to keep a margin.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from heapq import heappop, heappush
from typing import TypeVar

from config.company_signals import KvkSettings
from models.company_events import NOT_FOUND_STATUS
from store.bookkeeping import get_meta, set_meta
from store.companies import StoredSnapshot, WatchedCompany, latest_snapshots, own_supplier_ids, watch_list

log = logging.getLogger(__name__)
Answer = TypeVar("Answer")
#: From this share of the month's limit on, each refresh warns how much is used.
WARN_SHARE = 0.8


def due_for_refresh(session, companies: list[WatchedCompany], observed_on: date, after_days: int, *,
                    latest: dict[str, StoredSnapshot] | None = None,
                    not_found_after_days: int | None = None,
                    not_found_max_days: int | None = None) -> list[WatchedCompany]:
    """The companies whose stored profile was last confirmed ``after_days`` or more before ``observed_on``
    (``latest``: their newest snapshots on or before that day, when the caller has read them already).

    ``not_found_after_days`` (``kvk.not_found_recheck_days``): the wait instead for a number whose newest state is a
    confirmed "not found"; ``None`` waits ``after_days`` for those too. ``not_found_max_days``
    (``kvk.not_found_recheck_max_days``): that wait grows to the state's age (how long the number has been unknown
    when last asked), up to this; ``None`` keeps it fixed."""
    waits = RecheckWaits.of(after_days, not_found_after_days, not_found_max_days)
    if waits.every_time:
        return companies
    if latest is None:
        latest = latest_snapshots(session, [c.kvk_number for c in companies], on_or_before=observed_on)

    def waited(state: StoredSnapshot) -> bool:
        return (observed_on - state.confirmed_on).days >= waits.days(state)

    return [c for c in companies if c.kvk_number not in latest or waited(latest[c.kvk_number])]


def due_companies(session, kvk: KvkSettings, observed_on: date, watched: list[WatchedCompany] | None,
                  latest: dict[str, StoredSnapshot] | None,
                  ) -> tuple[list[WatchedCompany], dict[str, StoredSnapshot], int, int]:
    """A refresh's due companies (``due_for_refresh``), each watched one's state before it (``latest``, read here
    when not carried: once, as a batch writes only its own companies), and how many are not due (of them "not
    found"). ``watched``: the watch list when the caller has read it already."""
    watched = watch_list(session) if watched is None else watched
    if latest is None:
        latest = latest_snapshots(session, [c.kvk_number for c in watched], on_or_before=observed_on)
    companies = due_for_refresh(session, watched, observed_on, kvk.refresh_after_days, latest=latest,
                                not_found_after_days=kvk.not_found_recheck_days,
                                not_found_max_days=kvk.not_found_recheck_max_days)
    due = {c.kvk_number for c in companies}
    cached_not_found = sum(1 for c in watched if c.kvk_number not in due and latest[c.kvk_number].status == NOT_FOUND_STATUS)
    return companies, latest, len(watched) - len(companies), cached_not_found


@dataclass(frozen=True, slots=True)
class RecheckWaits:
    """How many days a stored state waits before it is asked again (``due_for_refresh``'s rule; ``DueIndex`` keeps
    companies by it). ``every_time``: no wait at all, every company is due whatever its state."""

    after_days: int
    unknown_wait: int
    longest: int  # no growth when a number is asked every time (a 0 wait) or no longest wait is set
    every_time: bool

    @classmethod
    def of(cls, after_days: int, not_found_after_days: int | None, not_found_max_days: int | None) -> RecheckWaits:
        unknown_wait = after_days if not_found_after_days is None else not_found_after_days
        longest = max(unknown_wait, not_found_max_days) if unknown_wait and not_found_max_days else unknown_wait
        return cls(after_days, unknown_wait, longest, after_days <= 0 and not not_found_after_days)

    @classmethod
    def from_settings(cls, kvk: KvkSettings) -> RecheckWaits:
        return cls.of(kvk.refresh_after_days, kvk.not_found_recheck_days, kvk.not_found_recheck_max_days)

    def days(self, state: StoredSnapshot) -> int:
        """The wait of ``state``: a found profile's, or a "not found" one's, grown to its age within the longest."""
        if state.status != NOT_FOUND_STATUS:
            return self.after_days
        return min(max(self.unknown_wait, (state.confirmed_on - state.observed_on).days), self.longest)


class DueIndex:
    """``due_for_refresh`` for the days of a history, without going over every watched company each day.

    A history asks a few thousand of its 55,000 companies a day: working out every company's wait every day (and
    counting the others) was 5% of it at scale 54. Here each watched company waits in a heap under the first day its carried state is due
    (its ``confirmed_on`` plus its wait, as day ordinals: no overflow), ``take_due`` takes a day's due ones out (in
    watch-list order: the same list ``due_for_refresh`` gives), and ``put_back`` files them again under their states
    once the refresh has stored the answers. Only the companies a refresh asks change state (``latest``, carried and
    kept up to date by the refreshes), so the others' days hold. State: the heap, the taken companies, and how many
    of the waiting ones are "not found" (the summary's ``cached_not_found``)."""

    def __init__(self, waits: RecheckWaits, latest: dict[str, StoredSnapshot]) -> None:
        self.waits, self.latest = waits, latest
        self._heap: list[tuple[int, int, WatchedCompany]] = []
        self._taken: list[tuple[int, WatchedCompany]] = []
        self._waiting_not_found = 0

    def join(self, position: int, company: WatchedCompany) -> None:
        """Watch ``company`` (``position``: its place in the watch list) under the first day its state is due."""
        state = self.latest.get(company.kvk_number)
        if state is None or self.waits.every_time:
            due = 0  # due on any day
        else:
            due = state.confirmed_on.toordinal() + self.waits.days(state)
        if state is not None and state.status == NOT_FOUND_STATUS:
            self._waiting_not_found += 1
        heappush(self._heap, (due, position, company))

    def take_due(self, observed_on: date) -> tuple[list[WatchedCompany], int, int]:
        """The companies due on ``observed_on`` in watch-list order, how many are not, and how many of those are
        "not found". The due ones wait for ``put_back``."""
        day = observed_on.toordinal()
        while self._heap and self._heap[0][0] <= day:
            _due, position, company = heappop(self._heap)
            state = self.latest.get(company.kvk_number)
            if state is not None and state.status == NOT_FOUND_STATUS:
                self._waiting_not_found -= 1
            self._taken.append((position, company))
        self._taken.sort()
        return [company for _position, company in self._taken], len(self._heap), self._waiting_not_found

    def put_back(self) -> None:
        """File the taken companies again under their states as stored by the refresh (asked or not)."""
        taken, self._taken = self._taken, []
        for position, company in taken:
            self.join(position, company)


def by_need(companies: Sequence[WatchedCompany], latest: dict[str, StoredSnapshot], ours: set[int]) -> list[WatchedCompany]:
    """``companies`` most needed first: never asked, then our own suppliers (organisation ids ``ours``), then the
    longest unconfirmed; the watch list's order within each (a stable sort)."""
    def need(company: WatchedCompany) -> tuple[bool, bool, date]:
        state = latest.get(company.kvk_number)
        return (state is not None, company.organisation_id not in ours, state.confirmed_on if state else date.min)

    return sorted(companies, key=need)


class QueryBudget:
    """The queries KvK's monthly limit leaves this refresh (state: what this month had used when the refresh began,
    and whether the refresh has run into the limit).

    ``limit`` 0: no limit (every due company is asked)."""

    def __init__(self, limit: int, observed_on: date, used: int) -> None:
        self.limit, self.observed_on, self.used = limit, observed_on, used
        self.reached = False

    @classmethod
    def for_month(cls, session, limit: int, observed_on: date) -> QueryBudget:
        """The budget of ``observed_on``'s month, with the queries earlier refreshes of that month sent."""
        return cls(limit, observed_on, queries_sent(session, observed_on))

    def ordered(self, session, companies: list[WatchedCompany], latest: dict[str, StoredSnapshot]) -> list[WatchedCompany]:
        """``companies`` as they are when each can be asked at least once within the limit, else ``by_need``."""
        if not self.limit or len(companies) <= self.limit - self.used:
            return companies
        return by_need(companies, latest, own_supplier_ids(session))

    def ask(self, companies: Sequence[WatchedCompany], fetch: Callable[[WatchedCompany], Answer],
            sent: Callable[[], int]) -> list[tuple[WatchedCompany, Answer]]:
        """``fetch`` for each company in turn while the limit leaves a query (``sent``: the queries this refresh has
        sent so far, retries and branch profiles included); stops at the first that it does not."""
        answers = []
        for company in companies:
            if self.limit and self.used + sent() >= self.limit:
                self.reached = True
                break
            answers.append((company, fetch(company)))
        return answers

    def note_use(self, sent: int) -> None:
        """Log the month's use after a refresh that sent ``sent`` queries: a warning from ``WARN_SHARE`` of the limit
        on, so that ops see it coming before companies wait."""
        used = self.used + sent
        if self.limit and used >= WARN_SHARE * self.limit:
            log.warning("kvk: %s of this month's %s queries used (kvk.monthly_query_limit)", f"{used:,}", f"{self.limit:,}")
        else:
            log.info("kvk: %s queries sent this month%s", f"{used:,}", f" of {self.limit:,}" if self.limit else "")

    def explain(self, deferred: int) -> str:
        return (f"{deferred} due compan{'y' if deferred == 1 else 'ies'} not asked: this month's KvK queries reached "
                f"kvk.monthly_query_limit ({self.limit:,}); they keep their last known state and are asked when "
                "the limit allows again (from next month)")


def queries_key(observed_on: date) -> str:
    return f"kvk_queries:{observed_on:%Y-%m}"


def queries_sent(session, observed_on: date) -> int:
    """The KvK queries the refreshes of ``observed_on``'s month have sent (counted by ``count_queries``)."""
    value = get_meta(session, queries_key(observed_on))
    return int(value) if value else 0


def count_queries(session, observed_on: date, queries: int) -> None:
    """Add ``queries`` to the month's count, in the caller's transaction (the batch that sent them)."""
    if queries:
        set_meta(session, queries_key(observed_on), str(queries_sent(session, observed_on) + queries))
