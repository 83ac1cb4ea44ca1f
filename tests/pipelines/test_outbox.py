"""The alert outbox round trip, on SQLite and PostgreSQL: supplier events and scores in the store →
rules → alerts and deliveries in the outbox → Apprise (a custom test scheme that records or fails)
→ delivery rows marked sent, retried with backoff, reported to ops; plus feedback and statistics.

Apprise sends over ``requests``, which respx cannot see: the tests register an ``srtest://``
scheme with Apprise's ``@notify`` decorator and remove it afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from alerts.routing import parse_routing
from alerts.rules import parse_rules
from config.settings import Settings
from pipelines.send_alerts import AlertConfig, run_send_alerts, run_send_digest
from store.alerts import apply_feedback, list_alerts, rule_stats
from store.db import Store
from store.schema import Award, AwardWinner, Contract, Notice, Organisation, RiskScore, ScoringRun, SupplierEvent
from store.schema.alerts import AlertDelivery, AlertRow

NOW = datetime(2026, 11, 1, 7, 0, tzinfo=UTC)
AS_OF = date(2026, 11, 1)


@dataclass
class Inbox:
    """What the test scheme received, per URL host, and which hosts fail."""

    messages: list[tuple[str, str, str]] = field(default_factory=list)  # (host, title, body)
    failing: set[str] = field(default_factory=set)

    def to(self, host: str) -> list[tuple[str, str, str]]:
        return [m for m in self.messages if m[0] == host]


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    from apprise.decorators import notify
    from apprise.manager_plugins import NotificationManager

    box = Inbox()

    def deliver(body: str, title: str, notify_type: object, meta: dict, **_: object) -> bool:
        host = meta.get("host", "")
        if host in box.failing:
            return False
        if host == "raises":
            raise RuntimeError("plugin crashed")
        box.messages.append((host, title, body))
        return True

    notify(on="srtest", name="supplyradar test")(deliver)
    try:
        yield box
    finally:
        NotificationManager().remove("srtest")


RULES = {
    "rules": [
        {"id": "bankruptcy", "type": "event", "kinds": ["insolvency.bankruptcy_declared"], "severity": "critical",
         "alternatives": True},
        {"id": "news-distress", "type": "event", "kinds": ["news.insolvency"], "severity": "warning", "cooldown_days": 14},
        {"id": "news-noise", "type": "event", "kinds": ["news.*"], "severity": "ignore"},
        {"id": "failure-up", "type": "score_band", "score": "failure", "direction": "up",
         "severity": {"medium": "warning", "high": "critical"}},
        {"id": "source-silent", "type": "source_health", "severity": "critical"},
        {"id": "horizon", "type": "contract_horizon", "months": 12, "min_hhi": 2000, "severity": "warning",
         "market_years": 3},
    ]
}


def _config(inbox: Inbox) -> AlertConfig:
    routing = parse_routing(
        {
            "people": {
                "anna": {"digest": "daily", "channels": {"chat": "srtest://anna", "mail": "srtest://anna-mail"}},
                "bob": {"digest": "weekly", "language": "nl", "channels": {"chat": "srtest://bob"}},
                "ops": {"channels": {"pager": "srtest://ops"}},
            },
            "categories": {"72": ["anna"], "90910000": ["bob"]},
            "ops": ["ops"],
        },
        where="test routing",
        environ={},
    )
    return AlertConfig(rules=parse_rules(RULES, where="test rules", known_categories=routing.categories), routing=routing)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    base = Settings(data_dir=tmp_path / "data", _env_file=None)
    return base.model_copy(update={"alerts": base.alerts.model_copy(
        update={"max_attempts": 2, "retry_base_seconds": 60.0, "outbox_dir": tmp_path / "outbox"})})


def _org(session, kvk: str, name: str) -> Organisation:
    org = Organisation(org_key=f"NL:id:{kvk}", name=name, country="NL", company_id=kvk, first_seen=NOW, updated_at=NOW)
    session.add(org)
    session.flush()
    return org


def _contract(session, org: Organisation, ref: str, cpv: str) -> None:
    session.add(Contract(contract_ref=ref, source_file="contracts.xlsx", row_number=1, supplier_name=org.name,
                         organisation_id=org.id, cpv=cpv, end_date=date(2029, 1, 1), content_hash=ref, imported_at=NOW))


def _event(session, org: Organisation, kind: str, day: date, ref: str, title: str = "t") -> None:
    session.add(SupplierEvent(organisation_id=org.id, kind=kind, occurred_on=day, source="test", source_ref=ref,
                              source_url=f"https://example.org/{ref}", title=title, confidence=0.9, detected_at=NOW))


@pytest.fixture
def world(store: Store) -> dict[str, int]:
    """An IT supplier and a cleaning supplier of ours, and one we do not buy from."""
    with store.session() as session, session.begin():
        it = _org(session, "10000001", "Byte Works B.V.")
        clean = _org(session, "10000002", "Schoon & Co B.V.")
        other = _org(session, "10000003", "Stranger B.V.")
        _contract(session, it, "C-1", "72500000")
        _contract(session, clean, "C-2", "90911200")
        return {"it": it.id, "clean": clean.id, "other": other.id}


def _add(store: Store, fn, *args) -> None:
    with store.session() as session, session.begin():
        org = session.get(Organisation, args[0])
        fn(session, org, *args[1:])


def _deliveries(store: Store) -> list[AlertDelivery]:
    with store.session() as session:
        return list(session.scalars(select(AlertDelivery).order_by(AlertDelivery.id)))


def test_critical_alert_reaches_the_category_manager_only_once(store: Store, settings: Settings, inbox: Inbox,
                                                                world: dict[str, int]) -> None:
    config = _config(inbox)
    _add(store, _event, world["it"], "insolvency.bankruptcy_declared", date(2026, 10, 20), "F.1")
    _add(store, _event, world["other"], "insolvency.bankruptcy_declared", date(2026, 10, 20), "F.2")
    summary = run_send_alerts(store, settings, as_of=AS_OF, now=NOW, config=config, sources=False)
    assert summary.outcomes["created"] == 1  # the stranger is no supplier of ours
    assert sorted(h for h, _t, _b in inbox.messages) == ["anna", "anna-mail"]
    title, body = inbox.to("anna")[0][1:]
    assert title.startswith("[CRITICAL] Byte Works B.V.")
    assert "https://example.org/F.1" in body

    again = run_send_alerts(store, settings, as_of=AS_OF, now=NOW + timedelta(hours=1), config=config, sources=False)
    assert again.outcomes == {"unchanged": 1} and again.sent == 0
    assert len(inbox.messages) == 2
    assert {d.status for d in _deliveries(store)} == {"sent"}


def test_repeats_are_grouped_within_the_cooldown_and_renotified_after(store: Store, settings: Settings, inbox: Inbox,
                                                                      world: dict[str, int]) -> None:
    config = _config(inbox)
    _add(store, _event, world["it"], "news.insolvency", date(2026, 10, 25), "a1")
    _add(store, _event, world["it"], "news.cyber", date(2026, 10, 25), "a2")  # ignored by rule news-noise
    assert run_send_alerts(store, settings, as_of=AS_OF, now=NOW, config=config, sources=False).outcomes == {"created": 1}
    _add(store, _event, world["it"], "news.insolvency", date(2026, 10, 30), "a3")
    grouped = run_send_alerts(store, settings, as_of=AS_OF, now=NOW + timedelta(days=1), config=config, sources=False)
    assert grouped.outcomes == {"grouped": 1, "unchanged": 0} or grouped.outcomes["grouped"] == 1
    with store.session() as session:
        (alert,) = session.scalars(select(AlertRow)).all()
        assert alert.count == 2 and alert.round == 1 and len(alert.facts["sources"]) == 2
    assert len(_deliveries(store)) == 2  # one round, anna's two channels (digest: not sent yet)
    assert inbox.messages == []  # warnings wait for the digest

    _add(store, _event, world["it"], "news.insolvency", date(2026, 11, 16), "a4")
    later = NOW + timedelta(days=16)
    renotified = run_send_alerts(store, settings, as_of=date(2026, 11, 17), now=later, config=config, sources=False)
    assert renotified.outcomes["renotified"] == 1
    rounds = sorted({(d.round, d.status) for d in _deliveries(store)})
    assert rounds == [(1, "cancelled"), (2, "pending")]  # the later round supersedes the unsent one

    digest = run_send_digest(store, settings, period="daily", now=later, config=config)
    assert digest.sent == 2 and len(inbox.to("anna")) == 1
    assert inbox.to("anna")[0][1].endswith("(daily digest): 1 alert")  # singular for one
    assert run_send_digest(store, settings, period="daily", now=later + timedelta(days=1), config=config).sent == 0


def _scores(store: Store, org_id: int, band: str, value: float, day: date) -> None:
    with store.session() as session, session.begin():
        run = ScoringRun(started_at=NOW, finished_at=NOW, as_of=day, model_version="test", status="ok")
        session.add(run)
        session.flush()
        session.add(RiskScore(run_id=run.id, organisation_id=org_id, category="", kind="failure", value=value, band=band,
                              confidence=0.8, coverage=0.9,
                              reasons=[{"feature": "employees", "value": -0.4, "contribution": 0.2, "text": "staff fell 40%"}],
                              inputs=[{"source": "kvk", "as_of": day.isoformat(), "ref": "profile"}], scored_at=NOW))


def test_a_rise_in_severity_escalates_at_once(store: Store, settings: Settings, inbox: Inbox, world: dict[str, int]) -> None:
    config = _config(inbox)
    _scores(store, world["clean"], "low", 0.05, date(2026, 9, 1))
    _scores(store, world["clean"], "medium", 0.2, date(2026, 10, 1))
    first = run_send_alerts(store, settings, as_of=AS_OF, now=NOW, config=config, sources=False)
    assert first.outcomes == {"created": 1} and inbox.messages == []  # a warning: bob's weekly digest
    _scores(store, world["clean"], "high", 0.45, date(2026, 10, 31))
    second = run_send_alerts(store, settings, as_of=AS_OF, now=NOW + timedelta(hours=2), config=config, sources=False)
    assert second.outcomes == {"escalated": 1} and second.sent == 1
    (host, title, body) = inbox.messages[0]
    assert host == "bob" and title.startswith("[KRITIEK]") and "staff fell 40%" in body
    with store.session() as session:
        alert = session.scalars(select(AlertRow)).one()
        assert (alert.severity, alert.round, alert.count) == ("critical", 2, 2)
    assert sorted((d.round, d.mode, d.status) for d in _deliveries(store)) == [(1, "weekly", "cancelled"), (2, "immediate", "sent")]


def test_a_broken_channel_is_retried_with_backoff_and_reported_to_ops(store: Store, settings: Settings, inbox: Inbox,
                                                                     world: dict[str, int]) -> None:
    config = _config(inbox)
    inbox.failing.add("anna-mail")
    _add(store, _event, world["it"], "insolvency.bankruptcy_declared", date(2026, 10, 20), "F.1")
    first = run_send_alerts(store, settings, as_of=AS_OF, now=NOW, config=config, sources=False)
    assert (first.sent, first.retry_later, first.failed) == (1, 1, 0)
    row = first.as_row()  # each figure names what it counts
    assert (row["messages sent"], row["deliveries to retry"], row["deliveries failed"]) == (1, 1, 0)
    assert [h for h, _t, _b in inbox.messages] == ["anna"]  # the working channel was not held up
    pending = [d for d in _deliveries(store) if d.status == "pending"]
    assert len(pending) == 1 and pending[0].attempts == 1 and "did not accept" in pending[0].last_error
    next_try = pending[0].next_attempt_at.replace(tzinfo=UTC) if pending[0].next_attempt_at.tzinfo is None else pending[0].next_attempt_at
    assert next_try == NOW + timedelta(seconds=60)

    too_early = run_send_alerts(store, settings, as_of=AS_OF, now=NOW + timedelta(seconds=30), config=config, sources=False)
    assert too_early.sent == too_early.retry_later == 0

    second = run_send_alerts(store, settings, as_of=AS_OF, now=NOW + timedelta(minutes=2), config=config, sources=False)
    assert second.failed == 1 and second.outcomes["created"] == 1  # the ops alert about the channel
    ops = inbox.to("ops")
    assert len(ops) == 0  # a warning: it waits for ops' digest
    with store.session() as session:
        rows = list_alerts(session, states=["open"])
    assert {r["rule"] for r in rows} == {"bankruptcy", "delivery-failed"}
    bankruptcy = next(r for r in rows if r["rule"] == "bankruptcy")
    assert bankruptcy["deliveries"] == "1 failed, 1 sent"
    run_send_digest(store, settings, period="daily", now=NOW + timedelta(minutes=3), config=config)
    (ops_message,) = inbox.to("ops")
    assert "Alerts to anna over mail could not be delivered" in ops_message[2]
    assert "srtest://" not in ops_message[2]


def test_a_crashing_plugin_does_not_stop_the_others(store: Store, settings: Settings, inbox: Inbox,
                                                    world: dict[str, int]) -> None:
    config = _config(inbox)
    routing = parse_routing(
        {"people": {"anna": {"channels": {"a": "srtest://raises", "b": "srtest://anna"}}, "ops": {"channels": {"p": "srtest://ops"}}},
         "categories": {"72": ["anna"]}, "ops": ["ops"]},
        where="test", environ={},
    )
    config = AlertConfig(rules=config.rules, routing=routing)
    _add(store, _event, world["it"], "insolvency.bankruptcy_declared", date(2026, 10, 20), "F.1")
    summary = run_send_alerts(store, settings, as_of=AS_OF, now=NOW, config=config, sources=False)
    assert summary.sent == 1 and summary.retry_later == 1
    assert summary.failures == ["anna/a: the channel did not accept the message"]  # Apprise catches the crash


def test_source_health_goes_to_ops_only(store: Store, settings: Settings, inbox: Inbox) -> None:
    from store.bookkeeping import finish_run, start_run

    with store.session() as session, session.begin():
        run_id = start_run(session, "ted")
        finish_run(session, run_id, status="failed", error="HTTP 503 from TED")
    summary = run_send_alerts(store, settings, as_of=AS_OF, now=datetime.now(UTC), config=_config(inbox))
    assert summary.outcomes["created"] >= 1
    assert {h for h, _t, _b in inbox.messages} == {"ops"}
    assert any("Source ted is failing" in t for _h, t, _b in inbox.messages)


def test_feedback_stats_and_wrong_entity(store: Store, settings: Settings, inbox: Inbox, world: dict[str, int],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    config = _config(inbox)
    _add(store, _event, world["it"], "news.insolvency", date(2026, 10, 25), "a1", "Byte Works in trouble")
    _add(store, _event, world["clean"], "news.insolvency", date(2026, 10, 25), "a2")
    _add(store, _event, world["clean"], "insolvency.bankruptcy_declared", date(2026, 10, 25), "F.9")
    run_send_alerts(store, settings, as_of=AS_OF, now=NOW, config=config, sources=False)
    with store.session() as session:
        ids = {(a.rule_id, a.organisation_id): a.id for a in session.scalars(select(AlertRow))}
    with store.session() as session, session.begin():
        apply_feedback(session, ids[("news-distress", world["it"])], action="dismiss", reason="not-relevant",
                       decided_by="anna", now=NOW)
        apply_feedback(session, ids[("news-distress", world["clean"])], action="ack", decided_by="bob", now=NOW)
        with pytest.raises(ValueError, match="needs a reason"):
            apply_feedback(session, ids[("bankruptcy", world["clean"])], action="dismiss", decided_by="bob", now=NOW)
        stats = {row["rule"]: row for row in rule_stats(session)}
    assert (stats["news-distress"]["judged"], stats["news-distress"]["precision"]) == (2, 0.5)
    assert stats["news-distress"]["precision 95% interval"] == "0.09-0.91"
    # nobody judged the bankruptcy alert: its precision is unknown, not 1.0
    assert (stats["bankruptcy"]["judged"], stats["bankruptcy"]["precision"]) == (0, None)

    # A dismissed alert stays quiet: a new article is counted, not sent.
    _add(store, _event, world["it"], "news.insolvency", date(2026, 10, 31), "a5")
    later = run_send_alerts(store, settings, as_of=AS_OF, now=NOW + timedelta(days=20), config=config, sources=False)
    assert later.outcomes["grouped"] == 1 and later.outcomes["renotified"] == 0

    # wrong-entity on an alert from the supplier's own KvK-keyed data is refused with the reason (issue 15: it
    # used to reject the company's own name against itself); the alert and the matching stay as they were.
    from typer.testing import CliRunner

    import store.matching as matching
    from supplyradar.cli import app

    calls = []
    monkeypatch.setattr(matching, "reject_match", lambda session, **kw: calls.append(kw))
    monkeypatch.setenv("SUPPLYRADAR_DATABASE_URL", store.url)
    result = CliRunner().invoke(app, ["alerts", "dismiss", str(ids[("bankruptcy", world["clean"])]), "--reason",
                                      "wrong-entity", "--by", "bob"])
    assert result.exit_code == 1 and "Refused" in result.output and "10000002" in result.output
    assert calls == []
    with store.session() as session:
        assert session.get(AlertRow, ids[("bankruptcy", world["clean"])]).state == "open"
    result = CliRunner().invoke(app, ["alerts", "stats"], env={"COLUMNS": "200"})
    assert "news-distress" in result.output


def test_undelivered_alerts_expire(store: Store, settings: Settings, inbox: Inbox, world: dict[str, int]) -> None:
    config = _config(inbox)
    _add(store, _event, world["it"], "news.insolvency", date(2026, 10, 25), "a1")
    run_send_alerts(store, settings, as_of=AS_OF, now=NOW, config=config, sources=False)
    summary = run_send_digest(store, settings, period="daily", now=NOW + timedelta(days=31), config=config)
    assert summary.expired == 1 and summary.sent == 0
    assert {d.status for d in _deliveries(store)} == {"expired"}


def horizon_world(store: Store) -> None:
    """Our contract with Big Systems (CPV 72500000) ends within the horizon rule's year; Small Data won there too."""
    with store.session() as session, session.begin():
        buyer = _org(session, "90000001", "Gemeente Zandlinde")
        big, small = _org(session, "20000001", "Big Systems B.V."), _org(session, "20000002", "Small Data B.V.")
        for i, (day, winner) in enumerate([(date(2024, 2, 1), big), (date(2025, 2, 1), big), (date(2026, 2, 1), big),
                                           (date(2026, 3, 1), small)]):
            notice = Notice(source="ted", notice_id=f"N{i}", format="eforms", notice_type="can", kind="award",
                            published=day, buyer_id=buyer.id, cpv_main="72500000", content_hash="h", collected_at=NOW)
            session.add(notice)
            session.flush()
            award = Award(notice_pk=notice.id, seq=0, lot_id="LOT-1")
            session.add(award)
            session.flush()
            session.add(AwardWinner(award_id=award.id, organisation_id=winner.id))
        session.add(Contract(contract_ref="C-9", title="Hosting", source_file="contracts.xlsx", row_number=9,
                             supplier_name="Big Systems", organisation_id=big.id, cpv="72500000",
                             end_date=date(2027, 6, 30), extension_until=date(2028, 6, 30), owner="anna",
                             content_hash="c9", imported_at=NOW))


