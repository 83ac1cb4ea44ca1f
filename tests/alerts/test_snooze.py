"""A snooze ends: the alert returns to the inbox and, when critical, is sent again, whichever path runs first.

The flows (send-alerts, send-digest, check-sources), the CLI and the workspace all end snoozes through
``store.alerts.end_snoozes``; lengths that are negative, zero or beyond 90 days are refused everywhere.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from config.settings import Settings
from pipelines.send_alerts import run_check_sources, run_send_alerts, run_send_digest
from store.alerts import MAX_SNOOZE, apply_feedback, end_snoozes, list_alerts
from store.db import Store
from store.schema.alerts import AlertAudit, AlertDelivery, AlertRow
from tests.pipelines.test_outbox import (  # noqa: F401 - fixtures
    AS_OF,
    NOW,
    Inbox,
    _add,
    _config,
    _event,
    inbox,
    settings,
    world,
)

SNOOZE_END = NOW + timedelta(days=2)


def _bankruptcy_snoozed(store: Store, settings: Settings, inbox: Inbox, world: dict[str, int]) -> int:
    config = _config(inbox)
    _add(store, _event, world["it"], "insolvency.bankruptcy_declared", date(2026, 10, 20), "F.1")
    run_send_alerts(store, settings, as_of=AS_OF, now=NOW, config=config, sources=False)
    assert len(inbox.to("anna")) == 1
    with store.session() as session, session.begin():
        alert_id = session.scalars(select(AlertRow.id)).one()
        apply_feedback(session, alert_id, action="snooze", decided_by="anna", now=NOW, snooze_until=SNOOZE_END)
    return alert_id


@pytest.mark.parametrize("path", ["send", "digest", "check-sources"])
def test_a_snoozed_critical_alert_returns_and_is_sent_again_on_every_flow(
    path: str, store: Store, settings: Settings, inbox: Inbox, world: dict[str, int]
) -> None:
    alert_id = _bankruptcy_snoozed(store, settings, inbox, world)
    config = _config(inbox)
    before = run_send_digest(store, settings, period="daily", now=SNOOZE_END - timedelta(minutes=1), config=config)
    assert before.woken == 0 and len(inbox.to("anna")) == 1  # still asleep

    later = SNOOZE_END + timedelta(minutes=1)
    if path == "send":
        summary = run_send_alerts(store, settings, as_of=later.date(), now=later, config=config, sources=False)
    elif path == "digest":
        summary = run_send_digest(store, settings, period="weekly", now=later, config=config)
    else:
        summary = run_check_sources(store, settings, now=later, config=config)
    assert summary.woken == 1
    with store.session() as session:
        row = session.get(AlertRow, alert_id)
        assert (row.state, row.snoozed_until, row.round) == ("open", None, 2)
        audit = session.scalars(select(AlertAudit).where(AlertAudit.alert_id == alert_id)).all()
        assert audit[-1].new_value == "open" and "snooze ended" in audit[-1].detail
    assert len(inbox.to("anna")) == 2 and len(inbox.to("anna-mail")) == 2
    # Running again does not wake it twice or send it a third time.
    run_send_alerts(store, settings, as_of=later.date(), now=later + timedelta(hours=1), config=config, sources=False)
    assert len(inbox.to("anna")) == 2


def test_a_warning_returns_to_the_inbox_and_goes_into_the_next_digest(
    store: Store, settings: Settings, inbox: Inbox, world: dict[str, int]
) -> None:
    config = _config(inbox)
    _add(store, _event, world["it"], "news.insolvency", date(2026, 10, 25), "a1")
    run_send_alerts(store, settings, as_of=AS_OF, now=NOW, config=config, sources=False)
    with store.session() as session, session.begin():
        alert_id = session.scalars(select(AlertRow.id)).one()
        apply_feedback(session, alert_id, action="snooze", decided_by="anna", now=NOW, snooze_until=SNOOZE_END)
    asleep = run_send_digest(store, settings, period="daily", now=NOW + timedelta(days=1), config=config)
    assert asleep.sent == 0
    awake = run_send_digest(store, settings, period="daily", now=SNOOZE_END + timedelta(hours=1), config=config)
    assert awake.woken == 1 and awake.sent == 2  # anna's chat and mail digests
    with store.session() as session:
        assert [r["state"] for r in list_alerts(session)] == ["open"]


def test_end_snoozes_without_routing_still_opens(store: Store, settings: Settings, inbox: Inbox,
                                                 world: dict[str, int]) -> None:
    alert_id = _bankruptcy_snoozed(store, settings, inbox, world)
    with store.session() as session, session.begin():
        assert end_snoozes(session, now=SNOOZE_END - timedelta(seconds=1), plan=None) == []
        assert end_snoozes(session, now=SNOOZE_END, plan=None) == [alert_id]
        assert session.get(AlertRow, alert_id).state == "open"
        pending = session.scalars(select(AlertDelivery).where(AlertDelivery.status == "pending")).all()
        assert pending == []


@pytest.mark.parametrize("until", [NOW - timedelta(days=2), NOW, NOW + MAX_SNOOZE + timedelta(days=1)])
def test_absurd_snoozes_are_refused(until: datetime, store: Store, settings: Settings, inbox: Inbox,
                                    world: dict[str, int]) -> None:
    alert_id = _bankruptcy_snoozed(store, settings, inbox, world)
    with store.session() as session, session.begin(), pytest.raises(ValueError, match="snooze"):
        apply_feedback(session, alert_id, action="snooze", decided_by="anna", now=NOW, snooze_until=until)


def test_the_cli_refuses_bad_lengths_shows_the_end_and_ends_snoozes(
    store: Store, settings: Settings, inbox: Inbox, world: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    from supplyradar.cli import app

    config = _config(inbox)
    _add(store, _event, world["it"], "insolvency.bankruptcy_declared", date(2026, 10, 20), "F.1")
    run_send_alerts(store, settings, as_of=AS_OF, now=datetime.now(UTC), config=config, sources=False)
    with store.session() as session:
        alert_id = session.scalars(select(AlertRow.id)).one()
    monkeypatch.setenv("SUPPLYRADAR_DATABASE_URL", store.url)
    runner = CliRunner()
    for days in ("-2", "0", "400"):
        result = runner.invoke(app, ["alerts", "snooze", str(alert_id), "--days", days])
        assert result.exit_code == 2, (days, result.output)
    result = runner.invoke(app, ["alerts", "snooze", str(alert_id), "--days", "3", "--by", "anna"])
    assert result.exit_code == 0, result.output
    end = (datetime.now(UTC) + timedelta(days=3)).strftime("%Y-%m-%d")
    assert f"snoozed until {end}" in result.output
    listed = runner.invoke(app, ["alerts", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    assert end in listed.output and '"snoozed"' in listed.output

    # Time passes: the snooze ends as soon as anyone looks.
    with store.session() as session, session.begin():
        session.get(AlertRow, alert_id).snoozed_until = datetime.now(UTC) - timedelta(minutes=1)
    listed = runner.invoke(app, ["alerts", "list", "--json"])
    assert '"open"' in listed.output and '"snoozed"' not in listed.output


def test_messages_follow_the_persons_own_language(store: Store, settings: Settings, inbox: Inbox,
                                                  world: dict[str, int]) -> None:
    from store.web import set_language, upsert_user

    with store.session() as session, session.begin():
        upsert_user(session, "anna", role="manager", password_hash=None, categories=["72"])
        set_language(session, "anna", "nl")  # her routing entry says nothing; the server says English
    _add(store, _event, world["it"], "insolvency.bankruptcy_declared", date(2026, 10, 20), "F.1")
    run_send_alerts(store, settings, as_of=AS_OF, now=NOW, config=_config(inbox), sources=False)
    (_host, title, body) = inbox.to("anna")[0]
    assert title.startswith("[KRITIEK]") and "faillissement uitgesproken" in body
