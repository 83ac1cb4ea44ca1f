"""Is every source still being collected? Judged from the bookkeeping tables (read through store.source_health), no Prefect.

A scheduler can fail quietly (a stopped worker, a paused deployment, a run stuck in "running"),
so the health of a source is judged from what the store saw, not from what Prefect says: the
last successful collection must be younger than the schedule's longest gap between two fire
times plus a grace for the run itself. ``supplyradar status`` prints this and exits non-zero
when a source needs attention, so plain cron or any monitoring system can watch it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from cronsim import CronSim, CronSimError
from sqlalchemy.orm import Session

from config.settings import Settings
from connectors.kvk import SOURCE as KVK
from pipelines.collect_tenders import SOURCES
from pipelines.kvk_refresh_plan import queries_sent
from store.schema import CollectionRun
from store.source_health import (
    last_success_at,
    latest_runs,
    newest_publications,
    open_quarantine_counts,
    run_sources,
)

FRESH = "fresh"
LATE = "late"
FAILING = "failing"
NEVER = "never collected"

#: Verdicts that make ``supplyradar status`` exit with 1.
NEEDS_ATTENTION = frozenset({LATE, FAILING})

#: Time a scheduled collection may take (queueing, retries, a slow API) before it counts as late.
DEFAULT_GRACE = timedelta(hours=2)

#: How far ahead fire times are looked at for a schedule's longest gap: a whole year, so both DST
#: changes, every weekday and month-end count; capped for schedules that fire every minute.
_SAMPLE_SPAN = timedelta(days=370)
_MAX_FIRES = 2000


class ScheduleError(ValueError):
    """A cron expression or timezone in the settings cannot be read."""


@dataclass(frozen=True, slots=True)
class SourceStatus:
    """What an operator needs to know about one source, with the verdict and why."""

    source: str
    verdict: str
    reason: str
    expected_every: timedelta | None
    last_success: datetime | None
    last_run_started: datetime | None
    last_run_status: str | None
    last_run_error: str | None
    last_run_added: int | None
    open_quarantined: int
    newest_publication: Any  # a date, or None when nothing is stored

    @property
    def needs_attention(self) -> bool:
        return self.verdict in NEEDS_ATTENTION

    def as_row(self) -> dict[str, Any]:
        """A flat row for tables and JSON output."""
        return {
            "source": self.source,
            "verdict": self.verdict,
            "last success": self.last_success,
            "last run": self.last_run_status or "",
            "added": self.last_run_added,
            "quarantined": self.open_quarantined,
            "newest publication": self.newest_publication,
            "reason": self.reason,
        }


def schedule_interval(cron: str, timezone: str, *, around: datetime | None = None) -> timedelta:
    """The longest gap between consecutive fire times of ``cron`` in ``timezone``.

    The longest, not the usual one: "30 6 * * 1-5" must allow the weekend, and a daily run is
    25 h apart on the night clocks go back.
    """
    try:
        tz = ZoneInfo(timezone)
    except (KeyError, ValueError) as exc:  # ZoneInfoNotFoundError is a KeyError
        raise ScheduleError(f"unknown timezone {timezone!r}") from exc
    start = (around or datetime.now(UTC)).astimezone(tz)
    try:
        times = _fire_times(CronSim(cron, start))
    except (CronSimError, StopIteration) as exc:
        raise ScheduleError(f"cannot read cron expression {cron!r}: {exc}") from exc
    return max(later - earlier for earlier, later in zip(times, times[1:], strict=False))


def _fire_times(fires: CronSim) -> list[datetime]:
    """Fire times in UTC (aware datetimes in one zone subtract as wall clocks, hiding DST)."""
    times = [next(fires).astimezone(UTC), next(fires).astimezone(UTC)]
    while times[-1] - times[0] < _SAMPLE_SPAN and len(times) < _MAX_FIRES:
        times.append(next(fires).astimezone(UTC))
    return times


def expected_intervals(
    settings: Settings, *, grace: timedelta = DEFAULT_GRACE, around: datetime | None = None
) -> dict[str, timedelta]:
    """Per collected source: how old its last success may be, from the collection schedule."""
    schedules = settings.schedules

    def allowed(cron: str) -> timedelta:
        return schedule_interval(cron, schedules.timezone, around=around) + grace

    tenders = allowed(schedules.collect_tenders)
    companies = allowed(schedules.collect_company_signals)
    news = allowed(schedules.collect_news)
    return {
        **{source: tenders for source in SOURCES},
        "kvk": companies,
        "cir": companies,
        "rss": news,
        "gdelt": news,
        "sanctions-eu": allowed(schedules.screen_sanctions),
    }


def source_status(session: Session, now: datetime, expected: Mapping[str, timedelta], *,
                  kvk_monthly_limit: int | None = None) -> list[SourceStatus]:
    """One status per source that is expected or has ever been run, sorted by name.

    ``kvk_monthly_limit`` (``kvk.monthly_query_limit``; None: not shown): the KvK row's reason also says how many of
    this month's queries the refreshes have sent, against that limit (0: none set)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware (datetime.now(UTC))")
    seen = run_sources(session)
    quarantined = open_quarantine_counts(session)
    newest = newest_publications(session)
    statuses = [
        _status_of(session, source, now, expected.get(source), quarantined.get(source, 0), newest.get(source))
        for source in sorted(seen | set(expected))
    ]
    if kvk_monthly_limit is None:
        return statuses
    return [_with_kvk_use(session, status, now, kvk_monthly_limit) if status.source == KVK else status
            for status in statuses]


