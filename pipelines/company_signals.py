"""Collect company signals: refresh the KvK profiles of the watch list, read the insolvency register.

Plain functions (the ``collect-company-signals`` flow and the CLI both call them).

KvK: the watch list is refreshed in batches; each batch is fetched, then written in one
transaction (new snapshots, their change events). An outage (``SourceUnavailableError``) stops
the refresh: companies not yet refreshed keep their last snapshot, the run is recorded as failed
with the reason, and nothing is concluded about them. Only a *confirmed* not-found answer
(IPD5200/IPD0005) is stored as a "not found" state and may become a ``kvk.not_found`` event; such a number is
asked again after ``kvk.not_found_recheck_days``, then after as long as it has been unknown (at most
``kvk.not_found_recheck_max_days``); a found one after ``kvk.refresh_after_days``.

Insolvency register: publications modified since the watermark are fetched (once per case), the
cases stored whole, removals marked, and events linked to the organisations we know by KvK number.
The watermark advances only after a successful run.

Both record a collection run (sources "kvk" and "cir", through ``pipelines.collection_run``), which
``supplyradar status`` reads.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Any

import httpx

from config.settings import Settings
from connectors import insolvency, kvk
from connectors.errors import PendingRecord, RecordError, SourceRequestError, SourceUnavailableError
from connectors.record_faults import UnavailableStreak
from models.company_events import NOT_FOUND_STATUS, Thresholds, compare_snapshots
from pipelines.collection_run import collection_run
from pipelines.kvk_refresh_plan import DueIndex, QueryBudget, RecheckWaits, count_queries, due_companies
from store.bookkeeping import (
    get_watermark,
    open_quarantine,
    pending_keys,
    quarantine,
    resolve_quarantined,
    set_watermark,
)
from store.companies import (
    NewEvent,
    StoredSnapshot,
    WatchedCompany,
    checked_numbers,
    confirm_snapshots,
    first_dated_appearances,
    latest_snapshots,
    link_insolvency_events,
    mark_checked,
    mark_removed,
    new_snapshot,
    save_case,
    save_events,
    save_snapshots,
    snapshots_after,
    stored_states,
    unchecked_numbers,
    watch_list,
)
from store.db import Store

log = logging.getLogger(__name__)

KVK_SOURCE, CIR_SOURCE = kvk.SOURCE, insolvency.SOURCE
CIR_SCOPE = "modified"
#: Transport factory: the network (``None``) or a replay answering as of a given day.
TransportFor = Callable[[date], httpx.BaseTransport | None]


@dataclass(slots=True)
class SignalSummary:
    """What one source's run did, for tables, logs and Prefect artifacts."""

    source: str
    observed_on: date
    fetched: int = 0
    added: int = 0  # new snapshots / new cases
    updated: int = 0  # changed cases
    unchanged: int = 0
    not_found: int = 0
    # not asked: profiles confirmed less than ``kvk.refresh_after_days`` ago, and numbers confirmed "not found" less
    # than their wait ago (``kvk.not_found_recheck_days``, growing with how long they have been unknown; those also
    # in ``cached_not_found``)
    cached: int = 0
    cached_not_found: int = 0
    deferred: int = 0  # due, not asked: the month's KvK query limit was reached (``pipelines.kvk_refresh_plan``)
    queries: int = 0  # KvK queries this run sent (retries and branch profiles included)
    events: int = 0
    quarantined: int = 0
    pending: int = 0  # cases or profiles not got this time: fetched again by the next run
    status: str = "ok"
    error: str | None = None

    def as_row(self) -> dict[str, Any]:
        row = asdict(self)
        row["observed_on"] = self.observed_on.isoformat()
        row["error"] = self.error or ""
        return row


def kvk_thresholds(settings: Settings) -> Thresholds:
    return Thresholds(settings.kvk.employees_change_ratio, settings.kvk.employees_change_min)


# --- KvK -----------------------------------------------------------------------------------------------


