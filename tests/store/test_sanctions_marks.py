"""A possible sanctions-list match is marked wherever the company appears: supplier list and page,
the category's suppliers, and a market scan's top suppliers and new entrants."""

from __future__ import annotations

from datetime import UTC, date, datetime

from fastapi.testclient import TestClient

from store.db import Store
from store.sanctions_marks import possible_matches_by_id, possible_matches_by_key
from store.schema import Organisation, SupplierEvent
from tests.fixtures.web.world import POWER, World
from tests.web.test_web_routes import (  # noqa: F401 - fixtures
    cheap_hashes,
    client,
    signed_in,
    sqlite_template,
    store,
    world,
)


def test_a_possible_match_is_marked_on_every_page_that_names_the_company(client: TestClient, world: World,
                                                                        store: Store) -> None:
    power = world.orgs[POWER.name]
    with store.session() as session, session.begin():
        session.add(SupplierEvent(organisation_id=power, kind="sanctions.possible_match", occurred_on=date(2026, 10, 1),
                                  source="eu-sanctions", source_ref="EU.1", title="Stroom & Co", confidence=0.8,
                                  detected_at=datetime.now(UTC)))
    with store.session() as session:
        key = session.get(Organisation, power).org_key
        assert possible_matches_by_id(session, [power, 999999]) == {power: date(2026, 10, 1)}
        assert possible_matches_by_key(session, [key]) == {key: date(2026, 10, 1)}
    signed_in(client, "mia")
    for path in ("/suppliers", f"/suppliers/{power}", "/categories/09310000"):
        assert "possible sanctions match (2026-10-01)" in client.get(path).text, path


def test_the_market_scan_marks_new_entrants_and_top_suppliers() -> None:
    from models.market import market_scan
    from tests.reports.test_market_scan_report import (
        GENERATED,
        LABELS,
        SOURCES,
        synthetic_awards,
    )

    awards, notices = synthetic_awards()
    scan = market_scan(awards, notices, cpv_prefix="72", start=date(2021, 1, 1), end=date(2024, 12, 31), labels=LABELS)
    entrant = next(e for p in scan.periods for e in p.entrants)
    from reports.market_scan import render_market_scan

    html = render_market_scan(scan, title="Market scan", generated_at=GENERATED, sources=SOURCES,
                              possible_sanctions={entrant.key: date(2024, 5, 1)})
    assert html.count("possible sanctions match 2024-05-01") >= 1
    assert "possible sanctions match" not in render_market_scan(scan, title="Market scan", generated_at=GENERATED,
                                                                sources=SOURCES)