def _with_kvk_use(session: Session, status: SourceStatus, now: datetime, limit: int) -> SourceStatus:
    used = queries_sent(session, now.astimezone(UTC).date())
    of = f" of {limit:,} (kvk.monthly_query_limit)" if limit else ""
    return replace(status, reason=f"{status.reason}; KvK queries this month: {used:,}{of}")


def _status_of(
    session: Session, source: str, now: datetime, expected: timedelta | None, quarantined: int, newest: Any
) -> SourceStatus:
    latest, finished = latest_runs(session, source)
    last_success = _utc(last_success_at(session, source))
    verdict, reason = _verdict(now.astimezone(UTC), expected, latest, finished, last_success)
    return SourceStatus(
        source=source,
        verdict=verdict,
        reason=reason,
        expected_every=expected,
        last_success=last_success,
        last_run_started=_utc(latest.started_at) if latest else None,
        last_run_status=latest.status if latest else None,
        last_run_error=finished.error if finished else None,
        last_run_added=finished.added if finished else None,
        open_quarantined=quarantined,
        newest_publication=newest,
    )


def _verdict(
    now: datetime,
    expected: timedelta | None,
    latest: CollectionRun | None,
    finished: CollectionRun | None,
    last_success: datetime | None,
) -> tuple[str, str]:
    """Failing beats late: a failure says why, lateness only that something stopped."""
    running = f"; a run has been going since {_at(latest.started_at)}" if latest and latest.status == "running" else ""
    if finished is None:
        return NEVER, (f"first collection running since {_at(latest.started_at)}" if latest else "no collection run recorded")
    if finished.status != "ok":
        since = f"last success {human_duration(now - last_success)} ago" if last_success else "never succeeded"
        error = finished.error or "no error recorded"
        return FAILING, f"last run ({_at(finished.finished_at or finished.started_at)}) {finished.status}: {error}; {since}{running}"
    age = now - last_success if last_success else None
    if age is not None and expected is not None and age > expected:
        return LATE, f"last success {human_duration(age)} ago, expected within {human_duration(expected)}{running}"
    within = f", expected within {human_duration(expected)}" if expected is not None else ", no schedule to compare with"
    return FRESH, f"last success {human_duration(age)} ago{within}{running}" if age is not None else f"ok{running}"


def _utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes for values stored in UTC; PostgreSQL aware ones."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _at(value: datetime) -> str:
    return _utc(value).strftime("%Y-%m-%d %H:%M UTC")


def human_duration(delta: timedelta) -> str:
    """"26 h", "3 d 4 h", "12 min": precise enough to act on, short enough for a table."""
    minutes = int(delta.total_seconds() // 60)
    if minutes < 0:
        return f"-{human_duration(-delta)}"
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days >= 2:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if days or hours:
        return f"{days * 24 + hours} h" + (f" {mins} min" if mins and not days else "")
    return f"{mins} min"