def refresh_companies(
    store: Store,
    settings: Settings,
    *,
    observed_on: date,
    transport: httpx.BaseTransport | None = None,
    watched: list[WatchedCompany] | None = None,
    latest: dict[str, StoredSnapshot] | None = None,
    due: DueIndex | None = None,
) -> SignalSummary:
    """Refresh every watched company's KvK profile as of ``observed_on``, batch by batch.

    ``watched``: the watch list when the caller has read it already. ``latest``: each watched number's newest
    snapshot on or before ``observed_on`` when the caller carries them from run to run (a history, whose runs write
    every newer one); brought up to date here after a run that got to its end, else it is read here. ``due``: a
    history's index of who is due when, instead of both (its ``latest`` carried, its companies put back when done)."""
    summary = SignalSummary(KVK_SOURCE, observed_on)
    companies: list[WatchedCompany] = []

    def stopped(exc: Exception) -> None:
        log.error("kvk: refresh stopped (outage); %d companies keep their last known state: %s",
                  len(companies) - summary.fetched, exc)

    with collection_run(store, KVK_SOURCE, summary, counts=partial(_counts, summary), expected=(SourceUnavailableError,),
                        on_stop=stopped):
        with store.session() as session, session.begin():
            carried = latest is not None or due is not None
            if due is not None:
                latest = due.latest
                companies, summary.cached, summary.cached_not_found = due.take_due(observed_on)
            else:
                companies, latest, summary.cached, summary.cached_not_found = due_companies(
                    session, settings.kvk, observed_on, watched, latest)
            # the numbers in quarantine: a good answer resolves them (read once, not asked for by every batch)
            quarantined = {record.record_key for record in open_quarantine(session, KVK_SOURCE)}
            budget = QueryBudget.for_month(session, settings.kvk.monthly_query_limit, observed_on)
            companies = budget.ordered(session, companies, latest)  # the most needed first, where not all fit
        added: list[dict[str, Any]] = []
        with kvk.make_client(settings.kvk, settings.http, transport=transport) as client:
            for start in range(0, len(companies), settings.kvk.batch_size):
                sent = client.sent
                answers = budget.ask(companies[start:start + settings.kvk.batch_size],
                                     partial(_fetch, client, settings), lambda: client.sent)
                added += _store_batch(store, settings, answers, observed_on, summary, latest, quarantined,
                                      queries=client.sent - sent)
                if budget.reached:
                    summary.deferred = len(companies) - start - len(answers)
                    break
            summary.queries = client.sent
        budget.note_use(summary.queries)
        if carried and added:  # the new states with their ids (a later run confirms them)
            with store.session() as session:
                latest.update(stored_states(session, added))
        if due is not None:
            due.put_back()
        problems = [f"{summary.pending} profile(s) could not be got this time; the next run fetches them again"
                    if summary.pending else "", budget.explain(summary.deferred) if summary.deferred else ""]
        if any(problems):  # not "ok": these keep their last snapshot, and a later run asks again
            summary.status, summary.error = "incomplete", "; ".join(p for p in problems if p)
    return summary


def _fetch(client, settings: Settings, company: WatchedCompany) -> kvk.CompanyProfile | kvk.NotFound | RecordError:
    """One profile; a refusal for this company alone (a 400, unreadable data) becomes its RecordError."""
    try:
        profile = kvk.fetch_profile(client, settings.kvk, company.kvk_number)
        if isinstance(profile, kvk.CompanyProfile) and profile.address is None and profile.main_branch:
            branch = kvk.fetch_branch(client, settings.kvk, profile.main_branch)  # the Vestigingsprofiel has it
            if isinstance(branch, kvk.Branch):
                profile = replace(profile, address=branch.address,
                                  employees=profile.employees if profile.employees is not None else branch.employees)
        return profile
    except RecordError as exc:  # keyed by the KvK number, so the next good answer resolves it
        return exc if exc.record == company.kvk_number else type(exc)(exc.where, exc.reason, record=company.kvk_number,
                                                                       field=exc.field)
    except SourceRequestError as exc:
        # A 404 without any KvK error code is a gateway's answer, not the register's: asked again next run.
        error = PendingRecord if exc.status == 404 and not kvk.fout_codes(exc.detail) else RecordError
        return error(exc.url, f"HTTP {exc.status}: {exc.detail}", record=company.kvk_number)


