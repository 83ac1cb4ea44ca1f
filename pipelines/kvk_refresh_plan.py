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
from datetime import date
from typing import TypeVar

from models.company_events import NOT_FOUND_STATUS
from store.bookkeeping import get_meta, set_meta
from store.companies import StoredSnapshot, WatchedCompany, latest_snapshots, own_supplier_ids

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
    if after_days <= 0 and not not_found_after_days:
        return companies
    if latest is None:
        latest = latest_snapshots(session, [c.kvk_number for c in companies], on_or_before=observed_on)
    unknown_wait = after_days if not_found_after_days is None else not_found_after_days
    # no growth when a number is asked every time (a 0 wait) or no longest wait is set
    longest = max(unknown_wait, not_found_max_days) if unknown_wait and not_found_max_days else unknown_wait

    def waited(state: StoredSnapshot) -> bool:
        days = (observed_on - state.confirmed_on).days
        if state.status != NOT_FOUND_STATUS:
            return days >= after_days
        return days >= min(max(unknown_wait, (state.confirmed_on - state.observed_on).days), longest)

    return [c for c in companies if c.kvk_number not in latest or waited(latest[c.kvk_number])]


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
