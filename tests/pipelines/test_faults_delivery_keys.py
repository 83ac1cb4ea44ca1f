"""Alerts to non-e-mail channels: the same idempotency key on the re-send after a crash.

A webhook channel (Apprise ``json://``) posts to the local fault server on 127.0.0.1, which logs
each request's headers. A run is killed (``Killed`` stands for kill -9) between the channel's 200
and our "sent"; the run after the lease sends that alert again, with the key of the first attempt,
so a receiver that honours ``Idempotency-Key`` drops the copy. Opsgenie's de-duplication key is its
alert ``alias``; its request is caught at ``requests.post`` (offline). Channels without a key are
named, at least once.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from alerts.delivery import IDEMPOTENCY_HEADER, delivery_key, idempotency_key, idempotency_support
from alerts.routing import parse_routing
from alerts.rules import parse_rules
from config.settings import Settings
from pipelines.send_alerts import AlertConfig, run_send_alerts
from store.schema.alerts import AlertDelivery
from tests.fault_server import Reply, fault_server, fresh_store
from tests.pipelines.test_faults_delivery import RULES, Killed, kill_at_sent, settings, statuses, suppliers

__all__ = ["settings"]  # the fixture: the same alert settings as the e-mail scenarios

NOW = datetime(2026, 11, 1, 7, 0, tzinfo=UTC)


def config(url: str) -> AlertConfig:
    routing = parse_routing({"people": {"anna": {"channels": {"hook": {"url": url, "format": "text"}}}},
                             "categories": {"72": ["anna"]}, "ops": ["anna"]}, where="test routing", environ={})
    return AlertConfig(rules=parse_rules(RULES, where="test rules", known_categories=routing.categories), routing=routing)


def test_a_webhook_resent_after_a_crash_carries_the_same_idempotency_key(
        tmp_path: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    store = fresh_store(tmp_path)
    suppliers(store, 3)
    with fault_server() as server:
        server.script("/hook", [Reply(200, b"{}", {"Content-Type": "application/json"})])
        hook = config(server.url("/hook").replace("http://", "json://"))
        revive = kill_at_sent(monkeypatch, 2)
        with pytest.raises(Killed):
            run_send_alerts(store, settings, config=hook, as_of=date(2026, 11, 1), now=NOW, sources=False)
        assert server.count("/hook") == 2 and statuses(store) == ["sent", "sending", "pending"]
        revive()
        soon = run_send_alerts(store, settings, config=hook, as_of=date(2026, 11, 1), now=NOW + timedelta(minutes=1),
                               sources=False)
        later = run_send_alerts(store, settings, config=hook, as_of=date(2026, 11, 1), now=NOW + timedelta(hours=1),
                                sources=False)
        posts = [r for r in server.requests if r.path == "/hook"]
    assert (soon.sent, later.sent, statuses(store)) == (1, 1, ["sent"] * 3)
    keys = [r.headers.get(IDEMPOTENCY_HEADER) for r in posts]
    with store.session() as session:
        ids = list(session.scalars(select(AlertDelivery.id).order_by(AlertDelivery.id)))
    # sent: 1st, 2nd (killed before "sent"), 3rd (next run), 2nd again (after the lease), with its first key
    assert keys == [delivery_key([ids[0]]), delivery_key([ids[1]]), delivery_key([ids[2]]), delivery_key([ids[1]])]
    assert len(set(keys)) == 3
    bodies = [json.loads(r.body) for r in posts]
    assert bodies[1]["message"] == bodies[3]["message"]  # the same alert, not only the same key


def test_a_key_the_channel_url_sets_is_kept_and_ours_is_taken_off_after_the_send() -> None:
    import apprise

    apobj = apprise.Apprise()
    apobj.add("json://127.0.0.1:9/own?+Idempotency-Key=fixed", tag="own")
    apobj.add("json://127.0.0.1:9/plain", tag="plain")
    own, plain = next(iter(apobj.find("own"))), next(iter(apobj.find("plain")))
    with idempotency_key([own, plain], "sr-abc"):
        assert own.headers == {"Idempotency-Key": "fixed"} and plain.headers == {IDEMPOTENCY_HEADER: "sr-abc"}
    assert plain.headers == {} and own.headers == {"Idempotency-Key": "fixed"}


def test_opsgenie_gets_the_same_alias_on_the_resend(monkeypatch: pytest.MonkeyPatch) -> None:
    import apprise
    from apprise.plugins import opsgenie

    sent: list[dict] = []

    class Answer:
        status_code, content, text = 202, b'{"requestId": "r1"}', '{"requestId": "r1"}'

    def post(url: str, data: str, headers: dict, **_kw: object) -> Answer:
        sent.append(json.loads(data))
        return Answer()

    monkeypatch.setattr(opsgenie.requests, "post", post)
    apobj = apprise.Apprise()
    # action=new: our alerts go out as Apprise's "info", which Opsgenie's default mapping makes a note, not an alert
    apobj.add("opsgenie://0123456789abcdef0123456789abcdef?action=new", tag="ops")
    server = next(iter(apobj.find("ops")))
    key = delivery_key([7])
    for _attempt in range(2):  # the first attempt and the re-send after a crash
        with idempotency_key(apobj.find("ops"), key):
            assert apobj.notify(body="failliet", title="Leverancier 1", tag="ops")
    assert [p.get("alias") for p in sent] == [key, key]
    assert server.alias is None  # taken off again


@pytest.mark.parametrize(("url", "support"), [
    ("json://example.org/hook", "header"),
    ("xml://example.org/hook", "header"),
    ("form://example.org/hook", "header"),
    ("opsgenie://0123456789abcdef0123456789abcdef", "alias"),
    ("slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ", None),
    ("ntfy://ntfy.example.org/alerts", None),
    ("discord://4174216298/JHMHI8qBe7bk2ZwO5U711o3dV_js", None),
    ("tgram://123456789:abcdefg_hijklmnop/12315544/", None),
])
def test_which_channels_carry_a_key_and_which_are_at_least_once(url: str, support: str | None) -> None:
    import apprise

    server = apprise.Apprise.instantiate(url)
    assert server is not None and idempotency_support(server) == support