def _store_batch(
    store: Store,
    settings: Settings,
    answers: list[tuple[WatchedCompany, kvk.CompanyProfile | kvk.NotFound | RecordError]],
    observed_on: date,
    summary: SignalSummary,
    previous: dict[str, StoredSnapshot],
    quarantined: set[str],
    *,
    queries: int = 0,
) -> list[dict[str, Any]]:
    """One batch in one transaction; ``previous``: each company's newest snapshot before this run (the confirmed ones
    are moved on once stored), ``quarantined``: the KvK numbers in quarantine when it began, ``queries``: the KvK
    queries the batch sent (added to the month's count). Returns the new snapshots' rows."""
    thresholds = kvk_thresholds(settings)
    with store.session() as session, session.begin():
        count_queries(session, observed_on, queries)
        events: list[NewEvent] = []
        unchanged: list[StoredSnapshot] = []
        new_rows: list[dict[str, Any]] = []
        for company, answer in answers:
            summary.fetched += 1
            if isinstance(answer, RecordError):
                quarantine(session, KVK_SOURCE, answer)
                if isinstance(answer, PendingRecord):
                    summary.pending += 1
                else:
                    summary.quarantined += 1
                log.warning("kvk: quarantined %s", answer)
                continue
            if isinstance(answer, kvk.NotFound):
                summary.not_found += 1
                payload: dict[str, Any] = {"status": NOT_FOUND_STATUS, "kvk_number": company.kvk_number,
                                           "code": answer.code, "message": answer.message}
                status, url, fetched_at = NOT_FOUND_STATUS, answer.source_url, answer.fetched_at
            else:
                payload, status, url, fetched_at = answer.to_json(), "found", answer.source_url, answer.fetched_at
            before = previous.get(company.kvk_number)
            row = new_snapshot(company, observed_on=observed_on, status=status, payload=payload, previous=before,
                               source_url=url, fetched_at=fetched_at)
            if row is None:
                summary.unchanged += 1
                unchanged.append(before)
                continue
            new_rows.append(row)
            summary.added += 1
            changes = compare_snapshots(before.payload if before else None, payload, observed_on=observed_on,
                                        previous_observed_on=before.confirmed_on if before else None, thresholds=thresholds)
            pair = f"{before.content_hash[:12] if before else 'none'}->{row['content_hash'][:12]}"
            events += [
                NewEvent(organisation_id=company.organisation_id, kind=change.kind, occurred_on=change.occurred_on,
                         source=KVK_SOURCE, source_ref=f"{company.kvk_number} {change.kind} {pair}", title=change.title,
                         details={**change.details, "kvk_number": company.kvk_number}, source_url=url)
                for change in changes
            ]
        save_snapshots(session, new_rows)
        confirm_snapshots(session, unchanged, observed_on)
        summary.events += save_events(session, events)
        resolved = [c.kvk_number for c, answer in answers if not isinstance(answer, RecordError) and c.kvk_number in quarantined]
        if resolved:
            resolve_quarantined(session, KVK_SOURCE, resolved)
    for snapshot in unchanged:  # stored: what a history carries to its next day
        if observed_on > snapshot.confirmed_on:
            previous[snapshot.kvk_number] = snapshot.confirmed(observed_on)
    return new_rows


# --- insolvency register -------------------------------------------------------------------------------


def collect_insolvencies(
    store: Store,
    settings: Settings,
    *,
    observed_on: date,
    since: date | None = None,
    transport: httpx.BaseTransport | None = None,
    watched: list[WatchedCompany] | None = None,
    checked: set[str] | None = None,
) -> SignalSummary:
    """Cases changed since the watermark (or ``since``), stored whole; events for the companies we know
    (``watched``: the watch list when the caller has read it already; ``checked``: the numbers looked up already,
    when the caller carries them from run to run: a history; those this run looks up are added once stored)."""
    summary = SignalSummary(CIR_SOURCE, observed_on)
    start = since

    def stopped(exc: Exception) -> None:
        log.error("cir: collection stopped, resumes from %s next run: %s", start, exc)

    with collection_run(store, CIR_SOURCE, summary, counts=partial(_counts, summary), on_stop=stopped,
                        expected=(SourceUnavailableError, insolvency.SoapFaultError, insolvency.CirServiceError,
                                  SourceRequestError)):
        with store.session() as session, session.begin():
            stored = get_watermark(session, CIR_SOURCE, CIR_SCOPE)
            watched = watch_list(session) if watched is None else watched
            unchecked = unchecked_numbers(session, [company.kvk_number for company in watched], checked)
            pending = [(key, _kenmerk(where)) for key, where in pending_keys(session, CIR_SOURCE)]
        start = since or (date.fromisoformat(stored) if stored else date.fromisoformat(settings.insolvency.start_date))
        if not settings.insolvency.username:
            summary.status = "failed"
            summary.error = ("no insolvency register account: set SUPPLYRADAR_INSOLVENCY__USERNAME and "
                             "SUPPLYRADAR_INSOLVENCY__PASSWORD (a subscription of the Dutch judiciary)")
            return summary
        with insolvency.make_client(settings.insolvency, settings.http, transport=transport) as client:
            changed = insolvency.modified_publications(client, settings.insolvency, start)
            looked_up = _check_new_companies(client, settings, unchecked, changed)
            for number, kenmerk in pending:
                changed.setdefault(number, kenmerk)
            cases, errors = fetch_cases(client, settings, changed)
            removed = insolvency.search_removed_since(client, settings.insolvency, start)
        summary.fetched = len(changed)
        with store.session() as session, session.begin():
            for case in cases:
                outcome = save_case(session, case.case_number, case.kvk_number, case.name, case.court, case.legal_person,
                                    case_payload(case), [publication_row(p) for p in case.publications], case.fetched_at)
                setattr(summary, outcome, getattr(summary, outcome) + 1)
            for error in errors:
                quarantine(session, CIR_SOURCE, error)
                if isinstance(error, PendingRecord):
                    summary.pending += 1
                else:
                    summary.quarantined += 1
            resolve_quarantined(session, CIR_SOURCE, [case.case_number for case in cases])
            mark_removed(session, [(r.case_number, r.reason) for r in removed], observed_on)
            mark_checked(session, looked_up, observed_on)
            summary.events = link_insolvency_events(session, url=settings.insolvency.url)
            set_watermark(session, CIR_SOURCE, CIR_SCOPE, observed_on.isoformat())
        if checked is not None:  # stored: what a history carries to its next day
            checked.update(looked_up)
        if summary.pending:
            summary.status = "incomplete"
            summary.error = f"{summary.pending} case(s) could not be got this time; the next run fetches them again"
    return summary


