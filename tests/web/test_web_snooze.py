"""The workspace ends snoozes as the flows do: a snoozed alert is back in the inbox when its time is up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from store.db import Store
from store.schema.alerts import AlertAudit, AlertRow
from tests.fixtures.web.world import World
from tests.web.test_web_routes import (  # noqa: F401 - fixtures
    cheap_hashes,
    client,
    signed_in,
    sqlite_template,
    store,
    world,
)


def test_a_snooze_shows_its_end_and_the_alert_returns_when_it_is_over(client: TestClient, world: World,
                                                                       store: Store) -> None:
    token = signed_in(client, "mia")
    alert_id = world.alerts["power"]
    assert client.post(f"/alerts/{alert_id}/snooze", data={"days": "3", "csrf_token": token}).status_code == 303
    for days in ("0", "-2", "91"):
        assert client.post(f"/alerts/{alert_id}/snooze", data={"days": days, "csrf_token": token}).status_code == 400
    end = (datetime.now(UTC) + timedelta(days=3)).strftime("%Y-%m-%d")
    snoozed = client.get("/alerts", params={"state": "snoozed"}).text
    assert f"/alerts/{alert_id}" in snoozed and end in snoozed
    assert f'href="/alerts/{alert_id}"' not in client.get("/alerts").text  # asleep: not in the default inbox

    with store.session() as session, session.begin():
        session.get(AlertRow, alert_id).snoozed_until = datetime.now(UTC) - timedelta(minutes=1)
    assert f'href="/alerts/{alert_id}"' in client.get("/alerts").text
    with store.session() as session:
        row = session.get(AlertRow, alert_id)
        assert (row.state, row.snoozed_until) == ("open", None)
        last = session.scalars(select(AlertAudit).where(AlertAudit.alert_id == alert_id).order_by(AlertAudit.id.desc())).first()
        assert (last.old_value, last.new_value, last.actor) == ("snoozed", "open", "web")
