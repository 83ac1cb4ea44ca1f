"""Source health from the bookkeeping tables: the verdicts an operator and a monitor act on."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
import typer
from rich.console import Console
from typer.testing import CliRunner

from config.settings import Settings
from connectors.errors import RecordError
from pipelines.kvk_refresh_plan import count_queries
from pipelines.source_health import (
    FAILING,
    FRESH,
    LATE,
    NEVER,
    ScheduleError,
    expected_intervals,
    human_duration,
    schedule_interval,
    source_status,
)
from store.bookkeeping import quarantine, resolve_quarantined
from store.db import Store
from store.notices import save_notices
from store.schema import CollectionRun
from supplyradar.commands import ops
from tests.store.test_store import ted_notice

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
DAILY = {"ted": timedelta(hours=26), "tenderned": timedelta(hours=26)}


def add_run(store: Store, source: str, *, ago: timedelta, status: str = "ok", added: int = 0, error: str | None = None) -> None:
    started = NOW - ago
    finished = None if status == "running" else started + timedelta(minutes=10)
    with store.session() as session, session.begin():
        session.add(CollectionRun(source=source, started_at=started, finished_at=finished, status=status, added=added, error=error))


def statuses(store: Store, expected: dict[str, timedelta] = DAILY) -> dict:
    with store.session() as session:
        return {s.source: s for s in source_status(session, NOW, expected)}


def test_fresh_source_reports_its_last_run(store: Store) -> None:
    add_run(store, "ted", ago=timedelta(hours=30), added=7)
    add_run(store, "ted", ago=timedelta(hours=6), added=3)
    with store.session() as session, session.begin():
        save_notices(session, [ted_notice()])
    ted = statuses(store)["ted"]
    assert ted.verdict == FRESH and not ted.needs_attention
    assert ted.last_run_added == 3 and ted.last_run_status == "ok"
    assert ted.last_success == NOW - timedelta(hours=6) + timedelta(minutes=10)
    assert ted.newest_publication == date(2024, 3, 1)
    assert "5 h 50 min ago" in ted.reason and "26 h" in ted.reason


def test_late_when_last_success_is_older_than_the_schedule_allows(store: Store) -> None:
    add_run(store, "tenderned", ago=timedelta(days=3), added=5)
    status = statuses(store)["tenderned"]
    assert status.verdict == LATE and status.needs_attention
    assert "2 d 23 h" in status.reason


def test_failing_beats_late_and_says_why(store: Store) -> None:
    add_run(store, "ted", ago=timedelta(days=4))
    add_run(store, "ted", ago=timedelta(hours=2), status="failed", error="TED answered 503 five times")
    ted = statuses(store)["ted"]
    assert ted.verdict == FAILING and ted.needs_attention
    assert "503" in ted.reason and "last success 3 d 23 h" in ted.reason
    assert ted.last_run_error == "TED answered 503 five times"


def test_never_collected_and_a_first_run_in_progress(store: Store) -> None:
    add_run(store, "tenderned", ago=timedelta(minutes=5), status="running")
    result = statuses(store)
    assert result["ted"].verdict == NEVER and result["ted"].reason == "no collection run recorded"
    assert result["tenderned"].verdict == NEVER and "first collection running" in result["tenderned"].reason
    assert not any(s.needs_attention for s in result.values())


def test_a_stuck_run_is_named_when_the_source_goes_late(store: Store) -> None:
    add_run(store, "ted", ago=timedelta(days=2))
    add_run(store, "ted", ago=timedelta(days=1, hours=10), status="running")
    ted = statuses(store)["ted"]
    assert ted.verdict == LATE and ted.last_run_status == "running"
    assert "a run has been going since" in ted.reason


def test_open_quarantine_is_counted_per_source(store: Store) -> None:
    add_run(store, "ted", ago=timedelta(hours=1))
    with store.session() as session, session.begin():
        for key in ("a", "b", "c"):
            quarantine(session, "ted", RecordError(f"page 1/{key}", "bad value", record=key))
        resolve_quarantined(session, "ted", ["c"])
    assert statuses(store)["ted"].open_quarantined == 2


def test_unscheduled_sources_are_listed_but_never_late(store: Store) -> None:
    add_run(store, "kvk", ago=timedelta(days=40))
    kvk = statuses(store)["kvk"]
    assert kvk.verdict == FRESH and "no schedule" in kvk.reason


def test_now_must_be_aware(store: Store) -> None:
    with store.session() as session, pytest.raises(ValueError, match="timezone-aware"):
        source_status(session, NOW.replace(tzinfo=None), DAILY)


@pytest.mark.parametrize(
    ("cron", "gap"),
    [
        ("30 6 * * *", timedelta(hours=25)),  # the night clocks go back in Amsterdam
        ("0 7 * * 1", timedelta(days=7, hours=1)),
        ("30 6 * * 1-5", timedelta(days=3, hours=1)),  # the weekend, DST included
        ("0 */6 * * *", timedelta(hours=7)),
    ],
)
def test_schedule_interval_is_the_longest_gap(cron: str, gap: timedelta) -> None:
    assert schedule_interval(cron, "Europe/Amsterdam", around=datetime(2026, 10, 1, tzinfo=UTC)) == gap


def test_schedule_interval_without_clock_changes() -> None:
    assert schedule_interval("30 6 * * *", "UTC") == timedelta(hours=24)
    assert schedule_interval("0 0 1 * *", "UTC") == timedelta(days=31)


@pytest.mark.parametrize(("cron", "timezone"), [("61 6 * * *", "Europe/Amsterdam"), ("30 6 * * *", "Mars/Olympus")])
def test_unreadable_schedules_raise_schedule_error(cron: str, timezone: str) -> None:
    with pytest.raises(ScheduleError):
        schedule_interval(cron, timezone)


def test_expected_intervals_follow_the_collection_schedule(settings: Settings) -> None:
    settings.schedules.collect_tenders = "0 3 * * 1"
    expected = expected_intervals(settings, grace=timedelta(hours=2), around=datetime(2026, 6, 1, tzinfo=UTC))
    assert expected["ted"] == expected["tenderned"] == timedelta(days=7, hours=3)  # DST hour included
    assert expected["kvk"] == expected["cir"] == timedelta(days=1, hours=3)  # a 25-hour day in the sample
    assert expected["rss"] == expected["gdelt"] == timedelta(minutes=30, hours=2)
    assert set(expected) == {"ted", "tenderned", "kvk", "cir", "rss", "gdelt", "sanctions-eu"}


@pytest.mark.parametrize(
    ("delta", "text"),
    [(timedelta(minutes=12), "12 min"), (timedelta(hours=26), "26 h"), (timedelta(hours=5, minutes=3), "5 h 3 min"),
     (timedelta(days=3, hours=4), "3 d 4 h"), (timedelta(days=7), "7 d")],
)
def test_human_duration(delta: timedelta, text: str) -> None:
    assert human_duration(delta) == text


def test_status_command_exits_1_when_a_source_needs_attention(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUPPLYRADAR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("SUPPLYRADAR_DATABASE_URL", raising=False)
    monkeypatch.setattr(ops, "out", Console(width=250))
    app = typer.Typer()
    ops.register(app)
    runner = CliRunner()
    fresh_at = datetime.now(UTC) - timedelta(hours=1)
    with Store(Settings(_env_file=None).resolved_database_url) as store, store.session() as session, session.begin():
        for source in ("ted", "tenderned"):
            session.add(CollectionRun(source=source, started_at=fresh_at, finished_at=fresh_at, status="ok"))

    result = runner.invoke(app, ["status"])
    assert result.exit_code == 0, result.output
    assert "fresh" in result.stdout and "tenderned" in result.stdout

    with Store(Settings(_env_file=None).resolved_database_url) as store, store.session() as session, session.begin():
        session.add(CollectionRun(source="ted", started_at=fresh_at, finished_at=fresh_at, status="failed", error="[bold]503[/]"))
    result = runner.invoke(app, ["status", "--json"])
    assert result.exit_code == 1
    rows = {row["source"]: row for row in map(json.loads, result.stdout.splitlines())}
    assert rows["ted"]["verdict"] == "failing" and "[bold]503[/]" in rows["ted"]["reason"]
    assert rows["tenderned"]["verdict"] == "fresh"


def test_the_kvk_row_says_this_months_queries_against_the_limit(store: Store) -> None:
    add_run(store, "kvk", ago=timedelta(hours=3))
    add_run(store, "ted", ago=timedelta(hours=3))
    with store.session() as session, session.begin():
        count_queries(session, NOW.date(), 12_345)
        count_queries(session, date(2026, 10, 31), 999)  # last month's: not this month's
    with store.session() as session:
        limited = {s.source: s for s in source_status(session, NOW, DAILY, kvk_monthly_limit=300_000)}
        unlimited = {s.source: s for s in source_status(session, NOW, DAILY, kvk_monthly_limit=0)}
        plain = {s.source: s for s in source_status(session, NOW, DAILY)}
    assert limited["kvk"].reason.endswith("; KvK queries this month: 12,345 of 300,000 (kvk.monthly_query_limit)")
    assert unlimited["kvk"].reason.endswith("; KvK queries this month: 12,345")
    assert "KvK queries" not in plain["kvk"].reason and "KvK queries" not in limited["ted"].reason
    assert limited["kvk"].verdict == plain["kvk"].verdict