def fetch_cases(
    client, settings: Settings, wanted: dict[str, str]
) -> tuple[list[insolvency.InsolvencyCase], list[RecordError]]:
    """``getCase`` for each (case number -> publication number); every failure is that case's error, keyed
    by its case number: "no results", a Receiver SOAP fault or an outage after retries leave it pending,
    an answer that is not a usable case is refused. Three outages in a row stop the run (the register is down)."""
    cases: list[insolvency.InsolvencyCase] = []
    errors: list[RecordError] = []
    streak = UnavailableStreak()
    for number, kenmerk in sorted(wanted.items()):
        where = f"{settings.insolvency.url} getCase {kenmerk}"
        try:
            cases.append(insolvency.get_case(client, settings.insolvency, kenmerk))
        except PendingRecord as exc:
            errors.append(PendingRecord(where, exc.reason, record=number, field=exc.field))
        except RecordError as exc:
            errors.append(RecordError(where, exc.reason, record=number, field=exc.field))
        except insolvency.SoapFaultError as exc:
            if not exc.server_side:
                raise
            errors.append(PendingRecord(where, f"SOAP Fault {exc.code}: {exc.reason}", record=number))
        except SourceUnavailableError as exc:
            streak.failed(exc)
            errors.append(PendingRecord(where, f"unavailable after retries: {exc.reason}", record=number))
            continue
        streak.succeeded()
    return cases, errors


def _kenmerk(where: str) -> str:
    """The publication number at the end of a pending case's location (``<url> getCase <kenmerk>``)."""
    return where.rsplit(" ", 1)[-1]


def _check_new_companies(client, settings: Settings, numbers: list[str], changed: dict[str, str]) -> dict[str, int]:
    """``searchUndertaking`` for companies new on the watch list: their cases older than the watermark
    join ``changed`` (case number -> a publication number); returns number -> cases found."""
    found: dict[str, int] = {}
    for number in numbers:
        cases = set()
        for kenmerk in insolvency.search_undertaking(client, settings.insolvency, kvk_number=number):
            case = insolvency.case_number(kenmerk)
            if case and case[0] in insolvency.COMPANY_PROCEDURES:
                cases.add(case)
                changed.setdefault(case, kenmerk)
        found[number] = len(cases)
    return found


def case_payload(case: insolvency.InsolvencyCase) -> dict[str, Any]:
    """What is kept of a case (without ``fetched_at``, so an unchanged case hashes the same)."""
    data = asdict(case)
    del data["fetched_at"]
    data["publications"] = [publication_row(p) for p in case.publications]
    for item in data["publications"]:
        item["published_on"] = item["published_on"].isoformat()
    return data


def publication_row(publication: insolvency.InsolvencyPublication) -> dict[str, Any]:
    return {"kenmerk": publication.kenmerk, "published_on": publication.published_on, "code": publication.code,
            "description": publication.description, "event_kind": publication.event_kind}


def _counts(summary: SignalSummary) -> dict[str, int]:
    """What the run row keeps of a summary (the details column keeps the process that owns the run)."""
    return {"fetched": summary.fetched, "added": summary.added, "updated": summary.updated,
            "unchanged": summary.unchanged, "quarantined": summary.quarantined}