def test_a_contract_ending_in_a_concentrated_market_calls_for_a_market_consultation(
    store: Store, settings: Settings, inbox: Inbox, world: dict[str, int]
) -> None:
    config = _config(inbox)
    horizon_world(store)
    summary = run_send_alerts(store, settings, as_of=AS_OF, now=NOW, config=config, sources=False)
    assert summary.outcomes == {"created": 1}
    with store.session() as session:
        alert = session.scalars(select(AlertRow)).one()
    assert alert.rule_id == "horizon" and alert.subject == "contract:C-9" and alert.categories == ["72"]
    market = alert.facts["market"]
    assert (market["hhi"], market["band"], market["awards"]) == (6250, "highly concentrated", 4)  # 75% and 25% by count
    assert [a["name"] for a in alert.facts["alternatives"]["ranked"]] == ["Small Data B.V."]
    run_send_digest(store, settings, period="daily", now=NOW, config=config)
    body = inbox.to("anna")[0][2]
    assert "Prepare a market consultation now" in body and "HHI 6250" in body and "Small Data B.V." in body


def test_score_alerts_only_for_suppliers_we_depend_on_now(store: Store, settings: Settings, inbox: Inbox,
                                                          world: dict[str, int]) -> None:
    """A former supplier (contract ended long ago, no recent spend) rising to high risk wakes nobody."""
    with store.session() as session, session.begin():
        former = _org(session, "10000004", "Vroeger Schoonmaak B.V.")
        session.add(Contract(contract_ref="C-OLD", source_file="contracts.xlsx", row_number=2, supplier_name=former.name,
                             organisation_id=former.id, cpv="90911200", start_date=date(2019, 1, 1),
                             end_date=date(2021, 1, 1), content_hash="C-OLD", imported_at=NOW))
        former_id = former.id
    _scores(store, former_id, "high", 0.9, date(2026, 10, 31))
    with store.session() as session, session.begin():
        run_id = session.scalar(select(ScoringRun.id))
        session.add(RiskScore(run_id=run_id, organisation_id=world["clean"], category="", kind="failure", value=0.9,
                              band="high", confidence=0.8, coverage=0.9, reasons=[], inputs=[], scored_at=NOW))
    result = run_send_alerts(store, settings, as_of=AS_OF, now=NOW, config=_config(inbox), sources=False)
    assert result.outcomes == {"created": 1}
    with store.session() as session:
        (alert,) = session.scalars(select(AlertRow)).all()
        assert alert.organisation_id == world["clean"]


