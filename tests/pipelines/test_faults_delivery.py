"""Alert e-mail through a real SMTP server (aiosmtpd on 127.0.0.1): at least once, visibly once, fast.

Scenarios: a burst of alerts to one person (every message arrives, in seconds, each with its own
Message-ID); a run killed right after the SMTP server accepted a message (the next run past the lease
sends it again with the same Message-ID, so the copy folds in the reader's mail client); a refused
message (retried later, counted once when it goes).
"""

from __future__ import annotations

import email
import socket
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

pytest.importorskip("aiosmtpd")
from aiosmtpd.controller import Controller

from alerts.routing import parse_routing
from alerts.rules import parse_rules
from config.settings import Settings
from pipelines import send_alerts as alerting
from pipelines.send_alerts import AlertConfig, run_send_alerts
from store.db import Store
from store.schema import Contract, Organisation, SupplierEvent
from store.schema.alerts import AlertDelivery
from tests.fault_server import fresh_store

NOW = datetime(2026, 11, 1, 7, 0, tzinfo=UTC)
RULES = {"rules": [{"id": "bankruptcy", "type": "event", "kinds": ["insolvency.bankruptcy_declared"],
                    "severity": "critical"}]}


class Sink:
    """Collects every message the SMTP server accepted; can refuse the next ``refuse`` messages."""

    def __init__(self) -> None:
        self.messages: list[email.message.Message] = []
        self.refuse = 0

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.refuse:
            self.refuse -= 1
            return "451 try again later"
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"

    def message_ids(self) -> list[str]:
        return [m["Message-ID"] for m in self.messages]


@pytest.fixture
def smtp() -> Iterator[tuple[Sink, int]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()


def config(port: int) -> AlertConfig:
    url = f"mailto://127.0.0.1:{port}/?from=radar@example.org&to=anna@example.org&mode=insecure"
    routing = parse_routing({"people": {"anna": {"channels": {"mail": url}}}, "categories": {"72": ["anna"]},
                             "ops": ["anna"]}, where="test routing", environ={})
    return AlertConfig(rules=parse_rules(RULES, where="test rules", known_categories=routing.categories), routing=routing)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    base = Settings(data_dir=tmp_path / "data", _env_file=None)
    return base.model_copy(update={"alerts": base.alerts.model_copy(
        update={"max_attempts": 3, "retry_base_seconds": 60.0, "outbox_dir": tmp_path / "outbox"})})


def suppliers(store: Store, count: int) -> None:
    with store.session() as session, session.begin():
        for i in range(count):
            org = Organisation(org_key=f"NL:id:{20000000 + i}", name=f"Leverancier {i} B.V.", country="NL",
                               company_id=f"{20000000 + i}", first_seen=NOW, updated_at=NOW)
            session.add(org)
            session.flush()
            session.add(Contract(contract_ref=f"C-{i}", source_file="c.xlsx", row_number=i + 2, supplier_name=org.name,
                                 organisation_id=org.id, cpv="72500000", end_date=date(2029, 1, 1), content_hash=f"h{i}",
                                 imported_at=NOW))
            session.add(SupplierEvent(organisation_id=org.id, kind="insolvency.bankruptcy_declared",
                                      occurred_on=date(2026, 10, 30), source="test", source_ref=f"r{i}",
                                      source_url=f"https://example.org/{i}", title="failliet", confidence=0.9,
                                      detected_at=NOW))


def statuses(store: Store) -> list[str]:
    with store.session() as session:
        return list(session.scalars(select(AlertDelivery.status).order_by(AlertDelivery.id)))


def test_a_burst_of_alerts_reaches_the_inbox_in_seconds(tmp_path: Path, settings: Settings, smtp) -> None:
    sink, port = smtp
    store = fresh_store(tmp_path)
    suppliers(store, 30)
    start = time.perf_counter()
    summary = run_send_alerts(store, settings, config=config(port), as_of=date(2026, 11, 1), now=NOW, sources=False)
    elapsed = time.perf_counter() - start
    assert summary.sent == 30 and len(sink.messages) == 30 and elapsed < 30  # Apprise's pause alone was 160 s
    assert len(set(sink.message_ids())) == 30 and statuses(store) == ["sent"] * 30
    again = run_send_alerts(store, settings, config=config(port), as_of=date(2026, 11, 1), now=NOW + timedelta(hours=1), sources=False)
    assert again.sent == 0 and len(sink.messages) == 30


class Killed(BaseException):
    """Stands for kill -9 between the channel's acceptance (an SMTP 250, an HTTP 200) and our "sent"."""


def kill_at_sent(monkeypatch: pytest.MonkeyPatch, nth: int) -> Callable[[], None]:
    """The ``nth`` "sent" of the run raises ``Killed``; returns what puts the real one back."""
    real_mark_sent = alerting.mark_sent
    calls = {"n": 0}

    def dying(session, ids, *, now) -> None:
        calls["n"] += 1
        if calls["n"] == nth:
            raise Killed
        real_mark_sent(session, ids, now=now)

    monkeypatch.setattr(alerting, "mark_sent", dying)
    return lambda: monkeypatch.setattr(alerting, "mark_sent", real_mark_sent)


def test_a_run_killed_after_acceptance_resends_with_the_same_message_id(
        tmp_path: Path, settings: Settings, smtp, monkeypatch: pytest.MonkeyPatch) -> None:
    sink, port = smtp
    store = fresh_store(tmp_path)
    suppliers(store, 3)
    revive = kill_at_sent(monkeypatch, 2)
    with pytest.raises(Killed):
        run_send_alerts(store, settings, config=config(port), as_of=date(2026, 11, 1), now=NOW, sources=False)
    assert len(sink.messages) == 2 and statuses(store) == ["sent", "sending", "pending"]
    revive()
    soon = run_send_alerts(store, settings, config=config(port), as_of=date(2026, 11, 1), now=NOW + timedelta(minutes=1), sources=False)
    assert soon.sent == 1  # the third; the second is within its lease
    later = run_send_alerts(store, settings, config=config(port), as_of=date(2026, 11, 1), now=NOW + timedelta(hours=1), sources=False)
    assert later.sent == 1 and statuses(store) == ["sent"] * 3
    ids = sink.message_ids()
    assert len(ids) == 4 and len(set(ids)) == 3  # one copy, with the original's Message-ID: folded by the reader
    assert ids[1] == ids[3]


def test_a_refused_message_is_retried_and_counted_once(tmp_path: Path, settings: Settings, smtp) -> None:
    sink, port = smtp
    store = fresh_store(tmp_path)
    suppliers(store, 2)
    sink.refuse = 1
    first = run_send_alerts(store, settings, config=config(port), as_of=date(2026, 11, 1), now=NOW, sources=False)
    assert (first.sent, first.retry_later, len(sink.messages)) == (1, 1, 1)
    later = run_send_alerts(store, settings, config=config(port), as_of=date(2026, 11, 1), now=NOW + timedelta(hours=1), sources=False)
    assert later.sent == 1 and len(sink.messages) == 2 and statuses(store) == ["sent", "sent"]
    with store.session() as session:
        assert sorted(session.scalars(select(AlertDelivery.attempts))) == [1, 2]
