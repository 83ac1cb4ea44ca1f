"""Round trip under Prefect: the demo data set through the real flows, connectors and store.

One Prefect test harness for the whole session (it takes about 10 s to start); the flows read
the bundled synthetic data set through the replay transport, exactly as ``supplyradar demo`` does.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

pytestmark = pytest.mark.flow

from flows.collect_tenders import collect_tenders  # noqa: E402
from flows.market_scan import market_scan  # noqa: E402
from tests.flow_support import artifacts as _artifacts  # noqa: E402

UNTIL = date(2026, 11, 1)


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SUPPLYRADAR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("SUPPLYRADAR_DATABASE_URL", raising=False)
    return tmp_path / "data"


def test_demo_collection_and_market_scan_flows(prefect_harness: None, data_dir: Path) -> None:
    first = {row["source"]: row for row in collect_tenders(since=date(2019, 1, 1), until=UNTIL, transport="demo")}
    assert first["ted"]["status"] == first["tenderned"]["status"] == "ok"
    assert first["ted"]["added"] > 1000 and first["tenderned"]["added"] > 100
    assert first["ted"]["quarantined"] == 0

    again = {row["source"]: row for row in collect_tenders(since=date(2019, 1, 1), until=UNTIL, transport="demo")}
    for source, row in again.items():
        assert row["added"] == row["updated"] == 0, source
        assert row["unchanged"] == first[source]["added"], source

    (report,) = market_scan(cpv=["48"], start=date(2021, 1, 1), end=UNTIL)
    html = Path(report).read_text(encoding="utf-8")
    assert Path(report).parent == data_dir / "reports"
    assert "synthetic" in html.lower() and "<svg" in html
    artifacts = _artifacts("market-scan-48", "market-scan-48-top-suppliers", "collect-tenders-summary")
    assert set(artifacts) == {"market-scan-48", "market-scan-48-top-suppliers", "collect-tenders-summary"}
    assert "48" in artifacts["market-scan-48"]["data"]
    assert artifacts["market-scan-48-top-suppliers"]["type"] == "table"

    # the flow also refreshed the category's market summary, which the category page reads
    from config.settings import Settings
    from store.db import Store
    from store.market_summaries import summary_of

    with Store(Settings().resolved_database_url) as store, store.session() as session:
        rows, computed = summary_of(session, "48")
    window = next(stats for period, _start, _end, stats in rows if period == "window")
    assert computed is not None and window["awards"] > 0 and window["concentration"]["hhi"] > 0
    assert {period for period, *_ in rows} == {"2021", "2022", "2023", "2024", "2025", "2026", "window"}