# --- both, and the history the demo builds ---------------------------------------------------------------


def collect_company_signals(
    store: Store, settings: Settings, *, observed_on: date, transport: httpx.BaseTransport | None = None,
    since: date | None = None,
) -> list[SignalSummary]:
    """One refresh of both sources as of ``observed_on``; ``since`` reads the register's changes from that
    day instead of the watermark (recovery after a lost run)."""
    return [
        refresh_companies(store, settings, observed_on=observed_on, transport=transport),
        collect_insolvencies(store, settings, observed_on=observed_on, since=since, transport=transport),
    ]


def refresh_days(start: date, end: date, every_months: int = 3) -> list[date]:
    """``start``, then every ``every_months`` months (same day of month, clipped to its end), then ``end``."""
    if every_months < 1:
        raise ValueError("every_months must be at least 1")
    days: list[date] = []
    index = 0
    while True:
        month = start.month - 1 + index * every_months
        year, month = start.year + month // 12, month % 12 + 1
        last = (date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)).day
        day = date(year, month, min(start.day, last))
        if day >= end:
            break
        days.append(day)
        index += 1
    return days + [end]


def collect_history(store: Store, settings: Settings, *, start: date, end: date, transport_for_day: TransportFor,
                    every_months: int = 3, progress: Callable[[list[SignalSummary]], None] | None = None,
                    ) -> list[SignalSummary]:
    """Refresh both sources as of each day from ``start`` to ``end``: a dated snapshot history.

    Against a replay (the demo) this builds the history the failure model trains on; against the
    live services every day would see today's register, so it is meant for replays only.

    Each day watches the companies a daily run would have watched then: those a dated record of the store names
    on or before it (``store.companies.first_dated_appearances``), else from the first day. Nobody is asked about
    years before any source named it; its older insolvency cases are read the day it joins.
    """
    summaries: list[SignalSummary] = []
    days = refresh_days(start, end, every_months)
    with store.session() as session:
        # read once: a refresh writes snapshots, events and current names, never a KvK number or who carries it
        watched = watch_list(session)
        first_named, checked = first_dated_appearances(session), checked_numbers(session)  # (this one kept up to date)
        # each number's newest state, carried from day to day (the days' runs write every newer one), unless the
        # store already holds states observed after the first day: then each day reads them
        latest = None if snapshots_after(session, days[0]) else latest_snapshots(
            session, [c.kvk_number for c in watched], on_or_before=days[0])
    first_days = [first_named.get(c.organisation_id, days[0]) for c in watched]  # looked up once, not once a day
    joining = sorted(range(len(watched)), key=first_days.__getitem__)  # watch-list positions, as they join
    due = None if latest is None else DueIndex(RecheckWaits.from_settings(settings.kvk), latest)
    known: list[WatchedCompany] = []  # in the order they joined (the register's check reads them as a set)
    for day in days:
        transport = transport_for_day(day)
        while len(known) < len(joining) and first_days[joining[len(known)]] <= day:
            position = joining[len(known)]
            known.append(watched[position])
            if due is not None:
                due.join(position, watched[position])
        rows = [refresh_companies(store, settings, observed_on=day, transport=transport, due=due) if due is not None else
                refresh_companies(store, settings, observed_on=day, transport=transport, latest=latest,
                                  watched=[c for c, first in zip(watched, first_days, strict=True) if first <= day]),
                collect_insolvencies(store, settings, observed_on=day, transport=transport, watched=known, checked=checked)]
        if rows[0].status == "failed":  # stopped halfway: the carried states are not all up to date any more
            latest = due = None
        summaries += rows
        if progress:
            progress(rows)
    return summaries


def history_table(rows: list[SignalSummary] | list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per source for a history run (summaries or the flow's ``as_row`` dicts): the days it
    covered and the totals, for a terminal."""
    plain = [r.as_row() if isinstance(r, SignalSummary) else r for r in rows]
    table = []
    for source in dict.fromkeys(r["source"] for r in plain):
        mine = [r for r in plain if r["source"] == source]
        failed = [r for r in mine if r["status"] != "ok"]
        table.append({
            "source": source, "days": len(mine), "from": mine[0]["observed_on"], "to": mine[-1]["observed_on"],
            **{name: sum(r[name] for r in mine) for name in ("fetched", "cached", "added", "not_found", "events",
                                                         "quarantined")},
            "status": "ok" if not failed else f"failed on {len(failed)} day(s)",
        })
    return table


def today() -> date:
    return datetime.now(UTC).date()