def test_a_score_of_an_organisation_merged_into_our_supplier_alerts_as_the_supplier(
        store: Store, settings: Settings, inbox: Inbox, world: dict[str, int]) -> None:
    """Only our suppliers' score rows are read (issue 20), and those of the organisations merged into them."""
    from store.schema.own_data import OrganisationMerge

    with store.session() as session, session.begin():
        twin = _org(session, "10000005", "Schoon en Co")  # a trade-name row the matcher merged into "clean"
        session.add(OrganisationMerge(organisation_id=twin.id, canonical_id=world["clean"], method="auto", score=0.97,
                                      merged_at=NOW))
        twin_id = twin.id
    _scores(store, twin_id, "high", 0.9, date(2026, 10, 31))
    with store.session() as session, session.begin():
        run_id = session.scalar(select(ScoringRun.id))
        session.add(RiskScore(run_id=run_id, organisation_id=world["other"], category="", kind="failure", value=0.95,
                              band="high", confidence=0.8, coverage=0.9, reasons=[], inputs=[], scored_at=NOW))
    result = run_send_alerts(store, settings, as_of=AS_OF, now=NOW, config=_config(inbox), sources=False)
    assert result.outcomes == {"created": 1}  # "other" is not a supplier of ours: its high score wakes nobody
    with store.session() as session:
        (alert,) = session.scalars(select(AlertRow)).all()
        assert alert.organisation_id == world["clean"]
        assert alert.title == "Schoon & Co B.V.: failure risk new → high"
